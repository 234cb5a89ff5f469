"""Contact operations behind both front-ends (everlytic §4.2-§4.4): create (with the
duplicate rule and on_duplicate), partial update, read by id or unique_id, delete, and the
paged listing. Errors are `EvError`s; each front-end renders them its own way."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from reconciler.sim.everlytic import subscriptions
from reconciler.sim.everlytic.rules import parse_create, parse_update
from reconciler.sim.everlytic.store import SimStore, public
from reconciler.sim.everlytic.wire import EvError, conflict, invalid, not_found

__all__ = ["ORDERABLE", "create", "delete", "get", "page", "require", "update"]

ORDERABLE = ("id", "email", "name", "lastname", "date_create", "date_modified")


def require(store: SimStore, ref: Any) -> dict[str, Any]:
    """The stored record for an id, or (as GET /contacts/:id allows) a unique_id."""
    text = str(ref).strip()
    if text.isdigit() and int(text) in store.contacts:
        return store.contacts[int(text)]
    if text:
        for record in store.contacts.values():
            if record.get("unique_id") == text:
                return record
    raise not_found(f"Contact {text} was not found.")


def get(store: SimStore, ref: Any) -> dict[str, Any]:
    with store.lock:
        return public(require(store, ref))


def _duplicate_of(store: SimStore, props: Mapping[str, Any]) -> dict[str, Any] | None:
    """Matched on the email; a contact created without one is matched on the mobile."""
    if props.get("email"):
        return store.contact_by_email(props["email"])
    mobile = props.get("mobile")
    return next((r for r in store.contacts.values() if mobile and r["mobile"] == mobile), None)


def _status_change(store: SimStore, old: Mapping[str, Any], new: dict[str, Any], via: str) -> None:
    """Who switched a contact off is remembered: only the contact may undo their own."""
    if new["status"] == old["status"]:
        return
    if new["status"] == "on" and old.get("sim_status_by") == "contact":
        message = (
            f"Contact {old['id']} switched themselves {old['status']}; only the contact can switch "
            "their status back on."
        )
        subscriptions.log_illegal(store, old, via, f"status {old['status']} -> on", message)
        raise invalid(message)
    if new["status"] == "on":
        new.pop("sim_status_by", None)
    else:
        new["sim_status_by"] = "account"


def _merge(store: SimStore, old: dict[str, Any], props: Mapping[str, Any], via: str) -> dict[str, Any]:
    if props.get("email") and props["email"].lower() != (old["email"] or "").lower():
        other = store.contact_by_email(props["email"])
        if other is not None and other["id"] != old["id"]:
            raise conflict(f"Another contact already has the email address {props['email']}.")
    new = {**old, **props}
    _status_change(store, old, new, via)
    new["date_modified"] = store.bump(old["date_modified"])
    new["update_count"] = int(old.get("update_count", 0)) + 1
    return new


def create(store: SimStore, body: Mapping[str, Any], via: str) -> tuple[dict[str, Any], bool]:
    """(record, created). A duplicate is refused with 409 unless on_duplicate is "update",
    which updates the existing contact (and its subscriptions) instead."""
    with store.lock:
        data = parse_create(body, store.lists)
        existing = _duplicate_of(store, data.properties)
        if existing is not None:
            if not data.on_duplicate_update:
                raise conflict("A contact with this email address (or mobile number) already exists.")
            record = _merge(store, existing, data.properties, via)
            created = False
        else:
            now = store.now()
            contact_id = store.add_contact(
                {**data.properties, "date_create": now, "date_modified": now, "sim_status_by": "account"}
            )
            record = store.contacts[contact_id]
            if record["status"] == "on":
                record.pop("sim_status_by")
            created = True
        # Subscriptions are checked before anything is stored, so a refused one leaves no trace.
        for list_id, status in data.lists.items():
            subscriptions.check(store, record, list_id, {"email_status": status}, via)
        if not created:
            store.put_contact(record)
        for list_id, status in data.lists.items():
            subscriptions.apply(store, record, list_id, {"email_status": status})
        return public(record), created


def update(store: SimStore, ref: Any, body: Mapping[str, Any], via: str) -> dict[str, Any]:
    """Merge semantics: only the given properties change."""
    with store.lock:
        props = parse_update(body)
        new = _merge(store, require(store, ref), props, via)
        store.put_contact(new)
        return public(new)


def delete(store: SimStore, ref: Any) -> dict[str, Any]:
    """A hard delete, subscriptions included (the docs say nothing; see the README)."""
    with store.lock:
        record = require(store, ref)
        store.drop_contact(record["id"])
        return public(record)


def page(
    store: SimStore,
    number: int,
    count: int,
    filters: Mapping[str, Any],
    order: str = "id",
    direction: str = "asc",
) -> tuple[list[dict[str, Any]], bool]:
    """One page of contacts (every status: on, off and suppressed) and whether more follow."""
    if order not in ORDERABLE:
        raise invalid(f"order must be one of: {', '.join(ORDERABLE)}.")
    if direction not in ("asc", "desc"):
        raise invalid("direction must be 'asc' or 'desc'.")
    with store.lock:
        rows: Any = store.contacts.values()
        email = str(filters.get("email") or "").strip().lower()
        if email:
            rows = [r for r in rows if (r["email"] or "").lower() == email]
        if filters.get("list_id") not in (None, ""):
            subs = store.subscriptions.get(_list_ref(filters["list_id"]), {})
            rows = [r for r in rows if r["id"] in subs]
        if order != "id" or direction != "asc":
            rows = sorted(rows, key=lambda r: (r[order], r["id"]), reverse=direction == "desc")
        start = (number - 1) * count
        chunk = list(islice(rows, start, start + count + 1))
        return [public(r) for r in chunk[:count]], len(chunk) > count


def _list_ref(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise EvError(400, "list_id must be a list id.") from err
