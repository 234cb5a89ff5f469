"""What every Everlytic API request goes through, whichever front-end: rate limits and the
daily quota, injected faults, the journal with request bodies, and the admin state API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.providers.everlytic.codec import dumps_call
from reconciler.sim.everlytic import ConnectionDropped, SimConfig, SimStore, load_demo_seed
from sim.everlytic_support import RPC_PATH, XML, Account, open_account


@pytest.fixture
def account() -> Iterator[Account]:
    acct = open_account()
    with acct.rest, acct.rpc_client:
        yield acct


def test_limits_are_off_by_default_and_throttle_with_retry_after_when_set() -> None:
    assert (SimConfig().rate_per_second, SimConfig().daily_quota) == (0.0, 0)
    acct = open_account(SimConfig(rate_per_second=2))
    with acct.rest:
        codes = [acct.rest.get("/api/2.0/lists").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        throttled = acct.rest.get("/api/2.0/lists")
        assert throttled.headers["Retry-After"] == "1"
        assert throttled.json() == {"error": {"message": "Too many requests."}}


def test_the_daily_quota_answers_429_until_midnight_utc(account: Account) -> None:
    assert account.rest.post("/__sim__/config", json={"daily_quota": 2}).json()["daily_quota"] == 2
    assert [account.rest.get("/api/2.0/lists").status_code for _ in range(2)] == [200, 200]
    spent = account.rest.get("/api/2.0/lists")
    assert spent.status_code == 429 and "quota" in spent.json()["error"]["message"]
    assert 0 < int(spent.headers["Retry-After"]) <= 86_400
    assert account.rest.post("/__sim__/quota/reset").status_code == 200
    assert account.rest.get("/api/2.0/lists").status_code == 200
    assert account.rest.post("/__sim__/config", json={"max_page_size": 5}).status_code == 400


def test_faults_hit_matching_requests_in_the_api_error_shape(account: Account) -> None:
    spec = {"status": 503, "count": 2, "method": "PUT", "path_prefix": "/api/2.0/contacts"}
    assert account.rest.post("/__sim__/faults", json=spec).status_code == 201
    assert account.rest.get("/api/2.0/contacts").status_code == 200  # GET does not match
    failed = account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"name": "X"})
    assert failed.status_code == 503 and failed.json() == {"error": {"message": "Service Unavailable"}}
    assert account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"name": "X"}).status_code == 503
    assert account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"name": "X"}).status_code == 200
    assert account.rest.get("/__sim__/faults").json() == []
    assert account.rest.post("/__sim__/faults", json={"status": 418}).status_code == 400


def test_a_dropped_connection_after_apply_has_still_written(account: Account) -> None:
    # Faults, limits and the journal belong to each app; the account (store) is shared.
    account.rpc_client.post("/__sim__/faults", json={"drop": True, "path_prefix": RPC_PATH})
    body = dumps_call("contacts.UpdateContact", (account.jane, {"name": "Dropped"}))
    with pytest.raises(ConnectionDropped):
        account.rpc_client.post(RPC_PATH, content=body, headers=XML)
    assert account.store.contact(account.jane)["name"] == "Dropped"  # type: ignore[index]
    entry = account.rpc_client.get("/__sim__/requests").json()[-1]
    assert entry["status"] is None and entry["fault"] == "drop after apply"


def test_the_journal_records_bodies_and_can_be_cleared(account: Account) -> None:
    account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"city": "Leeds"})
    account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"score": 1})
    log = account.rest.get("/__sim__/requests").json()
    assert [(e["method"], e["status"], e["body"]) for e in log] == [
        ("PUT", 200, {"city": "Leeds"}),
        ("PUT", 400, {"score": 1}),
    ]
    refused = account.rest.get("/__sim__/refused").json()
    assert refused[-1]["reason"] == "The property 'score' is read-only and cannot be written."
    assert account.rest.delete("/__sim__/requests").status_code == 200
    assert account.rest.get("/__sim__/requests").json() == []


def test_state_round_trips_through_the_admin_api_and_files(account: Account, tmp_path: Path) -> None:
    state = account.rest.get("/__sim__/state").json()
    assert {"lists", "contacts", "subscriptions"} <= state.keys()
    counts = account.rest.post("/__sim__/state", json=load_demo_seed()).json()
    assert counts == {"lists": 4, "contacts": 25, "subscriptions": 30}
    bad = account.rest.post("/__sim__/state", json={"contacts": [{"email": "a@x.io"}, {"email": "A@x.io"}]})
    assert bad.status_code == 400 and len(account.store.contacts) == 25  # a bad state changes nothing
    path = tmp_path / "state.json"
    account.store.save(path)
    again = SimStore.from_file(path)
    assert again.to_state() == account.store.to_state()
    assert json.loads(path.read_text())["version"] == 1
    assert account.rest.post("/__sim__/reset").json() == {"reset": True}
    assert account.store.contacts == {} and account.rest.get("/__sim__/illegal").json() == []


def test_the_demo_seed_tells_the_v3_story_in_everlytic_terms() -> None:
    store = SimStore.from_state(load_demo_seed())
    names = {v["name"]: k for k, v in store.lists.items()}
    assert set(names) == {"Newsletter", "Customers", "Partners", "Event Attendees"}
    bob = store.find_by_email("bob@example.com")
    carol = store.find_by_email("carol@example.com")
    dave = store.find_by_email("dave@example.com")
    assert bob is not None and carol is not None and dave is not None
    assert store.subscriptions_of(bob["id"])[names["Newsletter"]]["sim_unsubscribed_by"] == "contact"
    assert store.subscriptions_of(carol["id"]) == {}  # removed from every list by the account
    assert names["Newsletter"] not in store.subscriptions_of(dave["id"])
    jane = store.find_by_email("jane@example.com")
    assert jane is not None and (jane["department"], jane["title"]) == ("silver", "webinar")
