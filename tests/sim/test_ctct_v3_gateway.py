"""What every /v3 request goes through: auth, content negotiation, routing errors, rate
limits, injected faults, and the request/refusal journal."""

from __future__ import annotations

import time
from datetime import date

import pytest

from reconciler.sim.ctct_v3 import ConnectionDropped, SimConfig, SimStore
from reconciler.sim.ctct_v3.limits import RateLimiter
from sim.conftest import Account, make_client

NEW_CONTACT = {"email_address": {"address": "a@example.com"}, "create_source": "Account"}


def test_missing_or_wrong_token_is_401_with_a_single_object_and_bearer_challenge(account: Account) -> None:
    for headers in (
        {"Authorization": ""},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic c2ltOnRva2Vu"},
    ):
        response = account.client.get("/v3/contacts", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error_key": "unauthorized", "error_message": "Unauthorized"}
        assert response.headers["WWW-Authenticate"] == "Bearer realm=api.cc.email"
        assert len(response.content) == 59  # the captured real 401 was exactly this long


def test_admin_api_needs_no_token(account: Account) -> None:
    assert account.client.get("/__sim__/faults", headers={"Authorization": ""}).status_code == 200


def test_write_without_json_content_type_is_415(account: Account) -> None:
    response = account.client.post("/v3/contacts", content=b"{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    charset = {"Content-Type": "application/json; charset=utf-8"}
    assert (
        account.client.post("/v3/contact_lists", content=b'{"name": "X"}', headers=charset).status_code == 201
    )


def test_accept_header_excluding_json_is_406_and_wildcards_are_fine(account: Account) -> None:
    assert account.client.get("/v3/contacts", headers={"Accept": "text/html"}).status_code == 406
    for accept in ("*/*", "application/json", "text/html, application/json;q=0.9", "application/*"):
        assert account.client.get("/v3/contacts", headers={"Accept": accept}).status_code == 200


def test_malformed_json_or_non_object_body_is_400(account: Account) -> None:
    headers = {"Content-Type": "application/json"}
    for raw in (b"{not json", b"[1, 2]", b""):
        response = account.client.post("/v3/contacts", content=raw, headers=headers)
        assert response.status_code == 400
        assert response.json()[0]["error_key"] == "contacts.api.validation.error"


def test_unknown_route_is_404_and_wrong_method_is_405_with_allow(account: Account) -> None:
    missing = account.client.get("/v3/segments")
    assert missing.status_code == 404 and isinstance(missing.json(), list)
    wrong = account.client.patch("/v3/contacts", json={})
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_more_than_rate_per_second_requests_are_throttled_with_the_throttled_body() -> None:
    client = make_client(SimConfig(rate_per_second=4, daily_quota=0), SimStore())
    statuses = [client.get("/v3/contacts").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    throttled = client.get("/v3/contacts")
    assert throttled.json() == {"error_key": "throttled", "error_message": "Too Many Requests"}
    assert not [h for h in throttled.headers if h.lower().startswith(("x-ratelimit", "retry-after"))]


def test_rate_window_slides_and_throttled_requests_do_not_use_it_up() -> None:
    now = [100.0]
    limiter = RateLimiter(SimConfig(rate_per_second=2, daily_quota=0), clock=lambda: now[0])
    assert [limiter.admit("t") for _ in range(3)] == [None, None, "throttled"]
    now[0] += 0.999
    assert limiter.admit("t") == "throttled"
    now[0] += 0.002
    assert [limiter.admit("t") for _ in range(3)] == [None, None, "throttled"]


def test_daily_quota_resets_at_utc_midnight() -> None:
    today = [date(2026, 7, 1)]
    limiter = RateLimiter(SimConfig(rate_per_second=0, daily_quota=2), today=lambda: today[0])
    assert [limiter.admit("t") for _ in range(3)] == [None, None, "quota_exceeded"]
    today[0] = date(2026, 7, 2)
    assert limiter.admit("t") is None


def test_over_the_daily_quota_is_429_quota_exceeded_until_the_quota_is_reset() -> None:
    client = make_client(SimConfig(rate_per_second=0, daily_quota=3), SimStore())
    assert [client.get("/v3/contacts").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/v3/contacts").json() == {
        "error_key": "quota_exceeded",
        "error_message": "Limit Exceeded",
    }
    assert client.get("/__sim__/faults").status_code == 200  # the admin API is never limited
    client.post("/__sim__/quota/reset")
    assert client.get("/v3/contacts").status_code == 200


def test_throttled_requests_do_not_count_toward_the_quota() -> None:
    client = make_client(SimConfig(rate_per_second=2, daily_quota=100), SimStore())
    statuses = [client.get("/v3/contacts").status_code for _ in range(6)]
    assert 429 in statuses
    assert client.get("/__sim__/config").json()["used_today"] == statuses.count(200)


def test_limits_can_be_changed_at_runtime(account: Account) -> None:
    account.client.post("/__sim__/config", json={"daily_quota": 1})
    assert [account.client.get("/v3/contacts").status_code for _ in range(2)] == [200, 429]
    assert account.client.post("/__sim__/config", json={"daily_quota": -1}).status_code == 400
    assert account.client.post("/__sim__/config", json={"token": "x"}).status_code == 400


def test_latency_is_added_to_every_v3_response(account: Account) -> None:
    account.client.post("/__sim__/config", json={"latency": 0.2})
    started = time.perf_counter()
    account.client.get("/v3/contacts")
    assert time.perf_counter() - started >= 0.2


def test_fault_answers_the_next_count_matching_requests_after_skipping_after(account: Account) -> None:
    spec = {"status": 503, "count": 2, "after": 1, "method": "GET", "path_prefix": "/v3/contacts"}
    assert account.client.post("/__sim__/faults", json=spec).status_code == 201
    assert account.client.get("/v3/contact_lists").status_code == 200  # does not match the prefix
    statuses = [account.client.get("/v3/contacts").status_code for _ in range(4)]
    assert statuses == [200, 503, 503, 200]
    assert account.client.get("/__sim__/faults").json() == []


def test_injected_5xx_has_the_server_error_array_and_429_the_throttled_object(account: Account) -> None:
    account.client.post("/__sim__/faults", json={"status": 500})
    account.client.post("/__sim__/faults", json={"status": 429})
    error = account.client.get("/v3/contacts")
    assert error.status_code == 500 and error.json()[0]["error_key"] == "server_error"
    throttled = account.client.get("/v3/contacts")
    assert throttled.status_code == 429
    assert throttled.json() == {"error_key": "throttled", "error_message": "Too Many Requests"}


def test_fault_specs_are_validated_and_can_be_cleared(account: Account) -> None:
    assert account.client.post("/__sim__/faults", json={"status": 418}).status_code == 400
    assert account.client.post("/__sim__/faults", json={"count": 2}).status_code == 400
    account.client.post("/__sim__/faults", json={"status": 502, "count": 5})
    assert len(account.client.get("/__sim__/faults").json()) == 1
    account.client.delete("/__sim__/faults")
    assert account.client.get("/__sim__/faults").json() == []


def test_delay_fault_slows_the_request_then_answers_normally(account: Account) -> None:
    account.client.post("/__sim__/faults", json={"delay": 0.2})
    started = time.perf_counter()
    assert account.client.get("/v3/contacts").status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_drop_fault_applies_the_write_and_then_fails_without_a_response(account: Account) -> None:
    account.client.post("/__sim__/faults", json={"drop": True, "method": "POST"})
    with pytest.raises(ConnectionDropped):
        account.client.post("/v3/contacts", json=NEW_CONTACT)
    assert account.store.find_by_email("a@example.com") is not None
    assert account.client.post("/v3/contacts", json=NEW_CONTACT).status_code == 409
    dropped = account.client.get("/__sim__/requests").json()[0]
    assert dropped["status"] is None and "drop" in dropped["fault"]


def test_drop_fault_without_apply_before_drop_loses_the_write(account: Account) -> None:
    account.client.post("/__sim__/faults", json={"drop": True, "apply_before_drop": False})
    with pytest.raises(ConnectionDropped):
        account.client.post("/v3/contacts", json=NEW_CONTACT)
    assert account.store.find_by_email("a@example.com") is None


def test_request_journal_records_every_v3_request_and_can_be_cleared(account: Account) -> None:
    account.client.get("/v3/contacts", params={"limit": 5})
    account.client.get("/v3/contacts", headers={"Authorization": "Bearer nope"})
    account.client.get("/__sim__/state")
    rows = account.client.get("/__sim__/requests").json()
    assert [(r["method"], r["path"], r["query"], r["status"]) for r in rows] == [
        ("GET", "/v3/contacts", "limit=5", 200),
        ("GET", "/v3/contacts", "", 401),
    ]
    assert rows[0]["at"].endswith("Z")
    account.client.delete("/__sim__/requests")
    assert account.client.get("/__sim__/requests").json() == []


def test_refused_log_lists_each_4xx_with_its_reason(account: Account) -> None:
    account.client.post("/v3/contacts", json={"create_source": "Account"})
    account.client.get("/v3/contacts/not-a-uuid")
    refused = account.client.get("/__sim__/refused").json()
    assert [(r["status"], r["error_key"]) for r in refused] == [
        (400, "contacts.api.validation.error"),
        (404, "contacts.api.not_found"),
    ]
    assert refused[1]["reason"] == "contact_id is in an invalid format."
