"""GET /v3/contacts and /v3/contacts/{id}: response shapes, include=, filters and paging."""

from __future__ import annotations

import base64
import re
from typing import Any

from sim.conftest import Account, FakeClock

# Property names from the v3 OpenAPI schemas (ContactResource, EmailAddress, PhoneNumber,
# StreetAddress, ContactCustomField, PagingLinks).
CONTACT_PROPERTIES = {
    "contact_id",
    "email_address",
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
    "update_source",
    "create_source",
    "created_at",
    "updated_at",
    "deleted_at",
    "custom_fields",
    "phone_numbers",
    "street_addresses",
    "list_memberships",
    "taggings",
    "notes",
}
SUBRESOURCES = {"custom_fields", "phone_numbers", "street_addresses", "list_memberships", "taggings", "notes"}
EMAIL_PROPERTIES = {
    "address",
    "permission_to_send",
    "created_at",
    "updated_at",
    "opt_in_source",
    "opt_in_date",
    "opt_out_source",
    "opt_out_date",
    "opt_out_reason",
    "confirm_status",
}
PHONE_PROPERTIES = {
    "phone_number_id",
    "phone_number",
    "kind",
    "created_at",
    "updated_at",
    "update_source",
    "create_source",
}
STREET_PROPERTIES = {
    "street_address_id",
    "kind",
    "street",
    "city",
    "state",
    "postal_code",
    "country",
    "created_at",
    "updated_at",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ALL = "custom_fields,list_memberships,phone_numbers,street_addresses,taggings,notes"


def _full_contact(account: Account) -> dict[str, Any]:
    return account.create(
        "ann@example.com",
        first_name="Ann",
        last_name="Lee",
        job_title="CTO",
        company_name="Acme",
        birthday_month=4,
        birthday_day=12,
        anniversary="6/1/2019",
        list_memberships=[account.newsletter],
        custom_fields=[{"custom_field_id": account.tier, "value": "gold"}],
        phone_numbers=[{"phone_number": "+1-555-0100", "kind": "work"}],
        street_addresses=[{"kind": "home", "street": "1 Main St", "city": "Boston", "postal_code": "02108"}],
    )


def _seed(account: Account, n: int, **extra: Any) -> list[str]:
    return [
        account.store.add_contact({"email_address": {"address": f"u{i:05d}@example.com"}, **extra})
        for i in range(n)
    ]


def _walk(account: Account, first_url: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    pages = []
    response = account.client.get(first_url, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        href = body.get("_links", {}).get("next", {}).get("href")
        if not href:
            return pages
        response = account.client.get(href)


def test_contact_properties_names_and_types_match_the_v3_schema(account: Account) -> None:
    created = _full_contact(account)
    got = account.client.get(f"/v3/contacts/{created['contact_id']}", params={"include": ALL}).json()
    assert set(got) <= CONTACT_PROPERTIES
    assert set(got["email_address"]) <= EMAIL_PROPERTIES
    assert UUID.match(got["contact_id"])
    for stamp in (
        got["created_at"],
        got["updated_at"],
        got["email_address"]["created_at"],
        got["email_address"]["opt_in_date"],
    ):
        assert TIMESTAMP.match(stamp)
    assert got["birthday_month"] == 4 and got["birthday_day"] == 12
    assert got["anniversary"] == "2019-06-01"
    assert got["email_address"]["confirm_status"] == "off"
    assert set(got["phone_numbers"][0]) <= PHONE_PROPERTIES
    assert UUID.match(got["phone_numbers"][0]["phone_number_id"])
    assert set(got["street_addresses"][0]) <= STREET_PROPERTIES
    assert got["custom_fields"] == [{"custom_field_id": account.tier, "value": "gold"}]
    assert got["list_memberships"] == [account.newsletter]
    assert got["taggings"] == [] and got["notes"] == []
    assert "status" not in got  # internal bookkeeping never reaches the wire


def test_subresources_appear_only_when_included(account: Account) -> None:
    contact_id = _full_contact(account)["contact_id"]
    bare = account.client.get(f"/v3/contacts/{contact_id}").json()
    assert not SUBRESOURCES & set(bare)
    some = account.client.get(
        f"/v3/contacts/{contact_id}", params={"include": "custom_fields,phone_numbers"}
    ).json()
    assert SUBRESOURCES & set(some) == {"custom_fields", "phone_numbers"}
    listed = account.client.get("/v3/contacts", params={"include": "list_memberships"}).json()["contacts"]
    assert SUBRESOURCES & set(listed[0]) == {"list_memberships"}


def test_paging_1234_contacts_at_limit_500_gives_three_pages_with_each_contact_once(account: Account) -> None:
    ids = _seed(account, 1234)
    pages = _walk(account, "/v3/contacts", {"limit": 500})
    assert [len(p["contacts"]) for p in pages] == [500, 500, 234]
    seen = [c["contact_id"] for p in pages for c in p["contacts"]]
    assert seen == ids  # insertion order, no repeats, none missing


def test_next_link_is_a_relative_v3_path_with_an_opaque_cursor_and_absent_on_the_last_page(
    account: Account,
) -> None:
    _seed(account, 3)
    first = account.client.get("/v3/contacts", params={"limit": 2}).json()
    href = first["_links"]["next"]["href"]
    assert href.startswith("/v3/contacts?cursor=")
    cursor = href.split("cursor=", 1)[1]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert decoded.startswith("limit=2&next=")
    last = account.client.get(href).json()
    assert len(last["contacts"]) == 1
    assert "next" not in last.get("_links", {})


def test_cursor_carries_the_original_filters_and_include(account: Account) -> None:
    for i in range(30):
        lists = [account.newsletter] if i % 3 == 0 else [account.customers]
        account.store.add_contact(
            {"email_address": {"address": f"x{i}@example.com"}, "list_memberships": lists}
        )
    pages = _walk(
        account, "/v3/contacts", {"lists": account.newsletter, "include": "list_memberships", "limit": 4}
    )
    contacts = [c for p in pages for c in p["contacts"]]
    assert len(contacts) == 10
    assert all(c["list_memberships"] == [account.newsletter] for c in contacts)


def test_default_status_excludes_deleted_contacts_and_status_all_includes_them(account: Account) -> None:
    keep = account.create("keep@example.com")["contact_id"]
    gone = account.create("gone@example.com")["contact_id"]
    assert account.client.delete(f"/v3/contacts/{gone}").status_code == 204
    default = {c["contact_id"] for c in account.client.get("/v3/contacts").json()["contacts"]}
    everything = {c["contact_id"] for c in account.client.get("/v3/contacts?status=all").json()["contacts"]}
    deleted = account.client.get("/v3/contacts?status=deleted&include=list_memberships").json()["contacts"]
    assert default == {keep}
    assert everything == {keep, gone}
    assert [c["contact_id"] for c in deleted] == [gone]


def test_deleted_contact_reads_back_with_deleted_at_date_and_no_list_memberships(account: Account) -> None:
    contact_id = account.create("gone@example.com", list_memberships=[account.newsletter])["contact_id"]
    account.client.delete(f"/v3/contacts/{contact_id}")
    got = account.client.get(f"/v3/contacts/{contact_id}?include=list_memberships").json()
    assert got["deleted_at"] == "2026-07-01"
    assert got["list_memberships"] == []
    assert got["email_address"]["permission_to_send"] == "implicit"  # delete is not unsubscribe


def test_status_filter_selects_by_permission_state(account: Account) -> None:
    account.create("sub@example.com", list_memberships=[account.newsletter])
    account.store.add_contact(
        {"email_address": {"address": "out@example.com", "permission_to_send": "unsubscribed"}}
    )
    account.store.add_contact(
        {"email_address": {"address": "pend@example.com", "permission_to_send": "pending_confirmation"}}
    )

    def emails(status: str) -> set[str]:
        found = account.client.get("/v3/contacts", params={"status": status}).json()["contacts"]
        return {c["email_address"]["address"] for c in found}

    assert emails("active") == {"sub@example.com"}
    assert emails("unsubscribed") == {"out@example.com"}
    assert emails("unsubscribed,pending_confirmation") == {"out@example.com", "pend@example.com"}


def test_email_filter_is_exact_and_case_insensitive(account: Account) -> None:
    account.create("Mixed.Case@Example.com")
    account.create("other@example.com")
    found = account.client.get("/v3/contacts", params={"email": "mixed.case@example.COM"}).json()["contacts"]
    assert [c["email_address"]["address"] for c in found] == ["Mixed.Case@Example.com"]
    assert account.client.get("/v3/contacts", params={"email": "mixed"}).json()["contacts"] == []


def test_updated_after_returns_only_contacts_updated_strictly_later(
    account: Account, clock: FakeClock
) -> None:
    account.create("old@example.com")
    clock.advance(3600)
    account.create("new@example.com")
    found = account.client.get("/v3/contacts", params={"updated_after": "2026-07-01T12:30:00Z"}).json()[
        "contacts"
    ]
    assert [c["email_address"]["address"] for c in found] == ["new@example.com"]
    same_second = account.client.get("/v3/contacts", params={"updated_after": "2026-07-01T13:00:00Z"}).json()
    assert same_second["contacts"] == []
    by_date = account.client.get("/v3/contacts", params={"updated_after": "2026-06-30"}).json()["contacts"]
    assert len(by_date) == 2


def test_include_count_adds_contacts_count_of_all_matches(account: Account) -> None:
    _seed(account, 7)
    body = account.client.get("/v3/contacts", params={"limit": 2, "include_count": "true"}).json()
    assert body["contacts_count"] == 7
    assert "contacts_count" not in account.client.get("/v3/contacts").json()


def test_limit_outside_1_to_500_and_bad_params_are_400_validation_errors(account: Account) -> None:
    for params in (
        {"limit": 0},
        {"limit": 501},
        {"limit": "ten"},
        {"include": "everything"},
        {"status": "gone"},
        {"lists": "not-a-uuid"},
        {"updated_after": "yesterday"},
        {"cursor": "@@"},
    ):
        response = account.client.get("/v3/contacts", params=params)
        assert response.status_code == 400, params
        assert response.json()[0]["error_key"] == "contacts.api.validation.error"
    assert account.client.get("/v3/contacts", params={"limit": 500}).status_code == 200


def test_default_page_size_is_50(account: Account) -> None:
    _seed(account, 60)
    assert len(account.client.get("/v3/contacts").json()["contacts"]) == 50


def test_unknown_contact_id_is_404_and_malformed_id_is_404_invalid_format(account: Account) -> None:
    unknown = account.client.get("/v3/contacts/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert unknown.json()[0]["error_key"] == "contacts.api.not_found"
    malformed = account.client.get("/v3/contacts/not-a-uuid")
    assert malformed.status_code == 404
    assert malformed.json() == [
        {"error_key": "contacts.api.not_found", "error_message": "contact_id is in an invalid format."}
    ]
