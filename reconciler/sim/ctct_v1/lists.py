"""The account's list writes (ctct-v1 §3.2): create (201, 409 on a taken name), update and
delete (204). System lists (Active, Removed, Do Not Mail) can be read but not written."""

from __future__ import annotations

from typing import Any

from reconciler.sim.ctct_v1.fields import DO_NOT_MAIL, REMOVED
from reconciler.sim.ctct_v1.incoming import parse_list
from reconciler.sim.ctct_v1.query import all_lists
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v3.wire import SimError, conflict, not_found

__all__ = ["create_list", "delete_list", "get_list", "update_list"]


def get_list(store: SimStore, key: str) -> dict[str, Any]:
    with store.lock:
        found = next((item for item in all_lists(store) if str(item["id"]) == key), None)
    if found is None:
        raise not_found(f"List {key} was not found.")
    return found


def _account_list(store: SimStore, key: str) -> dict[str, Any]:
    item = get_list(store, key)
    if not isinstance(item["id"], int):
        # 415 is v1's answer to a method a resource does not support.
        raise SimError(415, "unsupported", f"The system list {item['name']} cannot be changed.")
    return item


def _check_name(store: SimStore, name: str, own: int | None) -> None:
    if any(item["name"] == name and number != own for number, item in store.lists.items()):
        raise conflict(f"A list named {name} already exists.")


def create_list(store: SimStore, body: bytes) -> dict[str, Any]:
    data = parse_list(body)
    with store.lock:
        _check_name(store, data.name, None)
        number = store.add_list(
            data.name, opt_in_default=data.opt_in_default, sort_order=data.sort_order or 99
        )
        return dict(store.lists[number])


def update_list(store: SimStore, key: str, body: bytes) -> None:
    data = parse_list(body)
    with store.lock:
        item = _account_list(store, key)
        _check_name(store, data.name, item["id"])
        store.lists[item["id"]] = {
            **item,
            "name": data.name,
            "opt_in_default": data.opt_in_default,
            "sort_order": data.sort_order if data.sort_order is not None else item["sort_order"],
            "updated": store.now(),
        }


def delete_list(store: SimStore, key: str) -> None:
    """Members lose the list; one left on no list at all is Removed."""
    with store.lock:
        number = _account_list(store, key)["id"]
        del store.lists[number]
        for record in list(store.records):
            if not any(m["id"] == number for m in record["lists"]):
                continue
            lists = [m for m in record["lists"] if m["id"] != number]
            status = record["Status"] if lists or record["Status"] == DO_NOT_MAIL else REMOVED
            store.replace(
                {
                    **record,
                    "lists": lists,
                    "Status": status,
                    "LastUpdateTime": store.bump(record["LastUpdateTime"]),
                }
            )
