"""POST/PUT/DELETE /v3/contacts: validation limits, defaults, full-replace PUT semantics,
conflicts, soft delete and revival."""

from __future__ import annotations

from typing import Any

import pytest

from sim.conftest import Account, FakeClock

ALL = "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"


def _errors(response: Any) -> list[dict[str, str]]:
    body: list[dict[str, str]] = response.json()
    return body


def _put_body(email: str, **fields: Any) -> dict[str, Any]:
    return {
        "email_address": {"address": email, "permission_to_send": "implicit"},
        "update_source": "Account",
        **fields,
    }


def test_post_returns_201_with_the_full_contact_and_account_sources(account: Account) -> None:
    created = account.create("ann@example.com", first_name="Ann", list_memberships=[account.newsletter])
    assert created["first_name"] == "Ann"
    assert created["create_source"] == created["update_source"] == "Account"
    email = created["email_address"]
    assert email["opt_in_source"] == "Account" and email["confirm_status"] == "off"
    assert set(created) >= {"custom_fields", "phone_numbers", "street_addresses", "list_memberships"}
    assert created["created_at"] == created["updated_at"] == "2026-07-01T12:00:00Z"


def test_post_without_permission_is_implicit_with_lists_and_not_set_without(account: Account) -> None:
    with_lists = account.create("a@example.com", list_memberships=[account.newsletter])["email_address"]
    without = account.create("b@example.com")["email_address"]
    assert with_lists["permission_to_send"] == "implicit"
    assert with_lists["opt_in_date"] == "2026-07-01T12:00:00Z"
    assert without["permission_to_send"] == "not_set"
    assert "opt_in_date" not in without


def test_post_requires_create_source_and_email_address(account: Account) -> None:
    missing_source = account.client.post("/v3/contacts", json={"email_address": {"address": "a@example.com"}})
    missing_email = account.client.post("/v3/contacts", json={"first_name": "A", "create_source": "Account"})
    assert missing_source.status_code == missing_email.status_code == 400
    assert "create_source" in _errors(missing_source)[0]["error_message"]
    assert "email_address" in _errors(missing_email)[0]["error_message"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"first_name": "x" * 51}, "first_name"),
        ({"company_name": "x" * 51}, "company_name"),
        ({"email_address": {"address": "a" * 70 + "@example.com"}}, "email_address.address"),
        ({"email_address": {"address": "not-an-email"}}, "email_address.address"),
        (
            {"email_address": {"address": "a@example.com", "permission_to_send": "maybe"}},
            "permission_to_send",
        ),
        ({"phone_numbers": [{"phone_number": "1", "kind": "work"}] * 4}, "phone_numbers"),
        ({"phone_numbers": [{"phone_number": "1" * 26, "kind": "work"}]}, "phone_number"),
        ({"phone_numbers": [{"phone_number": "1", "kind": "pager"}]}, "kind"),
        ({"street_addresses": [{"street": "1 Main St"}]}, "street_addresses[0].kind"),
        ({"street_addresses": [{"kind": "home", "city": "x" * 51}]}, "city"),
        ({"street_addresses": [{"kind": "home"}] * 4}, "street_addresses"),
        (
            {"custom_fields": [{"custom_field_id": "00000000-0000-4000-8000-000000000000", "value": "x"}]},
            "custom_field_id",
        ),
        ({"list_memberships": ["00000000-0000-4000-8000-000000000000"]}, "list_memberships"),
        ({"birthday_month": 4}, "birthday"),
        ({"birthday_month": 13, "birthday_day": 1}, "birthday_month"),
        ({"birthday_month": 1, "birthday_day": 32}, "birthday_day"),
        ({"anniversary": "June 1st"}, "anniversary"),
        ({"anniversary": "2019-06-01-01"}, "anniversary"),
        ({"notes": [{"content": "x" * 2001}]}, "notes[0].content"),
    ],
)
def test_post_validation_errors_are_400_naming_the_field(
    account: Account, fields: dict[str, Any], named: str
) -> None:
    body: dict[str, Any] = {
        "email_address": {"address": "a@example.com"},
        "create_source": "Account",
        **fields,
    }
    response = account.client.post("/v3/contacts", json=body)
    assert response.status_code == 400
    (error,) = _errors(response)
    assert error["error_key"] == "contacts.api.validation.error"
    assert named in error["error_message"]


