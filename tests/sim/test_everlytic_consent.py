"""Per-list subscriptions and the consent rule (everlytic §4.3, §4.5): statuses merge, both
empty removes, and an account may not undo an opt-out the contact made themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.everlytic_support import Account, open_account


@pytest.fixture
def account() -> Iterator[Account]:
    acct = open_account()
    with acct.rest, acct.rpc_client:
        yield acct


def _post(account: Account, list_id: int, **body: object) -> tuple[int, object]:
    response = account.rest.post(f"/api/2.0/list_subscriptions/{list_id}", json={"list_id": list_id, **body})
    return response.status_code, response.json()


def test_subscribing_answers_a_boolean_and_merges_statuses(account: Account) -> None:
    assert _post(account, account.customers, contact_id=account.jane, email_status="subscribed") == (
        200,
        {"boolean": True},
    )
    sub = account.subscription(account.customers, account.jane)
    assert sub is not None and sub["email_status"] == "subscribed" and sub["mobile_status"] == ""
    assert sub["date_opt_in"] > 0
    # Only the email status is given: the SMS subscription on Partners is kept.
    assert _post(account, account.partners, contact_id=account.jane, email_status="")[0] == 200
    kept = account.subscription(account.partners, account.jane)
    assert kept is not None and kept["email_status"] == "" and kept["mobile_status"] == "subscribed"


def test_both_statuses_empty_removes_the_subscription(account: Account) -> None:
    assert (
        _post(account, account.newsletter, contact_id=account.jane, email_status="", mobile_status="")[0]
        == 200
    )
    assert account.subscription(account.newsletter, account.jane) is None


def test_bad_subscription_bodies_are_refused(account: Account) -> None:
    assert _post(account, account.newsletter, contact_id=account.jane)[0] == 400  # no status
    assert _post(account, account.newsletter, contact_id=account.jane, email_status="active")[0] == 400
    assert _post(account, account.newsletter, contact_id=999, email_status="subscribed")[0] == 404
    assert _post(account, account.newsletter, contact_id=account.jane, email_status="", extra=1)[0] == 400
    mismatch = account.rest.post(
        f"/api/2.0/list_subscriptions/{account.newsletter}",
        json={"list_id": account.customers, "contact_id": account.jane, "email_status": "subscribed"},
    )
    assert mismatch.status_code == 400
    assert account.rest.post("/api/2.0/list_subscriptions/999", json={"contact_id": 1}).status_code == 404


def test_resubscribing_a_contact_who_unsubscribed_themselves_is_refused_and_logged(account: Account) -> None:
    for status in ("subscribed", "confirmed", "unconfirmed", "forwarded"):
        code, body = _post(account, account.newsletter, contact_id=account.bob, email_status=status)
        assert code == 400 and "only the contact can opt back in" in str(body)
    code, _ = _post(account, account.newsletter, contact_id=account.bob, email_status="", mobile_status="")
    assert code == 400  # erasing their opt-out record is refused too
    sub = account.subscription(account.newsletter, account.bob)
    assert sub is not None and sub["email_status"] == "unsubscribed"
    illegal = account.rest.get("/__sim__/illegal").json()
    assert len(illegal) == 5 and {e["email"] for e in illegal} == {"bob@example.com"}
    # Another list is another subscription: the account may add them there.
    assert _post(account, account.customers, contact_id=account.bob, email_status="subscribed")[0] == 200


def test_the_account_may_undo_its_own_unsubscribe(account: Account) -> None:
    assert _post(account, account.newsletter, contact_id=account.jane, email_status="unsubscribed")[0] == 200
    sub = account.subscription(account.newsletter, account.jane)
    assert sub is not None and sub["email_unsubscribed_date"] > 0
    assert _post(account, account.newsletter, contact_id=account.jane, email_status="subscribed")[0] == 200
    assert account.rest.get("/__sim__/illegal").json() == []


def test_status_switched_off_by_the_contact_cannot_be_switched_on_by_the_account(account: Account) -> None:
    off = account.store.add_contact({"email": "off@example.com", "status": "suppressed"})
    response = account.rest.put(f"/api/2.0/contacts/{off}", json={"status": "on"})
    assert response.status_code == 400
    assert _post(account, account.customers, contact_id=off, email_status="subscribed")[0] == 400
    # Switched off by the account: it may switch them back on.
    assert account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"status": "off"}).status_code == 200
    assert account.rest.put(f"/api/2.0/contacts/{account.jane}", json={"status": "on"}).status_code == 200
    assert len(account.rest.get("/__sim__/illegal").json()) == 2


def test_an_upsert_cannot_resubscribe_either_and_leaves_no_trace(account: Account) -> None:
    body = {
        "email": "bob@example.com",
        "name": "Robert",
        "on_duplicate": "update",
        "list_id": {str(account.newsletter): "subscribed"},
    }
    assert account.rest.post("/api/2.0/contacts", json=body).status_code == 400
    assert account.store.contact(account.bob)["name"] == "Bob"  # type: ignore[index]


def test_the_contact_unsubscribes_and_confirms_through_the_admin_api(account: Account) -> None:
    by_email = "/__sim__/contacts/by-email/jane@example.com"
    one = account.rest.post(f"{by_email}/unsubscribe", json={"list": "Partners", "reason": "spam"})
    assert one.status_code == 200
    partners = account.subscription(account.partners, account.jane)
    assert partners is not None and partners["email_status"] == "unsubscribed"
    assert partners["email_unsubscribed_reason"] == "spam"
    newsletter = account.subscription(account.newsletter, account.jane)
    assert newsletter is not None and newsletter["email_status"] == "subscribed"
    assert account.rest.post(f"{by_email}/unsubscribe").status_code == 200
    assert _post(account, account.newsletter, contact_id=account.jane, email_status="subscribed")[0] == 400
    assert account.rest.post(f"{by_email}/confirm").status_code == 200
    assert account.subscription(account.newsletter, account.jane)["email_status"] == "confirmed"  # type: ignore[index]
    assert len(account.rest.get("/__sim__/consent").json()) == 1


def test_a_contact_on_no_list_who_unsubscribes_is_suppressed(account: Account) -> None:
    lone = account.store.add_contact({"email": "lone@example.com"})
    assert account.rest.post("/__sim__/contacts/by-email/lone@example.com/unsubscribe").status_code == 200
    assert account.store.contact(lone)["status"] == "suppressed"  # type: ignore[index]
    assert account.rest.put(f"/api/2.0/contacts/{lone}", json={"status": "on"}).status_code == 400


def test_the_contact_edits_their_own_profile_but_not_status_or_email(account: Account) -> None:
    edit = "/__sim__/contacts/by-email/jane@example.com/edit"
    assert account.rest.post(edit, json={"city": "Leeds"}).json()["city"] == "Leeds"
    assert account.rest.post(edit, json={"status": "off"}).status_code == 400
    assert account.rest.post(edit, json={"score": 1}).status_code == 400
    assert (
        account.rest.post(
            "/__sim__/contacts/by-email/nobody@example.com/edit", json={"city": "X"}
        ).status_code
        == 404
    )
