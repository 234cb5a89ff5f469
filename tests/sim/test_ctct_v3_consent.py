"""Consent: who may opt a contact back in (§1.6), sign_up_form, and the contact-side actions
the admin API plays out, with the illegal-opt-in and consent logs."""

from __future__ import annotations

from typing import Any

import pytest

from sim.conftest import Account


def _self_unsubscribed(account: Account, email: str = "bob@example.com") -> str:
    created = account.create(email, first_name="Bob", list_memberships=[account.newsletter])
    contact_id = str(created["contact_id"])
    response = account.client.post(
        f"/__sim__/contacts/{contact_id}/unsubscribe", json={"reason": "Too many emails"}
    )
    assert response.status_code == 200
    return contact_id


def _account_put(email: str, permission: str | None, **fields: Any) -> dict[str, Any]:
    address: dict[str, Any] = {"address": email}
    if permission is not None:
        address["permission_to_send"] = permission
    return {"email_address": address, "update_source": "Account", **fields}


def test_sim_unsubscribe_is_the_contacts_own_opt_out(account: Account) -> None:
    contact_id = _self_unsubscribed(account)
    got = account.client.get(f"/v3/contacts/{contact_id}?include=list_memberships").json()
    email = got["email_address"]
    assert email["permission_to_send"] == "unsubscribed"
    assert email["opt_out_source"] == "Contact"
    assert email["opt_out_reason"] == "Too many emails"
    assert email["opt_out_date"] == "2026-07-01T12:00:00Z"
    assert got["list_memberships"] == []
    assert got["update_source"] == "Contact"


def test_sim_unsubscribe_by_email_turns_an_account_opt_out_into_the_contacts(account: Account) -> None:
    contact_id = account.create("dave@example.com")["contact_id"]
    account.put(contact_id, _account_put("dave@example.com", "unsubscribed"))
    response = account.client.post("/__sim__/contacts/by-email/dave@example.com/unsubscribe")
    assert response.json()["email_address"]["opt_out_source"] == "Contact"


def test_account_put_re_adding_a_list_to_a_self_unsubscribed_contact_is_refused_and_logged(
    account: Account,
) -> None:
    contact_id = _self_unsubscribed(account)
    before = account.store.get_contact(contact_id)
    body = _account_put("bob@example.com", "unsubscribed", list_memberships=[account.newsletter])
    response = account.put(contact_id, body)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["error_key"] == "contacts.api.validation.error"
    assert "only the contact can opt back in" in error["error_message"]
    assert account.store.get_contact(contact_id) == before
    (logged,) = account.client.get("/__sim__/illegal").json()
    assert logged["contact_id"] == contact_id
    assert logged["lists_added"] == [account.newsletter]


@pytest.mark.parametrize("permission", ["explicit", "implicit", "pending_confirmation"])
def test_account_put_re_permissioning_a_self_unsubscribed_contact_is_refused(
    account: Account, permission: str
) -> None:
    contact_id = _self_unsubscribed(account)
    response = account.put(contact_id, _account_put("bob@example.com", permission))
    assert response.status_code == 400
    assert account.store.get_contact(contact_id)["email_address"]["permission_to_send"] == "unsubscribed"  # type: ignore[index]
    assert account.client.get("/__sim__/illegal").json()[0]["permission_to_send"] == permission


def test_account_put_omitting_permission_on_a_self_unsubscribed_contact_is_refused(account: Account) -> None:
    # Omitted means nulled (not_set), which would erase the contact's opt-out.
    contact_id = _self_unsubscribed(account)
    assert account.put(contact_id, _account_put("bob@example.com", None)).status_code == 400


def test_account_put_keeping_a_self_unsubscribed_contact_unsubscribed_may_edit_fields(
    account: Account,
) -> None:
    contact_id = _self_unsubscribed(account)
    response = account.put(contact_id, _account_put("bob@example.com", "unsubscribed", first_name="Robert"))
    assert response.status_code == 200
    email = response.json()["email_address"]
    assert response.json()["first_name"] == "Robert"
    assert email["opt_out_source"] == "Contact"  # an account write never rewrites who opted out
    assert email["opt_out_date"] == "2026-07-01T12:00:00Z"
    assert account.client.get("/__sim__/illegal").json() == []