def test_post_custom_field_value_over_255_and_more_than_25_values_are_refused(account: Account) -> None:
    long_value = [{"custom_field_id": account.tier, "value": "x" * 256}]
    body = {
        "email_address": {"address": "a@example.com"},
        "create_source": "Account",
        "custom_fields": long_value,
    }
    assert account.client.post("/v3/contacts", json=body).status_code == 400
    fields = [account.store.add_custom_field(f"F{i}") for i in range(26)]
    body["custom_fields"] = [{"custom_field_id": f, "value": "v"} for f in fields]
    assert "at most 25" in _errors(account.client.post("/v3/contacts", json=body))[0]["error_message"]


def test_post_accepts_the_documented_anniversary_spellings_and_returns_iso(account: Account) -> None:
    for i, spelling in enumerate(
        [
            "06/01/2019",
            "6/1/2019",
            "2019/06/01",
            "2019/6/1",
            "2019-06-01",
            "2019-6-1",
            "6-1-2019",
            "6-01-2019",
        ]
    ):
        created = account.create(f"a{i}@example.com", anniversary=spelling)
        assert created["anniversary"] == "2019-06-01", spelling


def test_post_duplicate_email_is_409_naming_the_existing_contact_even_when_deleted(account: Account) -> None:
    existing = account.create("dup@example.com")["contact_id"]
    account.client.delete(f"/v3/contacts/{existing}")
    body = {"email_address": {"address": "DUP@example.com"}, "create_source": "Account"}
    response = account.client.post("/v3/contacts", json=body)
    assert response.status_code == 409
    assert response.json() == [
        {
            "error_key": "contacts.api.conflict",
            "error_message": f"Email already exists for contact {existing}",
        }
    ]


def test_put_nulls_omitted_core_fields_but_keeps_omitted_subresources(account: Account) -> None:
    created = account.create(
        "ann@example.com",
        first_name="Ann",
        last_name="Lee",
        job_title="CTO",
        birthday_month=4,
        birthday_day=12,
        anniversary="2019-06-01",
        list_memberships=[account.newsletter],
        custom_fields=[{"custom_field_id": account.tier, "value": "gold"}],
        phone_numbers=[{"phone_number": "+1-555-0100", "kind": "work"}],
        street_addresses=[{"kind": "home", "city": "Boston"}],
    )
    response = account.put(created["contact_id"], _put_body("ann@example.com", first_name="Annie"))
    assert response.status_code == 200
    got = account.client.get(f"/v3/contacts/{created['contact_id']}", params={"include": ALL}).json()
    assert got["first_name"] == "Annie"
    for nulled in ("last_name", "job_title", "birthday_month", "birthday_day", "anniversary"):
        assert nulled not in got
    assert got["list_memberships"] == [account.newsletter]
    assert got["custom_fields"] == created["custom_fields"]
    assert got["phone_numbers"] == created["phone_numbers"]
    assert got["street_addresses"] == created["street_addresses"]


def test_put_blank_string_nulls_the_field(account: Account) -> None:
    contact_id = account.create("ann@example.com", first_name="Ann")["contact_id"]
    got = account.put(contact_id, _put_body("ann@example.com", first_name="  ")).json()
    assert "first_name" not in got


def test_put_included_subresources_replace_the_whole_set(account: Account) -> None:
    created = account.create(
        "ann@example.com",
        list_memberships=[account.newsletter],
        custom_fields=[{"custom_field_id": account.tier, "value": "gold"}],
        phone_numbers=[{"phone_number": "1", "kind": "work"}, {"phone_number": "2", "kind": "home"}],
    )
    body = _put_body(
        "ann@example.com",
        list_memberships=[account.customers],
        custom_fields=[{"custom_field_id": account.region, "value": "EMEA"}],
        phone_numbers=[{"phone_number": "2", "kind": "home"}],
    )
    got = account.put(created["contact_id"], body).json()
    assert got["list_memberships"] == [account.customers]
    assert got["custom_fields"] == [{"custom_field_id": account.region, "value": "EMEA"}]
    assert [p["phone_number"] for p in got["phone_numbers"]] == ["2"]
    # An unchanged phone number keeps its id.
    assert got["phone_numbers"][0]["phone_number_id"] == created["phone_numbers"][1]["phone_number_id"]


def test_put_empty_list_memberships_removes_every_list(account: Account) -> None:
    contact_id = account.create("ann@example.com", list_memberships=[account.newsletter])["contact_id"]
    assert (
        account.put(contact_id, _put_body("ann@example.com", list_memberships=[])).json()["list_memberships"]
        == []
    )


