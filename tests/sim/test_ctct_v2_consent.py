"""Who may put an OPTOUT contact back on a list (ctct-v2 §2.4-2.5): only the contact's own
action (ACTION_BY_VISITOR, with at least one list). Owner attempts are refused and logged;
contact-side opt-ins are logged too. Plus the admin API's contact-side actions."""

from __future__ import annotations

from sim.ctct_v2_support import Account, account_fixture, body_of  # noqa: F401


def _opted_out(account: Account, by: str = "visitor") -> dict[str, object]:
    created = account.create("bob@example.com", [account.newsletter], first_name="Bob")
    if by == "visitor":
        response = account.client.post("/__sim__/contacts/by-email/bob@example.com/unsubscribe")
        assert response.status_code == 200 and response.json()["status"] == "OPTOUT"
    else:
        assert account.call("DELETE", f"/v2/contacts/{created['id']}").status_code == 204
    return account.get(str(created["id"]))


def test_the_owner_may_not_add_an_opted_out_contact_to_a_list(account: Account) -> None:
    for by in ("visitor", "owner"):  # v2 makes no difference: only the contact can undo an OPTOUT
        account.store.reset()
        account.store.add_list("Newsletter", list_id=account.newsletter)
        bob = _opted_out(account, by)
        before = account.store.get_contact(str(bob["id"]))
        response = account.put(str(bob["id"]), body_of(bob, lists=[{"id": account.newsletter}]))
        assert response.status_code == 400
        assert "only the contact's own action" in response.json()[0]["error_message"]
        assert account.store.get_contact(str(bob["id"])) == before
        (entry,) = account.client.get("/__sim__/illegal").json()
        assert entry["action_by"] == "ACTION_BY_OWNER" and entry["opted_out_by"] == by
        assert entry["lists_added"] == [account.newsletter]


def test_the_owner_may_still_edit_an_opted_out_contacts_details(account: Account) -> None:
    bob = _opted_out(account)
    response = account.put(str(bob["id"]), body_of(bob, last_name="Stone"))
    assert response.status_code == 200
    assert response.json()["status"] == "OPTOUT" and response.json()["last_name"] == "Stone"
    assert account.client.get("/__sim__/illegal").json() == []


def test_the_contacts_own_action_opts_them_back_in_and_is_logged(account: Account) -> None:
    bob = _opted_out(account)
    account.clock.advance(60)
    body = body_of(bob, lists=[{"id": account.customers}])
    response = account.put(str(bob["id"]), body, action_by="ACTION_BY_VISITOR")
    assert response.status_code == 200
    back = response.json()
    assert back["status"] == "ACTIVE" and back["lists"] == [{"id": account.customers, "status": "ACTIVE"}]
    email = back["email_addresses"][0]
    assert email["opt_in_source"] == "ACTION_BY_VISITOR"
    assert email["opt_in_date"] == "2026-07-01T12:01:00.000Z"
    (entry,) = account.client.get("/__sim__/consent").json()
    assert entry["event"] == "put_by_visitor" and entry["previous_status"] == "OPTOUT"
    assert entry["lists_added"] == [account.customers]
    assert account.store.get_contact(str(bob["id"])).get("_opt_out_by") is None  # type: ignore[union-attr]


def test_a_visitor_opt_in_needs_at_least_one_list(account: Account) -> None:
    bob = _opted_out(account)
    response = account.put(str(bob["id"]), body_of(bob), action_by="ACTION_BY_VISITOR")
    assert response.status_code == 400 and response.json()[0]["error_key"] == "json.min.items.violation"


def test_the_contact_editing_their_details_changes_only_what_they_give(account: Account) -> None:
    created = account.create("c@example.com", [account.newsletter], first_name="C", job_title="Eng")
    edit = "/__sim__/contacts/by-email/{}/edit"
    response = account.client.post(edit.format("c@example.com"), json={"first_name": "Cee"})
    edited = response.json()
    assert edited["first_name"] == "Cee" and edited["job_title"] == "Eng"
    assert edited["lists"] == created["lists"] and edited["modified_date"] > created["modified_date"]
    assert account.client.post(edit.format("nobody@example.com"), json={}).status_code == 404


def test_unsubscribing_an_owner_opt_out_records_it_as_the_contacts(account: Account) -> None:
    bob = _opted_out(account, by="owner")
    account.client.post(f"/__sim__/contacts/{bob['id']}/unsubscribe")
    assert account.store.get_contact(str(bob["id"]))["_opt_out_by"] == "visitor"  # type: ignore[index]
