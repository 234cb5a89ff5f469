"""Account-level resources: contact lists and custom fields, with the same cursor paging as
contacts (these collections are small, so the cursor's position is a plain offset)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reconciler.sim.ctct_v3.query import contact_status, parse_bool, parse_limit
from reconciler.sim.ctct_v3.records import ordered
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import (
    conflict,
    decode_cursor,
    encode_cursor,
    invalid,
    is_uuid,
    new_id,
    not_found,
    page_links,
)

__all__ = [
    "create_field",
    "create_list",
    "delete_field",
    "delete_list",
    "get_field",
    "get_list",
    "page_fields",
    "page_lists",
    "update_field",
    "update_list",
]

MAX_LISTS = 1_000
MAX_FIELDS = 100


def _paged(
    items: list[dict[str, Any]],
    params: Mapping[str, str],
    path: str,
    default: int,
    maximum: int,
    keep: tuple[str, ...],
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, Any]]:
    """(page, the effective params, the _links part) for an in-memory collection."""
    if params.get("cursor"):
        cursor = decode_cursor(params["cursor"])
        given = {k: v for k, v in cursor.items() if k in keep}
        limit_text: str | None = params.get("limit") or cursor["limit"]
        try:
            start = max(int(cursor["next"]), 0)
        except ValueError as err:
            raise invalid("cursor is invalid.") from err
    else:
        given = {k: params[k] for k in keep if params.get(k)}
        limit_text, start = params.get("limit"), 0
    limit = parse_limit(limit_text, default, maximum)
    page = items[start : start + limit]
    cursor_text = None
    if start + limit < len(items):
        cursor_text = encode_cursor({"limit": str(limit), "next": str(start + limit), **given})
    return page, given, page_links(path, cursor_text)


def _require(items: Mapping[str, dict[str, Any]], item_id: str, what: str) -> dict[str, Any]:
    if not is_uuid(item_id):
        raise not_found(f"{what} is in an invalid format.")
    item = items.get(item_id.lower())
    if item is None:
        raise not_found(f"The {what.removesuffix('_id')} {item_id} was not found.")
    return item


def _strip_everywhere(store: SimStore, strip: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
    """Apply `strip` to every contact; it returns a new record for the ones it changes."""
    for record in list(store.records):
        changed = strip(record)
        if changed is not None:
            changed["updated_at"] = store.bump(record["updated_at"])
            store.replace(ordered(changed))


# -- lists -------------------------------------------------------------------------------------


def _membership_counts(store: SimStore, mode: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in store.records:
        if mode == "active" and contact_status(record) != "active":
            continue
        for list_id in record["list_memberships"]:
            counts[list_id] = counts.get(list_id, 0) + 1
    return counts


def _membership_mode(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in ("all", "active"):
        raise invalid("include_membership_count must be all or active.")
    return value


def page_lists(store: SimStore, params: Mapping[str, str], maximum: int = 1000) -> dict[str, Any]:
    with store.lock:
        items = list(store.lists.values())
        page, given, links = _paged(
            items, params, "/v3/contact_lists", 50, maximum, ("include_count", "include_membership_count")
        )
        mode = _membership_mode(given.get("include_membership_count"))
        counts = _membership_counts(store, mode) if mode else {}
        body: dict[str, Any] = {
            "lists": [
                dict(item, membership_count=counts.get(item["list_id"], 0)) if mode else dict(item)
                for item in page
            ],
        }
        if parse_bool(given.get("include_count"), "include_count"):
            body["lists_count"] = len(items)
    return body | links


def _list_input(store: SimStore, body: Mapping[str, Any], own_id: str | None) -> dict[str, Any]:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name is required.")
    if len(name) > 255:
        raise invalid("name exceeds the maximum length of 255 characters.")
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise invalid("description must be a string.")
    favorite = body.get("favorite", False)
    if favorite is not None and not isinstance(favorite, bool):
        raise invalid("favorite must be a boolean.")
    for item in store.lists.values():
        if item["name"].lower() == name.lower() and item["list_id"] != own_id:
            raise conflict(f"A list named {name!r} already exists: {item['list_id']}")
    return {"name": name, "description": description, "favorite": bool(favorite)}


def create_list(store: SimStore, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        fields = _list_input(store, body, None)
        if len(store.lists) >= MAX_LISTS:
            raise invalid(f"An account can have at most {MAX_LISTS} lists.")
        now = store.now()
        item = {"list_id": new_id(), **fields, "created_at": now, "updated_at": now}
        store.lists[item["list_id"]] = item
        return dict(item)


def get_list(store: SimStore, list_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    with store.lock:
        item = dict(_require(store.lists, list_id, "list_id"))
        mode = _membership_mode(params.get("include_membership_count"))
        if mode:
            item["membership_count"] = _membership_counts(store, mode).get(item["list_id"], 0)
        return item


def update_list(store: SimStore, list_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """PUT nulls what it omits: description goes, favorite falls back to false."""
    with store.lock:
        old = _require(store.lists, list_id, "list_id")
        fields = _list_input(store, body, old["list_id"])
        item = dict(old, **fields, updated_at=store.bump(old["updated_at"]))
        store.lists[item["list_id"]] = item
        return dict(item)


def delete_list(store: SimStore, list_id: str) -> dict[str, Any]:
    """Asynchronous in v3 (202 + activity); here the work is done before answering."""
    with store.lock:
        item = _require(store.lists, list_id, "list_id")
        gone = item["list_id"]
        del store.lists[gone]

        def strip(record: dict[str, Any]) -> dict[str, Any] | None:
            if gone not in record["list_memberships"]:
                return None
            return dict(record, list_memberships=[i for i in record["list_memberships"] if i != gone])

        _strip_everywhere(store, strip)
        now = store.now()
        activity_id = new_id()
        return {
            "activity_id": activity_id,
            "state": "initialized",
            "created_at": now,
            "updated_at": now,
            "percent_done": 0,
            "activity_errors": [],
            "_links": {"self": {"href": f"/v3/activities/{activity_id}"}},
        }


# -- custom fields -----------------------------------------------------------------------------


def page_fields(store: SimStore, params: Mapping[str, str], maximum: int = 100) -> dict[str, Any]:
    with store.lock:
        page, _, links = _paged(
            list(store.fields.values()), params, "/v3/contact_custom_fields", 50, maximum, ()
        )
        return {"custom_fields": [dict(item) for item in page]} | links


def _field_input(store: SimStore, body: Mapping[str, Any], own_id: str | None) -> dict[str, Any]:
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise invalid("label is required.")
    if len(label) > 50:
        raise invalid("label exceeds the maximum length of 50 characters.")
    kind = body.get("type")
    if kind not in ("string", "date"):
        raise invalid("type is required and must be one of: string, date.")
    name = label.replace(" ", "_")
    for item in store.fields.values():
        if item["name"].lower() == name.lower() and item["custom_field_id"] != own_id:
            raise conflict(f"A custom field named {name!r} already exists: {item['custom_field_id']}")
    return {"label": label, "name": name, "type": kind}


def create_field(store: SimStore, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        fields = _field_input(store, body, None)
        if len(store.fields) >= MAX_FIELDS:
            raise invalid(f"An account can have at most {MAX_FIELDS} custom fields.")
        now = store.now()
        item = {"custom_field_id": new_id(), **fields, "created_at": now, "updated_at": now}
        store.fields[item["custom_field_id"]] = item
        return dict(item)


def get_field(store: SimStore, field_id: str) -> dict[str, Any]:
    with store.lock:
        return dict(_require(store.fields, field_id, "custom_field_id"))


def update_field(store: SimStore, field_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        old = _require(store.fields, field_id, "custom_field_id")
        item = dict(
            old, **_field_input(store, body, old["custom_field_id"]), updated_at=store.bump(old["updated_at"])
        )
        store.fields[item["custom_field_id"]] = item
        return dict(item)


def delete_field(store: SimStore, field_id: str) -> None:
    with store.lock:
        gone = _require(store.fields, field_id, "custom_field_id")["custom_field_id"]
        del store.fields[gone]

        def strip(record: dict[str, Any]) -> dict[str, Any] | None:
            values = record["custom_fields"]
            if all(cf["custom_field_id"] != gone for cf in values):
                return None
            return dict(record, custom_fields=[cf for cf in values if cf["custom_field_id"] != gone])

        _strip_everywhere(store, strip)