def test_put_omitting_permission_nulls_it_to_not_set(account: Account) -> None:
    contact_id = account.create("ann@example.com", list_memberships=[account.newsletter])["contact_id"]
    body = {"email_address": {"address": "ann@example.com"}, "update_source": "Account"}
    assert account.put(contact_id, body).json()["email_address"]["permission_to_send"] == "not_set"


def test_put_requires_update_source_and_email_address(account: Account) -> None:
    contact_id = account.create("ann@example.com")["contact_id"]
    no_source = account.put(contact_id, {"email_address": {"address": "ann@example.com"}})
    no_email = account.put(contact_id, {"first_name": "A", "update_source": "Account"})
    assert no_source.status_code == no_email.status_code == 400
    assert "update_source" in _errors(no_source)[0]["error_message"]


def test_put_ignores_read_only_fields_in_the_body(account: Account) -> None:
    created = account.create("ann@example.com")
    body = dict(created, update_source="Account", first_name="Ann")
    body["created_at"] = "1999-01-01T00:00:00Z"
    body["email_address"] = dict(created["email_address"], opt_in_date="1999-01-01T00:00:00Z")
    response = account.put(created["contact_id"], body)
    assert response.status_code == 200
    assert response.json()["created_at"] == created["created_at"]


def test_put_changes_updated_at_on_every_successful_write(account: Account, clock: FakeClock) -> None:
    created = account.create("ann@example.com")
    first = account.put(created["contact_id"], _put_body("ann@example.com")).json()["updated_at"]
    second = account.put(created["contact_id"], _put_body("ann@example.com")).json()["updated_at"]
    assert created["updated_at"] < first < second  # even within one second of the clock


def test_put_changing_the_address_to_another_contacts_email_is_409(account: Account) -> None:
    account.create("taken@example.com")
    mine = account.create("mine@example.com")["contact_id"]
    response = account.put(mine, _put_body("Taken@example.com"))
    assert response.status_code == 409
    assert response.json()[0]["error_key"] == "contacts.api.conflict"
    assert (
        account.put(mine, _put_body("fresh@example.com")).json()["email_address"]["address"]
        == "fresh@example.com"
    )
    assert account.client.get("/v3/contacts", params={"email": "fresh@example.com"}).json()["contacts"]


def test_put_unknown_contact_is_404(account: Account) -> None:
    response = account.put("00000000-0000-4000-8000-000000000000", _put_body("a@example.com"))
    assert response.status_code == 404


def test_delete_is_204_and_a_second_delete_is_404(account: Account) -> None:
    contact_id = account.create("ann@example.com")["contact_id"]
    assert account.client.delete(f"/v3/contacts/{contact_id}").status_code == 204
    assert account.client.delete(f"/v3/contacts/{contact_id}").status_code == 404
    assert account.client.delete("/v3/contacts/00000000-0000-4000-8000-000000000000").status_code == 404


def test_put_on_a_deleted_contact_revives_it_with_the_sent_lists(account: Account) -> None:
    contact_id = account.create("ann@example.com", list_memberships=[account.newsletter])["contact_id"]
    account.client.delete(f"/v3/contacts/{contact_id}")
    revived = account.put(
        contact_id, _put_body("ann@example.com", list_memberships=[account.customers])
    ).json()
    assert "deleted_at" not in revived
    assert revived["list_memberships"] == [account.customers]
    listed = account.client.get("/v3/contacts").json()["contacts"]
    assert [c["contact_id"] for c in listed] == [contact_id]


def test_account_unsubscribe_by_put_records_account_opt_out_and_clears_lists(account: Account) -> None:
    contact_id = account.create("ann@example.com", list_memberships=[account.newsletter])["contact_id"]
    body = {
        "email_address": {
            "address": "ann@example.com",
            "permission_to_send": "unsubscribed",
            "opt_out_reason": "asked by phone",
        },
        "update_source": "Account",
    }
    got = account.put(contact_id, body).json()
    email = got["email_address"]
    assert email["permission_to_send"] == "unsubscribed"
    assert email["opt_out_source"] == "Account"
    assert email["opt_out_date"] == "2026-07-01T12:00:00Z"
    assert email["opt_out_reason"] == "asked by phone"
    assert got["list_memberships"] == []
