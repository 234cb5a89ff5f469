"""Reading contacts: `next_link` paging (host-relative, filters carried in the token), the
status filter (ALL includes opted-out and removed contacts), limits, email lookup,
include_contact_id, and members of a list."""

from __future__ import annotations

import re

import pytest

from sim.ctct_v2_support import Account, account_fixture  # noqa: F401


def _seed(account: Account, n: int = 7) -> list[str]:
    ids = []
    for i in range(n):
        ids.append(account.create(f"p{i}@example.com", [account.newsletter] if i % 3 else [])["id"])
    account.call("DELETE", f"/v2/contacts/{ids[1]}")
    return ids


def test_pages_follow_next_link_as_is_and_the_last_page_has_none(account: Account) -> None:
    ids = _seed(account)
    page = account.call("GET", "/v2/contacts", params={"limit": "3"}).json()
    seen = [r["id"] for r in page["results"]]
    while "next_link" in page["meta"]["pagination"]:
        link = page["meta"]["pagination"]["next_link"]
        assert re.fullmatch(r"/v2/contacts\?next=[A-Za-z0-9_-]+", link)
        page = account.call("GET", link).json()  # only the api_key is added
        seen += [r["id"] for r in page["results"]]
    assert seen == ids
    assert page["meta"] == {"pagination": {}}


def test_the_status_filter_is_kept_across_pages(account: Account) -> None:
    _seed(account)
    page = account.call("GET", "/v2/contacts", params={"status": "REMOVED", "limit": "1"}).json()
    statuses = [r["status"] for r in page["results"]]
    while "next_link" in page["meta"]["pagination"]:
        page = account.call("GET", page["meta"]["pagination"]["next_link"]).json()
        statuses += [r["status"] for r in page["results"]]
    assert statuses == ["REMOVED"] * 3  # p0, p3 and p6 were created on no list
    optout = account.call("GET", "/v2/contacts", params={"status": "OPTOUT"}).json()["results"]
    assert [r["email_addresses"][0]["email_address"] for r in optout] == ["p1@example.com"]


def test_status_all_is_the_default_and_includes_every_contact(account: Account) -> None:
    _seed(account)
    default = account.call("GET", "/v2/contacts").json()["results"]
    every = account.call("GET", "/v2/contacts", params={"status": "ALL", "limit": "500"}).json()["results"]
    assert default == every and {r["status"] for r in every} == {"ACTIVE", "REMOVED", "OPTOUT"}


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "501"}, {"limit": "x"}, {"status": "DELETED"}, {"next": "%%%"},
     {"modified_since": "yesterday"}, {"include_contact_id": "maybe"}],
)
def test_bad_parameters_are_400(account: Account, params: dict[str, str]) -> None:
    assert account.call("GET", "/v2/contacts", params=params).status_code == 400


def test_default_page_is_50_and_the_maximum_500(account: Account) -> None:
    for i in range(51):
        account.store.add_contact({"email_addresses": [{"email_address": f"bulk{i}@example.com"}]})
    assert len(account.call("GET", "/v2/contacts").json()["results"]) == 50
    assert len(account.call("GET", "/v2/contacts", params={"limit": "500"}).json()["results"]) == 51


def test_email_lookup_is_exact_and_case_insensitive(account: Account) -> None:
    _seed(account)
    found = account.call("GET", "/v2/contacts", params={"email": "P4@Example.com"}).json()["results"]
    assert [r["email_addresses"][0]["email_address"] for r in found] == ["p4@example.com"]
    assert account.call("GET", "/v2/contacts", params={"email": "p@example.com"}).json()["results"] == []


def test_modified_since_and_include_contact_id(account: Account) -> None:
    old = account.create("old@example.com", [account.newsletter])
    account.clock.advance(3600)
    new = account.create("new@example.com", [account.newsletter])
    params = {"modified_since": "2026-07-01T12:30:00Z", "include_contact_id": "true"}
    (only,) = account.call("GET", "/v2/contacts", params=params).json()["results"]
    assert only["id"] == new["id"] and re.fullmatch(r"[0-9a-f-]{36}", only["contact_id"])
    again = account.call("GET", f"/v2/contacts/{new['id']}", params={"include_contact_id": "true"}).json()
    assert again["contact_id"] == only["contact_id"] and "contact_id" not in account.get(old["id"])


def test_members_of_a_list_page_the_same_way(account: Account) -> None:
    _seed(account)
    members = account.call("GET", f"/v2/lists/{account.newsletter}/contacts", params={"limit": "2"}).json()
    assert all({"id": account.newsletter, "status": "ACTIVE"} in r["lists"] for r in members["results"])
    link = members["meta"]["pagination"]["next_link"]
    assert link.startswith(f"/v2/lists/{account.newsletter}/contacts?next=")
    assert account.call("GET", "/v2/lists/999/contacts").status_code == 404