def test_account_may_resubscribe_a_contact_the_account_unsubscribed(account: Account) -> None:
    contact_id = account.create("dave@example.com", list_memberships=[account.newsletter])["contact_id"]
    account.put(contact_id, _account_put("dave@example.com", "unsubscribed"))
    got = account.put(
        contact_id, _account_put("dave@example.com", "implicit", list_memberships=[account.newsletter])
    )
    assert got.status_code == 200
    email = got.json()["email_address"]
    assert email["permission_to_send"] == "implicit"
    assert not {"opt_out_source", "opt_out_date", "opt_out_reason"} & set(email)
    assert got.json()["list_memberships"] == [account.newsletter]


def test_account_re_adding_a_list_to_an_account_unsubscribed_contact_resubscribes_it(
    account: Account,
) -> None:
    contact_id = account.create("dave@example.com")["contact_id"]
    account.put(contact_id, _account_put("dave@example.com", "unsubscribed"))
    got = account.put(
        contact_id, _account_put("dave@example.com", "unsubscribed", list_memberships=[account.customers])
    )
    assert got.json()["email_address"]["permission_to_send"] == "implicit"
    assert got.json()["list_memberships"] == [account.customers]


def test_contact_sourced_put_may_opt_back_in_and_is_logged_as_consent(account: Account) -> None:
    contact_id = _self_unsubscribed(account)
    body = {
        "email_address": {"address": "bob@example.com", "permission_to_send": "explicit"},
        "update_source": "Contact",
        "list_memberships": [account.newsletter],
    }
    assert account.put(contact_id, body).status_code == 200
    (entry,) = account.client.get("/__sim__/consent").json()
    assert entry["event"] == "put_by_contact"
    assert entry["previous_opt_out_source"] == "Contact"


def test_sign_up_form_creates_an_explicit_contact_opted_in_by_the_contact(account: Account) -> None:
    body = {"email_address": "new@example.com", "list_memberships": [account.newsletter], "first_name": "New"}
    response = account.client.post("/v3/contacts/sign_up_form", json=body)
    assert response.status_code == 201
    assert response.json()["action"] == "created"
    got = account.store.get_contact(response.json()["contact_id"])
    assert got is not None
    assert got["email_address"]["permission_to_send"] == "explicit"
    assert got["email_address"]["opt_in_source"] == "Contact"
    assert got["create_source"] == "Contact"
    assert got["list_memberships"] == [account.newsletter]


def test_sign_up_form_updates_partially_and_appends_lists_and_custom_fields(account: Account) -> None:
    created = account.create(
        "ann@example.com",
        first_name="Ann",
        last_name="Lee",
        list_memberships=[account.newsletter],
        custom_fields=[{"custom_field_id": account.tier, "value": "gold"}],
    )
    body = {
        "email_address": "ANN@example.com",
        "list_memberships": [account.customers],
        "first_name": "Annie",
        "custom_fields": [{"custom_field_id": account.region, "value": "EMEA"}],
    }
    response = account.client.post("/v3/contacts/sign_up_form", json=body)
    assert response.status_code == 200
    assert response.json() == {"contact_id": created["contact_id"], "action": "updated"}
    got = account.store.get_contact(created["contact_id"])
    assert got is not None
    assert got["first_name"] == "Annie" and got["last_name"] == "Lee"
    assert got["list_memberships"] == [account.newsletter, account.customers]
    assert {cf["custom_field_id"] for cf in got["custom_fields"]} == {account.tier, account.region}
    assert got["email_address"]["permission_to_send"] == "explicit"


