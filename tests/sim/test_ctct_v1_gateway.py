"""What every v1 request goes through: Basic auth with "{api key}%{username}", the username
in the URI, content types, routing errors as plain text, rate limits, faults and the journal."""

from __future__ import annotations

import pytest

from reconciler.sim.ctct_v1 import ConnectionDropped, SimStore
from sim import ctct_v1_support
from sim.ctct_v1_support import ATOM_TYPE, ROOT, USER, Account, basic, config, make_client, new_entry

account, clock = ctct_v1_support.account, ctct_v1_support.clock  # the fixtures these tests use


def test_missing_or_wrong_credentials_are_401_plain_text_with_a_basic_challenge(account: Account) -> None:
    cfg = account.config
    for headers in (
        {"Authorization": ""},
        basic(f"{cfg.api_key}%{USER}", "wrong"),
        basic(USER, cfg.password),  # the login name alone, without the API key
        basic(f"other-key%{USER}", cfg.password),
        {"Authorization": "Bearer sim-api-key"},
    ):
        response = account.client.get(f"{ROOT}/contacts", headers=headers)
        assert response.status_code == 401
        assert response.text.startswith("Error 401:")
        assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_a_uri_for_another_username_is_401(account: Account) -> None:
    response = account.client.get("/ws/customers/someoneelse/contacts")
    assert response.status_code == 401
    assert "username" in response.text


def test_service_document_answers_200_for_valid_credentials(account: Account) -> None:
    response = account.client.get(f"{ROOT}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert f"{ROOT}/contacts" in response.text


def test_admin_api_needs_no_credentials(account: Account) -> None:
    assert account.client.get("/__sim__/faults", headers={"Authorization": ""}).status_code == 200


def test_write_without_atom_content_type_is_415(account: Account) -> None:
    body = new_entry("a@example.com", [account.newsletter])
    for content_type in ("application/xml", "application/json", "text/plain"):
        response = account.client.post(
            f"{ROOT}/contacts", content=body, headers={"Content-Type": content_type}
        )
        assert response.status_code == 415, content_type
        assert response.text.startswith("Error 415:")
    charset = {"Content-Type": "application/atom+xml; charset=utf-8"}
    assert account.client.post(f"{ROOT}/contacts", content=body, headers=charset).status_code == 201


def test_a_method_the_resource_does_not_support_is_415_not_405(account: Account) -> None:
    response = account.client.patch(f"{ROOT}/contacts", content=b"", headers=ATOM_TYPE)
    assert response.status_code == 415
    assert account.client.delete(f"{ROOT}/contacts").status_code == 415


def test_unknown_uri_is_404_plain_text(account: Account) -> None:
    response = account.client.get(f"{ROOT}/segments")
    assert response.status_code == 404
    assert response.text.startswith("Error 404:")
    assert account.client.get(f"{ROOT}/contacts/999").status_code == 404
    assert account.client.get(f"{ROOT}/contacts/abc").status_code == 404


def test_more_than_rate_per_second_requests_are_throttled_and_a_spent_quota_says_so() -> None:
    client = make_client(config(rate_per_second=4), SimStore())
    assert [client.get(f"{ROOT}/contacts").status_code for _ in range(5)] == [200, 200, 200, 200, 429]
    assert client.get(f"{ROOT}/contacts").json()["error_key"] == "throttled"
    quota = make_client(config(daily_quota=2), SimStore())
    assert [quota.get(f"{ROOT}/lists").status_code for _ in range(3)] == [200, 200, 429]
    assert quota.get(f"{ROOT}/lists").json()["error_key"] == "quota_exceeded"


def test_injected_server_error_is_plain_text_and_is_journaled(account: Account) -> None:
    account.client.post(
        "/__sim__/faults", json={"status": 503, "method": "GET", "path_prefix": f"{ROOT}/lists"}
    )
    failed = account.client.get(f"{ROOT}/lists")
    assert failed.status_code == 503 and failed.text == "Error 503: Service Unavailable"
    assert account.client.get(f"{ROOT}/lists").status_code == 200
    log = account.client.get("/__sim__/requests").json()
    assert [(r["status"], r["fault"]) for r in log] == [(503, "503"), (200, None)]


def test_injected_429_uses_the_gateway_shape(account: Account) -> None:
    account.client.post("/__sim__/faults", json={"status": 429, "count": 1})
    response = account.client.get(f"{ROOT}/contacts")
    assert response.status_code == 429 and response.json()["error_key"] == "throttled"


def test_dropped_connection_after_apply_still_creates_the_contact(account: Account) -> None:
    account.client.post(
        "/__sim__/faults", json={"drop": True, "method": "POST", "path_prefix": f"{ROOT}/contacts"}
    )
    with pytest.raises(ConnectionDropped):
        account.client.post(
            f"{ROOT}/contacts", content=new_entry("late@example.com", [account.newsletter]), headers=ATOM_TYPE
        )
    assert account.store.find_by_email("late@example.com") is not None


def test_refusals_are_logged_with_their_plain_text_reason(account: Account) -> None:
    account.client.post(f"{ROOT}/contacts", content=new_entry("x@example.com", []), headers=ATOM_TYPE)
    refused = account.client.get("/__sim__/refused").json()
    assert refused[-1]["status"] == 400
    assert refused[-1]["reason"] == "Error 400: The new contact must contain at least on valid ContactList"


def test_config_can_be_read_and_tuned_at_runtime(account: Account) -> None:
    assert account.client.get("/__sim__/config").json()["max_page_size"] == 50
    tuned = account.client.post("/__sim__/config", json={"rate_per_second": 2}).json()
    assert tuned["rate_per_second"] == 2.0
    assert account.config.rate_per_second == 2.0
