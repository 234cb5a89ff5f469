"""Contact writes: create (one email, 409 for any existing address), the full-replace PUT
(omitted = null, lists decide ACTIVE/REMOVED), the validation v2 documents, and DELETE = OPTOUT."""

from __future__ import annotations

from typing import Any

import pytest

from sim.ctct_v2_support import Account, account_fixture, body_of  # noqa: F401


def test_create_answers_201_with_a_numeric_id_and_the_v2_shape(account: Account) -> None:
    created = account.create("rm@example.com", [account.newsletter], first_name="Ronald")
    assert created["id"].isdigit() and created["status"] == "ACTIVE"
    email = created["email_addresses"][0]
    assert email["email_address"] == "rm@example.com" and email["status"] == "ACTIVE"
    assert email["opt_in_source"] == "ACTION_BY_OWNER" and email["opt_in_date"] == "2026-07-01T12:00:00.000Z"
    assert created["lists"] == [{"id": account.newsletter, "status": "ACTIVE"}]
    assert created["created_date"] == created["modified_date"] == "2026-07-01T12:00:00.000Z"
    assert not [k for k in created if k.startswith("_")]
    assert account.get(created["id"]) == created


def test_a_contact_created_on_no_list_is_removed(account: Account) -> None:
    assert account.create("nolist@example.com")["status"] == "REMOVED"


@pytest.mark.parametrize("state", ["active", "removed", "optout"])
def test_create_with_an_existing_address_is_409_whatever_its_status(account: Account, state: str) -> None:
    created = account.create("dup@example.com", [account.newsletter] if state == "active" else [])
    if state == "optout":
        account.call("DELETE", f"/v2/contacts/{created['id']}")
    body = {"email_addresses": [{"email_address": "DUP@example.com"}]}
    again = account.call("POST", "/v2/contacts", json=body)
    assert again.status_code == 409 and again.json()[0]["error_key"] == "http.status.conflict"


def test_two_email_addresses_are_refused_with_the_documented_message(account: Account) -> None:
    body = {"email_addresses": [{"email_address": "a@example.com"}, {"email_address": "b@example.com"}]}
    response = account.call("POST", "/v2/contacts", json=body)
    assert response.status_code == 400
    assert response.json() == [{
        "error_key": "json.max.items.violation",
        "error_message": (
            "#/email_addresses: 2 items were contained, but the maximum number of items allowed is 1."
        ),
    }]


def test_writing_back_action_by_system_is_refused(account: Account) -> None:
    body = {"email_addresses": [{"email_address": "a@example.com", "opt_in_source": "ACTION_BY_SYSTEM"}]}
    (error,) = account.call("POST", "/v2/contacts", json=body).json()
    assert error["error_message"].startswith("#/email_addresses/0/opt_in_source: Instance value does not")
    assert "ACTION_BY_VISITOR, ACTION_BY_OWNER" in error["error_message"]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"lists": [{"id": "999"}]}, "json.field.lists.id.invalid"),
        ({"custom_fields": [{"name": "Tier", "value": "gold"}]}, "json.field.custom_fields.name.invalid"),
        ({"custom_fields": [{"name": f"CustomField{i}", "value": "x"} for i in range(1, 17)]},
         "json.max.items.violation"),
        ({"company_name": "x" * 51}, "json.max.length.violation"),
        ({"first_name": 7}, "json.type.invalid"),
        ({"addresses": [{"address_type": "PERSONAL", "country_code": "USA"}]},
         "json.field.country_code.invalid"),
        ({"email_addresses": []}, "json.min.items.violation"),
        ({"email_addresses": [{"email_address": "not-an-email"}]}, "json.field.email_address.invalid"),
    ],
)
def test_invalid_bodies_are_400_naming_the_field(account: Account, changes: dict[str, Any], key: str) -> None:
    body = {"email_addresses": [{"email_address": "a@example.com"}], **changes}
    response = account.call("POST", "/v2/contacts", json=body)
    assert response.status_code == 400 and response.json()[0]["error_key"] == key
    assert account.call("GET", "/v2/contacts").json()["results"] == []


def test_action_by_must_be_owner_or_visitor(account: Account) -> None:
    body = {"email_addresses": [{"email_address": "a@example.com"}]}
    response = account.call("POST", "/v2/contacts", params={"action_by": "ACTION_BY_SYSTEM"}, json=body)
    assert response.status_code == 400 and response.json()[0]["error_key"] == "query.param.action_by.invalid"