def test_sign_up_form_re_permissions_a_self_unsubscribed_contact_and_logs_it(account: Account) -> None:
    contact_id = _self_unsubscribed(account)
    body = {"email_address": "bob@example.com", "list_memberships": [account.newsletter]}
    assert account.client.post("/v3/contacts/sign_up_form", json=body).status_code == 200
    got = account.store.get_contact(contact_id)
    assert got is not None
    email = got["email_address"]
    assert email["permission_to_send"] == "explicit" and email["opt_in_source"] == "Contact"
    assert "opt_out_source" not in email and "opt_out_date" not in email
    (entry,) = account.client.get("/__sim__/consent").json()
    assert entry["event"] == "sign_up_form"
    assert entry["previous_permission"] == "unsubscribed"
    assert entry["previous_opt_out_source"] == "Contact"
    assert entry["lists_added"] == [account.newsletter]


def test_sign_up_form_revives_a_deleted_contact(account: Account) -> None:
    contact_id = account.create("ann@example.com", list_memberships=[account.newsletter])["contact_id"]
    account.client.delete(f"/v3/contacts/{contact_id}")
    body = {"email_address": "ann@example.com", "list_memberships": [account.customers]}
    account.client.post("/v3/contacts/sign_up_form", json=body)
    got = account.client.get(f"/v3/contacts/{contact_id}?include=list_memberships").json()
    assert "deleted_at" not in got
    assert got["list_memberships"] == [account.customers]


@pytest.mark.parametrize(
    "body",
    [
        {"email_address": "a@example.com"},
        {"email_address": "a@example.com", "list_memberships": []},
        {"email_address": {"address": "a@example.com"}, "list_memberships": ["x"]},
    ],
)
def test_sign_up_form_needs_a_string_email_and_at_least_one_list(
    account: Account, body: dict[str, Any]
) -> None:
    assert account.client.post("/v3/contacts/sign_up_form", json=body).status_code == 400


def test_sign_up_form_email_is_capped_at_50_characters(account: Account) -> None:
    body = {"email_address": "a" * 39 + "@example.com", "list_memberships": [account.newsletter]}
    response = account.client.post("/v3/contacts/sign_up_form", json=body)
    assert response.status_code == 400
    assert "email_address" in response.json()[0]["error_message"]
    body["email_address"] = "a" * 38 + "@example.com"
    assert account.client.post("/v3/contacts/sign_up_form", json=body).status_code == 201


def test_sim_confirm_turns_pending_confirmation_into_explicit_and_logs_it(account: Account) -> None:
    contact_id = account.create(
        "p@example.com",
        email_address={"address": "p@example.com", "permission_to_send": "pending_confirmation"},
    )["contact_id"]
    assert account.store.get_contact(contact_id)["email_address"]["confirm_status"] == "pending"  # type: ignore[index]
    confirmed = account.client.post(f"/__sim__/contacts/{contact_id}/confirm").json()["email_address"]
    assert confirmed["permission_to_send"] == "explicit"
    assert confirmed["confirm_status"] == "confirmed"
    assert account.client.get("/__sim__/consent").json()[0]["event"] == "confirm"


def test_sim_edit_changes_only_the_supplied_fields_as_the_contact(account: Account) -> None:
    contact_id = account.create("ann@example.com", first_name="Ann", last_name="Lee")["contact_id"]
    response = account.client.post(
        "/__sim__/contacts/by-email/ann@example.com/edit", json={"last_name": "Smith"}
    )
    got = response.json()
    assert got["first_name"] == "Ann" and got["last_name"] == "Smith"
    assert got["update_source"] == "Contact"
    assert got["updated_at"] > account.store.get_contact(contact_id)["created_at"]  # type: ignore[index]


def test_sim_actions_on_an_unknown_contact_are_404(account: Account) -> None:
    assert account.client.post("/__sim__/contacts/by-email/nobody@example.com/unsubscribe").status_code == 404
    assert (
        account.client.post("/__sim__/contacts/00000000-0000-4000-8000-000000000000/confirm").status_code
        == 404
    )
