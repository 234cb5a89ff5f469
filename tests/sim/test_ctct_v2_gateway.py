"""What every /v2 request goes through: api_key + Bearer auth, Accept/Content-Type, routing
errors, Mashery's 403 rate limits, injected faults, and the journal (api_key masked)."""

from __future__ import annotations

import pytest

from reconciler.sim.ctct_v2 import SimConfig, SimStore
from reconciler.sim.ctct_v3 import ConnectionDropped
from sim.ctct_v2_support import API_KEY, Account, account_fixture, make_client  # noqa: F401

NEW = {"email_addresses": [{"email_address": "a@example.com"}], "lists": []}


def test_both_the_api_key_and_the_token_are_required(account: Account) -> None:
    client = account.client
    cases = [
        ({"api_key": API_KEY}, {"Authorization": ""}),
        ({"api_key": API_KEY}, {"Authorization": "Bearer wrong"}),
        ({}, {}),
        ({"api_key": "wrong"}, {}),
    ]
    for params, headers in cases:
        response = client.get("/v2/contacts", params=params, headers=headers)
        assert response.status_code == 401
        assert response.json() == [{"error_key": "http.status.unauthorized", "error_message": "Unauthorized"}]
    assert account.call("GET", "/v2/contacts").status_code == 200


def test_admin_api_needs_no_credentials(account: Account) -> None:
    assert account.client.get("/__sim__/faults", headers={"Authorization": ""}).status_code == 200


def test_content_type_and_accept_are_enforced(account: Account) -> None:
    plain = account.call("POST", "/v2/contacts", content=b"{}", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert plain.json()[0]["error_key"] == "http.status.unsupported_media_type"
    assert account.call("GET", "/v2/contacts", headers={"Accept": "text/html"}).status_code == 406
    for accept in ("*/*", "application/json", "application/*"):
        assert account.call("GET", "/v2/contacts", headers={"Accept": accept}).status_code == 200


def test_malformed_json_is_400_and_unknown_routes_are_v2_errors(account: Account) -> None:
    bad = account.call("POST", "/v2/contacts", content=b"{nope", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()[0]["error_key"] == "json.parse.error"
    missing = account.call("GET", "/v2/segments")
    assert missing.status_code == 404 and isinstance(missing.json(), list)
    wrong = account.call("PATCH", "/v2/contacts", json={})
    assert wrong.status_code == 405
    assert {"GET", "POST"} <= set(wrong.headers["Allow"].replace(" ", "").split(","))


def test_more_than_four_calls_a_second_get_masherys_403() -> None:
    client = make_client(SimConfig(rate_per_second=4, daily_quota=0), SimStore())
    statuses = [client.get("/v2/lists", params={"api_key": API_KEY}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 403]
    refused = client.get("/v2/lists", params={"api_key": API_KEY})
    assert refused.json() == [{
        "error_key": "mashery.not.authorized.over.qps",
        "error_message": (
            "The Mashery account associated with this request is over its queries-per-second quota."
        ),
    }]


def test_the_daily_quota_is_a_403_over_ratelimit() -> None:
    client = make_client(SimConfig(rate_per_second=0, daily_quota=2), SimStore())
    statuses = [client.get("/v2/lists", params={"api_key": API_KEY}).status_code for _ in range(3)]
    assert statuses == [200, 200, 403]
    last = client.get("/v2/lists", params={"api_key": API_KEY}).json()
    assert last[0]["error_key"] == "mashery.not.authorized.over.ratelimit"
    assert client.get("/__sim__/config").json()["used_today"] == 2


def test_faults_answer_v2_errors_and_a_throttle_fault_is_the_403(account: Account) -> None:
    added = account.client.post("/__sim__/faults", json={"status": 503, "path_prefix": "/v2/lists"})
    assert added.status_code == 201
    account.client.post("/__sim__/faults", json={"status": 429, "method": "GET", "path_prefix": "/v2/lists"})
    first, second = account.call("GET", "/v2/lists"), account.call("GET", "/v2/lists")
    assert first.status_code == 503 and first.json()[0]["error_key"] == "http.status.internal_server_error"
    assert second.status_code == 403 and second.json()[0]["error_key"] == "mashery.not.authorized.over.qps"
    assert account.call("GET", "/v2/lists").status_code == 200


def test_a_dropped_post_may_still_have_landed(account: Account) -> None:
    fault = {"drop": True, "method": "POST", "path_prefix": "/v2/contacts"}
    account.client.post("/__sim__/faults", json=fault)
    with pytest.raises(ConnectionDropped):
        account.call("POST", "/v2/contacts", json=NEW)
    assert account.store.find_by_email("a@example.com") is not None


def test_the_journal_records_every_call_with_the_api_key_masked(account: Account) -> None:
    account.call("GET", "/v2/contacts", params={"limit": "5"})
    account.client.get("/v2/contacts", params={"api_key": "wrong"})
    rows = account.client.get("/__sim__/requests").json()
    assert [(r["path"], r["status"]) for r in rows] == [("/v2/contacts", 200), ("/v2/contacts", 401)]
    assert rows[0]["query"] == "api_key=***&limit=5" and API_KEY not in str(rows)
    refused = account.client.get("/__sim__/refused").json()
    assert refused[0]["error_key"] == "http.status.unauthorized"


@pytest.mark.parametrize("value", [-1, "fast", True])
def test_config_rejects_bad_values(account: Account, value: object) -> None:
    assert account.client.post("/__sim__/config", json={"rate_per_second": value}).status_code == 400
    assert account.client.post("/__sim__/config", json={"token": "x"}).status_code == 400
