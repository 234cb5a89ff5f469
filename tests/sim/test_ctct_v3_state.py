"""Simulator state: the state file, the admin state API, the packaged demo seed, and bulk
seeding at benchmark scale."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.sim.ctct_v3 import SimConfig, SimStore, load_demo_seed
from reconciler.sim.ctct_v3.rules import parse_contact
from reconciler.sim.ctct_v3.wire import encode_cursor
from sim.conftest import Account, make_client

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _populate(account: Account) -> None:
    account.create(
        "a@example.com",
        first_name="A",
        list_memberships=[account.newsletter],
        phone_numbers=[{"phone_number": "1", "kind": "home"}],
    )
    gone = account.create("b@example.com")["contact_id"]
    account.client.delete(f"/v3/contacts/{gone}")


def test_state_round_trips_through_save_and_from_file(account: Account, tmp_path: Path) -> None:
    _populate(account)
    path = tmp_path / "nested" / "state.json"
    account.store.save(path)
    assert SimStore.from_file(path).to_state() == account.store.to_state()


def test_state_file_holds_version_lists_fields_and_full_contacts_with_internal_status(
    account: Account, tmp_path: Path
) -> None:
    _populate(account)
    account.store.save(tmp_path / "s.json")
    state = json.loads((tmp_path / "s.json").read_text())
    assert state["version"] == 1
    assert [item["name"] for item in state["lists"]] == ["Newsletter", "Customers"]
    assert {f["name"] for f in state["custom_fields"]} == {"Tier", "Region"}
    assert [c["status"] for c in state["contacts"]] == ["active", "deleted"]
    assert state["contacts"][0]["phone_numbers"][0]["phone_number"] == "1"


def test_admin_state_post_replaces_everything_and_get_returns_it(account: Account) -> None:
    _populate(account)
    snapshot = account.client.get("/__sim__/state").json()
    other = make_client(SimConfig(), SimStore())
    assert other.post("/__sim__/state", json=snapshot).json() == {
        "lists": 2,
        "custom_fields": 2,
        "contacts": 2,
    }
    assert other.get("/__sim__/state").json() == snapshot


def test_admin_state_post_with_a_bad_state_is_400_and_keeps_the_current_one(account: Account) -> None:
    _populate(account)
    before = account.client.get("/__sim__/state").json()
    bad = {
        "version": 1,
        "contacts": [{"email_address": {"address": "x@example.com"}}, {"first_name": "no email"}],
    }
    assert account.client.post("/__sim__/state", json=bad).status_code == 400
    assert account.client.post("/__sim__/state", json={"version": 2}).status_code == 400
    assert account.client.get("/__sim__/state").json() == before


def test_admin_reset_clears_state_logs_faults_and_counters(account: Account) -> None:
    _populate(account)
    account.client.post("/__sim__/faults", json={"status": 500, "count": 3})
    account.client.get("/v3/contacts/not-a-uuid")
    account.client.post("/__sim__/reset")
    assert account.client.get("/__sim__/state").json() == {
        "version": 1,
        "lists": [],
        "custom_fields": [],
        "contacts": [],
    }
    for log in ("requests", "refused", "illegal", "consent", "faults"):
        assert account.client.get(f"/__sim__/{log}").json() == [], log
    assert account.client.get("/__sim__/config").json()["used_today"] == 0


def test_admin_save_writes_the_state_file_the_app_was_created_with(tmp_path: Path) -> None:
    store = SimStore()
    store.add_list("Only")
    path = tmp_path / "sim.json"
    client = make_client(SimConfig(), store, state_path=path)
    assert client.post("/__sim__/save").json() == {"saved": str(path)}
    assert [item["name"] for item in json.loads(path.read_text())["lists"]] == ["Only"]
    assert make_client(SimConfig(), store).post("/__sim__/save").status_code == 409


def test_add_contact_rejects_a_duplicate_email() -> None:
    store = SimStore()
    store.add_contact({"email_address": {"address": "a@example.com"}})
    with pytest.raises(ValueError, match="duplicate"):
        store.add_contact({"email_address": {"address": "A@example.com"}})


def _seed_by_email() -> dict[str, dict[str, Any]]:
    return {c["email_address"]["address"]: c for c in load_demo_seed()["contacts"]}


def test_demo_seed_is_the_documented_account() -> None:
    seed = load_demo_seed()
    lists = {item["name"]: item["list_id"] for item in seed["lists"]}
    fields = {item["name"]: item["custom_field_id"] for item in seed["custom_fields"]}
    assert set(lists) == {"Newsletter", "Customers", "Partners", "Event Attendees"}
    assert set(fields) == {"Tier", "Region", "Lead_Source"}
    by_email = _seed_by_email()
    jane = by_email["jane@example.com"]
    assert (jane["first_name"], jane["last_name"], jane["job_title"], jane["company_name"]) == (
        "Jane",
        "Doe",
        "VP Engineering",
        "Acme",
    )
    assert [(p["kind"], p["phone_number"]) for p in jane["phone_numbers"]] == [("work", "+1-555-0100")]
    assert set(jane["list_memberships"]) == {lists["Newsletter"], lists["Partners"]}
    assert {cf["custom_field_id"]: cf["value"] for cf in jane["custom_fields"]} == {
        fields["Tier"]: "silver",
        fields["Lead_Source"]: "webinar",
    }
    bob = by_email["bob@example.com"]["email_address"]
    assert (bob["permission_to_send"], bob["opt_out_source"], bob["opt_out_date"], bob["opt_out_reason"]) == (
        "unsubscribed",
        "Contact",
        "2026-03-02T09:15:00Z",
        "Too many emails",
    )
    carol = by_email["carol@example.com"]
    assert (carol["status"], carol["deleted_at"], carol["list_memberships"]) == ("deleted", "2026-05-10", [])
    assert by_email["dave@example.com"]["email_address"]["opt_out_source"] == "Account"
    assert by_email["erin@example.com"]["list_memberships"] == [lists["Customers"]]
    users = [c for e, c in by_email.items() if e.endswith("@example.org")]
    assert len(users) >= 20
    assert any(c["email_address"]["permission_to_send"] == "pending_confirmation" for c in users)
    assert any(c["email_address"]["permission_to_send"] == "explicit" for c in users)
    assert any(len(c["phone_numbers"]) == 2 and c["street_addresses"] for c in users)


def test_demo_seed_is_valid_v3_data_with_fixed_ids_and_2026_timestamps() -> None:
    seed = load_demo_seed()
    list_ids = {item["list_id"] for item in seed["lists"]}
    field_ids = {item["custom_field_id"] for item in seed["custom_fields"]}
    for contact in seed["contacts"]:
        assert UUID.match(contact["contact_id"])
        assert TIMESTAMP.match(contact["created_at"]) and contact["created_at"].startswith("2026-")
        # Every stored contact must pass the same checks a POST would.
        parse_contact({**contact, "create_source": "Account"}, "post", list_ids, field_ids)
    assert load_demo_seed() == seed  # fixed, not generated per call
    store = SimStore.from_state(seed)
    assert store.to_state() == seed  # already in canonical stored form


def test_100k_contacts_seed_in_seconds_and_a_deep_page_costs_no_more_than_the_first() -> None:
    store = SimStore()
    list_id = store.add_list("Newsletter")
    started = time.perf_counter()
    for i in range(100_000):
        store.add_contact(
            {
                "email_address": {"address": f"u{i:06d}@example.com"},
                "first_name": "F",
                "list_memberships": [list_id],
            }
        )
    assert time.perf_counter() - started < 20  # a few seconds on a laptop; generous for CI
    client = make_client(SimConfig(rate_per_second=0, daily_quota=0), store)
    include = "custom_fields,list_memberships,phone_numbers,street_addresses"
    started = time.perf_counter()
    first = client.get("/v3/contacts", params={"limit": 500, "include": include})
    first_cost = time.perf_counter() - started
    deep = encode_cursor({"limit": "500", "next": "99000", "include": include})
    started = time.perf_counter()
    page = client.get("/v3/contacts", params={"cursor": deep}).json()
    deep_cost = time.perf_counter() - started
    assert len(first.json()["contacts"]) == 500
    assert page["contacts"][0]["email_address"]["address"] == "u099000@example.com"
    assert len(page["contacts"]) == 500 and "list_memberships" in page["contacts"][0]
    assert deep_cost < max(0.5, 5 * first_cost)
