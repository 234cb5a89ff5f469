"""Do Not Mail on the v1 simulator: only the contact's own action (OptInSource
ACTION_BY_CONTACT) takes a contact off it; the account's attempt is refused and logged as
illegal. Plus the contact's own actions through the admin API."""

from __future__ import annotations

from sim import ctct_v1_support
from sim.ctct_v1_support import ROOT, Account, list_ids, list_uri, set_lists, set_value, value

account, clock = ctct_v1_support.account, ctct_v1_support.clock  # the fixtures these tests use


def _opted_out(account: Account, email: str = "bob@example.com") -> int:
    cid = account.create(email, [account.newsletter])
    response = account.client.post(f"/__sim__/contacts/by-email/{email}/unsubscribe", json={"reason": "spam"})
    assert response.status_code == 200 and response.json()["Status"] == "Do Not Mail"
    return cid


def test_the_contacts_own_unsubscribe_puts_them_on_do_not_mail(account: Account) -> None:
    cid = _opted_out(account)
    entry = account.get(cid)
    assert value(entry, "OptOutSource") == "ACTION_BY_CONTACT" and value(entry, "OptOutReason") == "spam"
    assert list_ids(entry) == []


def test_account_re_opt_in_of_a_do_not_mail_contact_is_400_and_logged_illegal(account: Account) -> None:
    cid = _opted_out(account)
    entry = account.get(cid)
    set_lists(entry, [account.newsletter], source="ACTION_BY_CUSTOMER")
    response = account.put(cid, entry)
    assert response.status_code == 400 and "Do Not Mail" in response.text
    illegal = account.client.get("/__sim__/illegal").json()
    assert [(i["email"], i["opt_in_source"], i["lists_added"]) for i in illegal] == [
        ("bob@example.com", "ACTION_BY_CUSTOMER", [account.newsletter])
    ]
    assert value(account.get(cid), "Status") == "Do Not Mail"


def test_an_account_side_opt_out_is_just_as_final_for_the_account(account: Account) -> None:
    cid = account.create("dee@example.com")
    account.client.delete(f"{ROOT}/contacts/{cid}")
    entry = account.get(cid)
    set_lists(entry, [account.customers])
    assert account.put(cid, entry).status_code == 400
    assert len(account.client.get("/__sim__/illegal").json()) == 1


def test_action_by_contact_opts_them_back_in_and_is_logged_as_consent(account: Account) -> None:
    cid = _opted_out(account)
    entry = account.get(cid)
    set_lists(entry, [account.customers], source="ACTION_BY_CONTACT")
    assert account.put(cid, entry).status_code == 204
    after = account.get(cid)
    assert value(after, "Status") == "Active" and value(after, "OptInSource") == "ACTION_BY_CONTACT"
    assert value(after, "OptOutTime") is None
    assert list_ids(after) == [list_uri(account.customers)]
    consent = account.client.get("/__sim__/consent").json()
    assert [(c["event"], c["previous_status"]) for c in consent] == [("put_by_contact", "Do Not Mail")]
    assert account.client.get("/__sim__/illegal").json() == []


def test_a_do_not_mail_contacts_details_may_still_be_edited(account: Account) -> None:
    cid = _opted_out(account)
    entry = account.get(cid)
    set_value(entry, "FirstName", "Robert")
    assert account.put(cid, entry).status_code == 204
    after = account.get(cid)
    assert value(after, "FirstName") == "Robert" and value(after, "Status") == "Do Not Mail"


def test_the_contact_signing_up_again_takes_them_off_do_not_mail(account: Account) -> None:
    cid = _opted_out(account)
    response = account.client.post(f"/__sim__/contacts/{cid}/confirm", json={"lists": ["Customers"]})
    assert response.status_code == 200
    after = account.get(cid)
    assert value(after, "Status") == "Active" and list_ids(after) == [list_uri(account.customers)]
    assert account.client.get("/__sim__/consent").json()[0]["event"] == "sign_up"
    assert (
        account.client.post(f"/__sim__/contacts/{cid}/confirm", json={"lists": ["Nope"]}).status_code == 400
    )


def test_the_contact_editing_their_details_changes_only_those(account: Account) -> None:
    cid = account.create("jo@example.com", FirstName="Jo", LastName="Doe")
    response = account.client.post(
        "/__sim__/contacts/by-email/jo@example.com/edit", json={"FirstName": "Joanna"}
    )
    assert response.status_code == 200
    after = account.get(cid)
    assert value(after, "FirstName") == "Joanna" and value(after, "LastName") == "Doe"
    assert account.client.post(f"/__sim__/contacts/{cid}/edit", json={"Status": "Active"}).status_code == 400
    assert account.client.post("/__sim__/contacts/by-email/nobody@x.org/edit", json={}).status_code == 404
