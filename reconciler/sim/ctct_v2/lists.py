"""Contact lists (ctct-v2 §2.2): an unpaged array of every list, at most 1,000 per account;
a name is unique (409 otherwise) and a list has a status ACTIVE, HIDDEN or REMOVED."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v2.records import status_for_lists
from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v2.wire import bad_request, conflict, not_found, parse_instant, stamp

__all__ = ["MAX_LISTS", "all_lists", "create_list", "delete_list", "get_list", "require_list", "update_list"]

MAX_LISTS = 1_000
_STATUSES = ("ACTIVE", "HIDDEN", "REMOVED")


def require_list(store: SimStore, list_id: str) -> dict[str, Any]:
    item = store.lists.get(list_id)
    if item is None:
        raise not_found(f"No list found using id {list_id}.")
    return item


def _with_count(store: SimStore, item: Mapping[str, Any]) -> dict[str, Any]:
    member = {"id": item["id"]}
    return dict(item, contact_count=sum(1 for r in store.records if member in r["lists"]))


def all_lists(store: SimStore, params: Mapping[str, str]) -> list[dict[str, Any]]:
    since = params.get("modified_since")
    try:
        cutoff = stamp(parse_instant(since)) if since else None
    except ValueError as err:
        raise bad_request("query.param.modified_since.invalid", "modified_since must be ISO-8601.") from err
    with store.lock:
        return [
            _with_count(store, item)
            for item in store.lists.values()
            if cutoff is None or item["modified_date"] >= cutoff
        ]


def _input(store: SimStore, body: Mapping[str, Any], own_id: str | None) -> tuple[str, str]:
    name, status = body.get("name"), body.get("status")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("json.field.required", "#/name: Value is required.")
    if status not in _STATUSES:
        raise bad_request("json.enum.violation", f"#/status: Valid options are: {', '.join(_STATUSES)}.")
    for item in store.lists.values():
        if item["name"].lower() == name.strip().lower() and item["id"] != own_id:
            raise conflict("The contact list name provided is already in use.")
    return name.strip(), str(status)


def create_list(store: SimStore, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        name, status = _input(store, body, None)
        if len(store.lists) >= MAX_LISTS:
            raise bad_request("json.max.items.violation", f"An account can have at most {MAX_LISTS} lists.")
        list_id = store.add_list(name, status)
        return _with_count(store, store.lists[list_id])


def get_list(store: SimStore, list_id: str) -> dict[str, Any]:
    with store.lock:
        return _with_count(store, require_list(store, list_id))


def update_list(store: SimStore, list_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        old = require_list(store, list_id)
        name, status = _input(store, body, list_id)
        modified = store.bump(old["modified_date"])
        store.lists[list_id] = dict(old, name=name, status=status, modified_date=modified)
        return _with_count(store, store.lists[list_id])


def delete_list(store: SimStore, list_id: str) -> None:
    """Memberships go with the list; a contact left on no list becomes REMOVED."""
    with store.lock:
        require_list(store, list_id)
        del store.lists[list_id]
        member = {"id": list_id}
        for record in list(store.records):
            if member in record["lists"]:
                lists = [m for m in record["lists"] if m != member]
                status = record["status"]
                if not lists and status != "OPTOUT":
                    status = status_for_lists(status, has_lists=False)
                email = dict(record["email_addresses"][0], status=status)
                store.replace(dict(record, lists=lists, status=status, email_addresses=[email],
                                   modified_date=store.bump(record["modified_date"])))
