"""The simulated Everlytic REST API (everlytic §4.1-§4.7): auth, content types, the error
object, merge updates, read-only properties, creates and duplicates, paging."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sim.everlytic_support import Account, open_account

C = "/api/2.0/contacts"


@pytest.fixture
def account() -> Iterator[Account]:
    acct = open_account()
    with acct.rest, acct.rpc_client:
        yield acct


def test_missing_or_wrong_credentials_are_401_with_a_basic_challenge(account: Account) -> None:
    for auth in ("", "Basic c2ltLXVzZXI6d3Jvbmc=", "Bearer sim-api-key", "Basic !!!"):
        response = account.rest.get(C, headers={"Authorization": auth})
        assert response.status_code == 401
        assert response.json() == {"error": {"message": "Unauthorized: check the username and API key."}}
        assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert account.rest.get("/__sim__/state", headers={"Authorization": ""}).status_code == 200


def test_writes_need_json_and_reads_must_accept_it(account: Account) -> None:
    response = account.rest.put(
        f"{C}/{account.jane}", content=b'{"name": "J"}', headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415 and "application/json" in response.json()["error"]["message"]
    assert account.rest.get(C, headers={"Accept": "text/html"}).status_code == 406
    for raw in (b"{oops", b"[1]"):
        bad = account.rest.put(
            f"{C}/{account.jane}", content=raw, headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400 and "error" in bad.json()


def test_unknown_route_404_and_wrong_method_405_use_the_error_object(account: Account) -> None:
    assert account.rest.get("/api/2.0/segments").json() == {"error": {"message": "Not Found"}}
    wrong = account.rest.delete("/api/2.0/lists/1")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert account.rest.get(f"{C}/999").status_code == 404
    assert account.rest.get("/api/2.0/lists/999").json() == {"error": {"message": "List 999 was not found."}}


def test_get_by_id_or_unique_id_in_the_item_envelope(account: Account) -> None:
    for ref in (account.jane, "crm-7"):
        body = account.rest.get(f"{C}/{ref}").json()
        assert body["item"]["email"] == "jane@example.com"
        assert body["links"][0]["rel"] == "self"
        assert not any(k.startswith("sim_") for k in body["item"])


def test_update_changes_only_the_given_properties(account: Account) -> None:
    before = account.store.contact(account.jane)
    account.clock.advance(60)
    response = account.rest.put(f"{C}/{account.jane}", json={"lastname": "Roe", "telephone_home": "1"})
    assert response.status_code == 200
    after = account.store.contact(account.jane)
    assert before is not None and after is not None
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"lastname", "telephone_home", "date_modified", "update_count"}
    assert after["date_modified"] > before["date_modified"]


@pytest.mark.parametrize("prop", ["id", "score", "date_modified", "email_bounce_soft_count", "address_2"])
def test_read_only_properties_are_refused_and_nothing_changes(account: Account, prop: str) -> None:
    before = account.store.contact(account.jane)
    response = account.rest.put(f"{C}/{account.jane}", json={"name": "X", prop: 1})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"The property '{prop}' is read-only and cannot be written."
    assert account.store.contact(account.jane) == before


def test_unknown_and_create_only_properties_and_empty_updates_are_400(account: Account) -> None:
    for body in ({"nickname": "J"}, {"list_id": {"1": "subscribed"}}, {"on_duplicate": "update"}, {}):
        assert account.rest.put(f"{C}/{account.jane}", json=body).status_code == 400
    for body in (
        {"status": "paused"},
        {"gender": "x"},
        {"country_id": "1"},
        {"birth_date": "12/04/1980"},
        {"birth_date": "1981-02-29"},
        {"name": 5},
        {"email": "not-an-email"},
    ):
        assert account.rest.put(f"{C}/{account.jane}", json=body).status_code == 400, body


def test_changing_the_email_to_another_contacts_is_409(account: Account) -> None:
    assert account.rest.put(f"{C}/{account.jane}", json={"email": "BOB@example.com"}).status_code == 409


def test_create_needs_email_or_mobile_and_the_list_map(account: Account) -> None:
    assert account.rest.post(C, json={"name": "N", "list_id": {}}).status_code == 400
    assert account.rest.post(C, json={"email": "n@example.com"}).status_code == 400
    assert (
        account.rest.post(C, json={"email": "n@example.com", "list_id": {"999": "subscribed"}}).status_code
        == 400
    )
    bad_status = {"email": "n@example.com", "list_id": {str(account.customers): "member"}}
    assert account.rest.post(C, json=bad_status).status_code == 400
    created = account.rest.post(
        C, json={"email": "n@example.com", "list_id": {str(account.customers): "subscribed"}}
    )
    assert created.status_code == 201
    new_id = created.json()["item"]["id"]
    assert account.subscription(account.customers, new_id)["email_status"] == "subscribed"  # type: ignore[index]
    mobile_only = account.rest.post(C, json={"mobile": "+27 82 000", "list_id": {}})
    assert mobile_only.status_code == 201 and mobile_only.json()["item"]["email"] == ""


def test_a_duplicate_fails_unless_on_duplicate_update_which_still_answers_201(account: Account) -> None:
    duplicate = {"email": "JANE@example.com", "lastname": "Roe", "list_id": {}}
    response = account.rest.post(C, json=duplicate)
    assert response.status_code == 409 and "already exists" in response.json()["error"]["message"]
    upsert = account.rest.post(C, json={**duplicate, "on_duplicate": "update"})
    assert upsert.status_code == 201 and upsert.json()["item"]["id"] == account.jane
    assert account.store.contact(account.jane)["lastname"] == "Roe"  # type: ignore[index]
    assert account.rest.post(C, json={**duplicate, "on_duplicate": "skip"}).status_code == 400


def test_listing_pages_with_absolute_next_links_and_refuses_oversized_pages(account: Account) -> None:
    for i in range(5):
        account.store.add_contact({"email": f"u{i}@example.com", "status": "suppressed" if i == 0 else "on"})
    seen: list[str] = []
    url: str | None = f"{C}?count=3"
    while url:
        body = account.rest.get(url).json()
        seen += [entry["data"]["email"] for entry in body["collection"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        assert url is None or url.startswith("http://testserver/api/2.0/contacts?")
    assert len(seen) == 7 and "u0@example.com" in seen  # every status is listed
    assert account.rest.get(C, params={"count": account.config.max_page_size + 1}).status_code == 400
    assert account.rest.get(C, params={"page": 0}).status_code == 400
    only = account.rest.get(C, params={"email": "JANE@EXAMPLE.COM"}).json()["collection"]
    assert [e["data"]["id"] for e in only] == [account.jane]


def test_delete_removes_the_contact_and_its_subscriptions(account: Account) -> None:
    assert account.rest.delete(f"{C}/{account.jane}").status_code == 200
    assert account.rest.get(f"{C}/{account.jane}").status_code == 404
    assert account.store.subscriptions_of(account.jane) == {}


def test_lists_need_a_name_and_owner_email_and_names_are_unique(account: Account) -> None:
    assert account.rest.post("/api/2.0/lists", json={"name": "VIP"}).status_code == 400
    created = account.rest.post("/api/2.0/lists", json={"name": "VIP", "owner_email": "o@example.com"})
    assert created.status_code == 201
    assert account.rest.get(f"/api/2.0/lists/{created.json()['item']['id']}").json()["item"]["name"] == "VIP"
    again = account.rest.post("/api/2.0/lists", json={"name": "VIP", "owner_email": "o@example.com"})
    assert again.status_code == 409
