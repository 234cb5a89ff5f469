"""Simulator state: the packaged demo seed, the state file, and the admin state API."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.sim.ctct_v2 import SimStore, load_demo_seed
from reconciler.sim.ctct_v2.records import CONTACT_STATUSES
from sim.ctct_v2_support import Account, account_fixture  # noqa: F401


def _by_email(store: SimStore) -> dict[str, dict[str, object]]:
    return {c["email_addresses"][0]["email_address"]: c for c in store.contacts()}


def test_the_demo_seed_is_the_v3_demo_in_v2_form() -> None:
    store = SimStore.from_state(load_demo_seed())
    assert [item["name"] for item in store.to_state()["lists"]] == [
        "Newsletter", "Customers", "Partners", "Event Attendees",
    ]
    people = _by_email(store)
    assert len(people) == 25
    jane, bob, carol, dave = (people[f"{n}@example.com"] for n in ("jane", "bob", "carol", "dave"))
    assert jane["status"] == "ACTIVE" and jane["work_phone"] == "+1-555-0100"
    assert jane["custom_fields"] == [{"name": "CustomField1", "value": "silver"},
                                     {"name": "CustomField3", "value": "webinar"}]
    assert (bob["status"], bob["_opt_out_by"]) == ("OPTOUT", "visitor")
    assert (dave["status"], dave["_opt_out_by"]) == ("OPTOUT", "owner")
    assert carol["status"] == "REMOVED" and carol["lists"] == []
    assert people["erin@example.com"]["lists"] == [{"id": "2"}]
    assert {str(c["status"]) for c in people.values()} <= set(CONTACT_STATUSES)


def test_state_round_trips_through_save_and_from_file(account: Account, tmp_path: Path) -> None:
    created = account.create("a@example.com", [account.newsletter], first_name="A")
    account.call("DELETE", f"/v2/contacts/{created['id']}")
    path = tmp_path / "nested" / "state.json"
    account.store.save(path)
    loaded = SimStore.from_file(path)
    assert loaded.to_state() == account.store.to_state()
    assert int(loaded.new_id()) > int(created["id"])  # ids go on where they left off


def test_admin_state_replaces_everything_and_a_bad_state_changes_nothing(account: Account) -> None:
    account.create("old@example.com", [account.newsletter])
    seeded = account.client.post("/__sim__/state", json=load_demo_seed())
    assert seeded.json() == {"lists": 4, "contacts": 25}
    assert account.client.get("/__sim__/state").json()["contacts"][0]["id"] == "101"
    bad = account.client.post("/__sim__/state", json={"contacts": [{"email_addresses": []}]})
    assert bad.status_code == 400 and len(account.store.contacts()) == 25
    assert account.client.post("/__sim__/state", json={"version": 9}).status_code == 400
    account.client.post("/__sim__/reset")
    assert account.store.contacts() == [] and account.store.to_state()["lists"] == []


def test_add_contact_refuses_duplicates_and_unknown_statuses() -> None:
    store = SimStore()
    store.add_contact({"email_addresses": [{"email_address": "a@example.com"}]})
    with pytest.raises(ValueError, match="duplicate email"):
        store.add_contact({"email_addresses": [{"email_address": "A@example.com"}]})
    with pytest.raises(ValueError, match="status"):
        store.add_contact({"status": "DELETED", "email_addresses": [{"email_address": "b@example.com"}]})