def test_put_replaces_every_property_and_nulls_what_it_omits(account: Account) -> None:
    created = account.create(
        "jane@example.com", [account.newsletter], first_name="Jane", job_title="VP", fax="555",
        custom_fields=[{"name": "CustomField1", "value": "silver"}],
        notes=[{"note": "met at expo"}],
    )
    account.clock.advance(5)
    body = body_of(created, job_title="CTO")
    del body["fax"], body["custom_fields"]
    updated = account.put(created["id"], body).json()
    assert updated["job_title"] == "CTO" and updated["first_name"] == "Jane"
    assert "fax" not in updated and updated["custom_fields"] == []
    assert updated["notes"] == created["notes"]  # sent back with its id: same note, same date
    assert updated["modified_date"] == "2026-07-01T12:00:05.000Z"
    assert updated["created_date"] == created["created_date"]


def test_empty_lists_make_a_contact_removed_and_lists_bring_it_back(account: Account) -> None:
    created = account.create("carol@example.com", [account.newsletter], first_name="Carol")
    removed = account.put(created["id"], body_of(created, lists=[])).json()
    assert removed["status"] == "REMOVED" and removed["email_addresses"][0]["status"] == "REMOVED"
    edited = account.put(created["id"], body_of(removed, first_name="Caroline")).json()
    assert edited["status"] == "REMOVED" and edited["first_name"] == "Caroline"  # still editable
    revived = account.put(created["id"], body_of(edited, lists=[{"id": account.customers}])).json()
    assert revived["status"] == "ACTIVE"
    assert revived["lists"] == [{"id": account.customers, "status": "ACTIVE"}]


def test_addresses_beyond_one_personal_and_one_business_are_ignored(account: Account) -> None:
    addresses = [
        {"address_type": "PERSONAL", "line1": "1 Home Rd", "country_code": "US"},
        {"address_type": "PERSONAL", "line1": "2 Second Home"},
        {"address_type": "BUSINESS", "line1": "3 Work St", "state_code": "MA"},
        {"address_type": "OTHER", "line1": "4 Elsewhere"},
    ]
    created = account.create("a@example.com", [account.newsletter], addresses=addresses)
    assert [(a["address_type"], a["line1"]) for a in created["addresses"]] == [
        ("PERSONAL", "1 Home Rd"), ("BUSINESS", "3 Work St"),
    ]
    assert created["addresses"][0]["country_code"] == "us"  # v2 answers in lower case


def test_put_to_an_unknown_contact_is_404_and_an_email_change_may_not_collide(account: Account) -> None:
    missing = account.call("GET", "/v2/contacts/424242")
    assert missing.status_code == 404
    assert missing.json()[0]["error_message"] == "No persons found using 'contact ids (424242)'"
    a = account.create("a@example.com", [account.newsletter])
    account.create("b@example.com", [account.newsletter])
    body = body_of(a, email_addresses=[{"email_address": "b@example.com"}])
    assert account.put(a["id"], body).status_code == 409


def test_delete_opts_the_contact_out_and_refuses_action_by(account: Account) -> None:
    created = account.create("bob@example.com", [account.newsletter])
    refused = account.call("DELETE", f"/v2/contacts/{created['id']}", params={"action_by": "ACTION_BY_OWNER"})
    assert refused.status_code == 400
    assert refused.json()[0]["error_key"] == "query.param.action_by.is_not_valid_for.delete"
    account.clock.advance(1)
    deleted = account.call("DELETE", f"/v2/contacts/{created['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    after = account.get(created["id"])
    assert after["status"] == "OPTOUT" and after["lists"] == []
    assert after["email_addresses"][0]["opt_out_date"] == "2026-07-01T12:00:01.000Z"
    assert account.store.get_contact(created["id"])["_opt_out_by"] == "owner"  # type: ignore[index]


def test_lists_are_one_unpaged_array_with_unique_names(account: Account) -> None:
    lists = account.call("GET", "/v2/lists").json()
    assert [(item["name"], item["status"], item["contact_count"]) for item in lists] == [
        ("Newsletter", "ACTIVE", 0), ("Customers", "ACTIVE", 0),
    ]
    created = account.call("POST", "/v2/lists", json={"name": "VIP", "status": "ACTIVE"})
    assert created.status_code == 201 and created.json()["name"] == "VIP"
    dup = account.call("POST", "/v2/lists", json={"name": "vip", "status": "ACTIVE"})
    assert dup.status_code == 409
    assert dup.json()[0]["error_message"] == "The contact list name provided is already in use."
    assert account.call("POST", "/v2/lists", json={"name": "NoStatus"}).status_code == 400


def test_deleting_a_list_leaves_its_only_members_removed(account: Account) -> None:
    created = account.create("a@example.com", [account.newsletter])
    assert account.call("DELETE", f"/v2/lists/{account.newsletter}").status_code == 204
    assert account.get(created["id"])["status"] == "REMOVED"
    assert account.call("GET", f"/v2/lists/{account.newsletter}").status_code == 404
