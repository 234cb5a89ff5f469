"""Lists and account state on the v1 simulator: the lists feed with its system lists and
relative next links, list writes, members, and the /__sim__ state, reset and seed."""

from __future__ import annotations

from pathlib import Path

from reconciler.providers.ctct_v1.atom import ATOM, CTCT, element, parse, qname, serialize
from reconciler.sim.ctct_v1 import SimStore, load_demo_seed
from sim import ctct_v1_support
from sim.ctct_v1_support import ATOM_TYPE, ROOT, Account, set_lists

account, clock = ctct_v1_support.account, ctct_v1_support.clock  # the fixtures these tests use


def _list_body(name: str) -> bytes:
    entry = element(None, ATOM, "entry")
    for tag in ("id", "title", "author", "updated"):
        element(entry, ATOM, tag)
    payload = element(element(entry, ATOM, "content", type="application/vnd.ctct+xml"), CTCT, "ContactList")
    element(payload, CTCT, "OptInDefault", "false")
    element(payload, CTCT, "Name", name)
    element(payload, CTCT, "SortOrder", "5")
    return serialize(entry)


def _names(feed: bytes) -> list[str]:
    root = parse(feed)
    return [e.findtext(qname(ATOM, "title")) or "" for e in root.findall(qname(ATOM, "entry"))]


def test_lists_feed_starts_with_the_system_lists(account: Account) -> None:
    response = account.client.get(f"{ROOT}/lists")
    assert _names(response.content) == ["Active", "Removed", "Do Not Mail", "Newsletter", "Customers"]
    assert f"{ROOT}/lists/active" in response.text


def test_lists_feed_next_link_is_relative(account: Account) -> None:
    for i in range(60):
        account.store.add_list(f"L{i:02d}")
    first = parse(account.client.get(f"{ROOT}/lists").content)
    nexts = [link.get("href") for link in first.findall(qname(ATOM, "link")) if link.get("rel") == "next"]
    assert nexts == ["lists?next=50"]
    second = account.client.get(f"{ROOT}/lists?next=50")
    assert len(_names(second.content)) == 65 - 50
    assert 'rel="next"' not in second.text


def test_list_create_is_201_and_a_taken_name_is_409(account: Account) -> None:
    created = account.client.post(f"{ROOT}/lists", content=_list_body("VIP"), headers=ATOM_TYPE)
    assert created.status_code == 201
    assert parse(created.content).findtext(qname(ATOM, "id")).endswith(f"{ROOT}/lists/3")
    again = account.client.post(f"{ROOT}/lists", content=_list_body("VIP"), headers=ATOM_TYPE)
    assert again.status_code == 409


def test_list_update_and_delete_are_204_and_system_lists_are_read_only(account: Account) -> None:
    assert (
        account.client.put(
            f"{ROOT}/lists/{account.customers}", content=_list_body("Clients"), headers=ATOM_TYPE
        )
    ).status_code == 204
    assert account.store.list_id("Clients") == account.customers
    assert (
        account.client.put(f"{ROOT}/lists/active", content=_list_body("X"), headers=ATOM_TYPE).status_code
        == 415
    )
    cid = account.create("jo@example.com", [account.customers])
    assert account.client.delete(f"{ROOT}/lists/{account.customers}").status_code == 204
    contact = account.store.get_contact(cid)
    assert contact is not None and contact["Status"] == "Removed" and contact["lists"] == []


def test_members_lists_the_contacts_on_a_list(account: Account) -> None:
    account.create("a@example.com", [account.newsletter])
    account.create("b@example.com", [account.customers])
    response = account.client.get(f"{ROOT}/lists/{account.newsletter}/members")
    assert response.status_code == 200 and _names(response.content) == ["a@example.com"]
    assert account.client.get(f"{ROOT}/lists/99/members").status_code == 404


def test_state_round_trips_and_reset_empties_everything(account: Account) -> None:
    cid = account.create("jo@example.com", FirstName="Jo")
    entry = account.get(cid)
    set_lists(entry, [account.newsletter, account.customers])
    account.put(cid, entry)
    state = account.client.get("/__sim__/state").json()
    copy = SimStore.from_state(state)
    assert copy.to_state() == state
    assert account.client.post("/__sim__/reset").status_code == 200
    assert account.store.contacts() == []
    assert account.client.post("/__sim__/state", json=state).json() == {"lists": 2, "contacts": 1}
    assert account.client.post("/__sim__/state", json={"contacts": [{"Status": "x"}]}).status_code == 400
    assert account.store.find_by_email("jo@example.com") is not None


def test_demo_seed_has_the_v3_demos_people_in_v1_states() -> None:
    store = SimStore.from_state(load_demo_seed())
    status = {c["EmailAddress"]: c["Status"] for c in store.contacts()}
    assert status["jane@example.com"] == "Active"
    assert status["bob@example.com"] == "Do Not Mail"
    assert status["carol@example.com"] == status["dave@example.com"] == "Removed"
    assert status["erin@example.com"] == "Active"
    assert len(status) >= 25
    assert store.list_id("Partners") is not None
    bob = store.find_by_email("bob@example.com")
    assert bob is not None and bob["OptOutSource"] == "ACTION_BY_CONTACT"


def test_state_file_save_is_atomic_and_loadable(account: Account, tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    account.create("jo@example.com")
    account.store.save(path)
    assert SimStore.from_file(path).find_by_email("jo@example.com") is not None
