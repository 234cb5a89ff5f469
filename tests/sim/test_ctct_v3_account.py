"""/v3/contact_lists and /v3/contact_custom_fields."""

from __future__ import annotations

import re

from sim.conftest import Account

LIST_PROPERTIES = {
    "list_id",
    "name",
    "description",
    "favorite",
    "created_at",
    "updated_at",
    "membership_count",
}
FIELD_PROPERTIES = {"custom_field_id", "label", "name", "type", "created_at", "updated_at"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_list_collection_has_the_contact_list_schema_and_optional_lists_count(account: Account) -> None:
    body = account.client.get("/v3/contact_lists", params={"include_count": "true"}).json()
    assert body["lists_count"] == 2
    assert [item["name"] for item in body["lists"]] == ["Newsletter", "Customers"]
    for item in body["lists"]:
        assert set(item) <= LIST_PROPERTIES
        assert UUID.match(item["list_id"]) and isinstance(item["favorite"], bool)
    assert "lists_count" not in account.client.get("/v3/contact_lists").json()


def test_list_paging_follows_cursor_links_and_limit_above_1000_is_400(account: Account) -> None:
    for i in range(5):
        account.store.add_list(f"L{i}")
    first = account.client.get("/v3/contact_lists", params={"limit": 4}).json()
    second = account.client.get(first["_links"]["next"]["href"]).json()
    assert len(first["lists"]) == 4 and len(second["lists"]) == 3
    assert "_links" not in second
    assert account.client.get("/v3/contact_lists", params={"limit": 1001}).status_code == 400
    assert account.client.get("/v3/contact_lists", params={"limit": 1000}).status_code == 200


def test_membership_count_counts_contacts_on_each_list(account: Account) -> None:
    account.create("a@example.com", list_memberships=[account.newsletter])
    account.create("b@example.com", list_memberships=[account.newsletter, account.customers])
    body = account.client.get("/v3/contact_lists", params={"include_membership_count": "all"}).json()
    assert {i["name"]: i["membership_count"] for i in body["lists"]} == {"Newsletter": 2, "Customers": 1}


def test_create_list_is_201_and_a_duplicate_name_is_409(account: Account) -> None:
    created = account.client.post("/v3/contact_lists", json={"name": "VIP", "description": "Top"})
    assert created.status_code == 201
    assert created.json()["favorite"] is False and created.json()["description"] == "Top"
    duplicate = account.client.post("/v3/contact_lists", json={"name": "vip"})
    assert duplicate.status_code == 409
    assert duplicate.json()[0]["error_key"] == "contacts.api.conflict"


def test_create_list_needs_a_name_of_at_most_255_characters(account: Account) -> None:
    assert account.client.post("/v3/contact_lists", json={"description": "x"}).status_code == 400
    assert account.client.post("/v3/contact_lists", json={"name": "x" * 256}).status_code == 400


def test_put_list_replaces_it_and_nulls_the_omitted_description(account: Account) -> None:
    response = account.client.put(
        f"/v3/contact_lists/{account.newsletter}", json={"name": "News", "favorite": True}
    )
    assert response.status_code == 200
    got = account.client.get(f"/v3/contact_lists/{account.newsletter}").json()
    assert got["name"] == "News" and got["favorite"] is True and got.get("description") is None


def test_delete_list_is_202_with_an_activity_and_removes_it_from_contacts(account: Account) -> None:
    contact_id = account.create("a@example.com", list_memberships=[account.newsletter, account.customers])[
        "contact_id"
    ]
    response = account.client.delete(f"/v3/contact_lists/{account.newsletter}")
    assert response.status_code == 202
    activity = response.json()
    assert activity["state"] == "initialized" and UUID.match(activity["activity_id"])
    assert activity["_links"]["self"]["href"] == f"/v3/activities/{activity['activity_id']}"
    assert account.client.get(f"/v3/contact_lists/{account.newsletter}").status_code == 404
    got = account.client.get(f"/v3/contacts/{contact_id}?include=list_memberships").json()
    assert got["list_memberships"] == [account.customers]


def test_custom_field_collection_has_the_schema_and_limit_above_100_is_400(account: Account) -> None:
    body = account.client.get("/v3/contact_custom_fields").json()
    assert [f["name"] for f in body["custom_fields"]] == ["Tier", "Region"]
    assert all(set(f) <= FIELD_PROPERTIES for f in body["custom_fields"])
    assert account.client.get("/v3/contact_custom_fields", params={"limit": 101}).status_code == 400


def test_custom_field_name_is_the_label_with_blanks_as_underscores_and_duplicates_409(
    account: Account,
) -> None:
    created = account.client.post(
        "/v3/contact_custom_fields", json={"label": "Lead Source", "type": "string"}
    )
    assert created.status_code == 201
    assert created.json()["name"] == "Lead_Source"
    again = account.client.post("/v3/contact_custom_fields", json={"label": "Lead_Source", "type": "string"})
    assert again.status_code == 409


def test_custom_field_needs_label_up_to_50_and_type_string_or_date(account: Account) -> None:
    for body in ({"type": "string"}, {"label": "x" * 51, "type": "string"}, {"label": "X", "type": "number"}):
        assert account.client.post("/v3/contact_custom_fields", json=body).status_code == 400


def test_an_account_holds_at_most_100_custom_fields(account: Account) -> None:
    for i in range(98):
        account.store.add_custom_field(f"F{i}")
    response = account.client.post("/v3/contact_custom_fields", json={"label": "One more", "type": "string"})
    assert response.status_code == 400
    assert "100" in response.json()[0]["error_message"]


def test_delete_custom_field_is_204_and_removes_its_values_from_contacts(account: Account) -> None:
    values = [
        {"custom_field_id": account.tier, "value": "gold"},
        {"custom_field_id": account.region, "value": "EU"},
    ]
    contact_id = account.create("a@example.com", custom_fields=values)["contact_id"]
    assert account.client.delete(f"/v3/contact_custom_fields/{account.tier}").status_code == 204
    got = account.client.get(f"/v3/contacts/{contact_id}?include=custom_fields").json()
    assert got["custom_fields"] == [{"custom_field_id": account.region, "value": "EU"}]
    assert account.client.get(f"/v3/contact_custom_fields/{account.tier}").status_code == 404


def test_put_custom_field_renames_it(account: Account) -> None:
    response = account.client.put(
        f"/v3/contact_custom_fields/{account.tier}", json={"label": "Level", "type": "string"}
    )
    assert response.json()["name"] == "Level"
