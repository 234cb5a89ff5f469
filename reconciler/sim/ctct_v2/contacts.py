"""Contact writes (ctct-v2 §2.2-2.5): create, full-replace PUT, DELETE (= opt-out), and the
rule that only the contact's own action (ACTION_BY_VISITOR) lifts an OPTOUT.

List membership drives status: a PUT that leaves a contact on no list makes it REMOVED, one
that gives a removed contact lists makes it ACTIVE again. Every function holds the store lock
for its whole read-check-write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v2.records import email_entry, ordered, status_for_lists
from reconciler.sim.ctct_v2.rules import ContactInput, action_by, parse_contact
from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v2.wire import SimError, bad_request, conflict, not_found
from reconciler.sim.ctct_v3.wire import new_id

__all__ = ["build", "check_unique", "create", "delete_params", "opt_out", "replace", "require"]

OWNER, VISITOR = "ACTION_BY_OWNER", "ACTION_BY_VISITOR"


def require(store: SimStore, contact_id: str) -> dict[str, Any]:
    record = store.record(contact_id)
    if record is None:
        raise not_found(f"No persons found using 'contact ids ({contact_id})'")
    return record


def check_unique(store: SimStore, address: str, own_id: str | None) -> None:
    holder = store.record_by_email(address)
    if holder is not None and holder["id"] != own_id:
        # v2 says 409 for any existing address, removed and opted-out ones included.
        raise conflict(f"Email address {address} is already in use by another contact.")


def _addresses(items: list[dict[str, str]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An address keeps the id of the old one of its type (there is at most one per type)."""
    old_ids = {a.get("address_type"): a.get("id") for a in old}
    return [dict(item, id=old_ids.get(item["address_type"]) or new_id()) for item in items]


def _notes(items: list[dict[str, str]], old: list[dict[str, Any]], now: str) -> list[dict[str, Any]]:
    """A note sent back with its id keeps its date; one without an id is new."""
    dates = {n.get("id"): n.get("created_date") for n in old}
    out = []
    for item in items:
        known = item.get("id") in dates
        note_id = item["id"] if known else new_id()
        out.append({"id": note_id, "note": item["note"], "created_date": dates[note_id] if known else now})
    return out


def build(
    old: Mapping[str, Any], data: ContactInput, status: str, email: Mapping[str, Any], now: str
) -> dict[str, Any]:
    """The record a full write produces: every writable property from `data` (the rest null),
    read-only ones kept from `old`."""
    record: dict[str, Any] = {
        "id": old["id"],
        "status": status,
        **data.strings,
        "addresses": _addresses(data.addresses, old.get("addresses") or []),
        "email_addresses": [email_entry(dict(email, status=status, email_address=data.address))],
        "lists": [] if status == "OPTOUT" else [{"id": i} for i in data.list_ids],
        "custom_fields": data.custom_fields,
        "notes": _notes(data.notes, old.get("notes") or [], now),
        "confirmed": old.get("confirmed", False),
        "source": old.get("source") or "API",
        "source_details": old.get("source_details"),
        "created_date": old.get("created_date") or now,
        "modified_date": now,
    }
    if status == "OPTOUT":
        record["_opt_out_by"] = old.get("_opt_out_by") or "owner"
    return ordered(record)


def _consent_entry(store: SimStore, event: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    store.consent_log.append(
        {
            "at": store.now(),
            "event": event,
            "contact_id": new["id"],
            "email": new["email_addresses"][0]["email_address"],
            "previous_status": old.get("status"),
            "status": new["status"],
            "lists_added": [m["id"] for m in new["lists"] if m not in (old.get("lists") or [])],
        }
    )


def create(store: SimStore, body: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    with store.lock:
        data = parse_contact(body, store.lists)
        actor = action_by(params)
        check_unique(store, data.address, None)
        # Without lists the new contact is on no list, which v2 calls REMOVED (unconfirmed
        # for a create; it is what a PUT without lists does).
        status = "ACTIVE" if data.list_ids else "REMOVED"
        now, contact_id = store.now(), store.new_id()
        email = {"id": f"e{contact_id}", "confirm_status": "NO_CONFIRMATION_REQUIRED", "opt_in_source": actor}
        if status == "ACTIVE":
            email["opt_in_date"] = now
        record = build({"id": contact_id}, data, status, email, now)
        store.insert(record)
        if actor == VISITOR:
            _consent_entry(store, "post_by_visitor", {}, record)
        return record


def _refuse_owner_opt_in(store: SimStore, old: Mapping[str, Any], list_ids: list[str]) -> SimError:
    message = (
        f"Contact {old['id']} has opted out (OPTOUT); only the contact's own action "
        "(action_by=ACTION_BY_VISITOR) can add it to a list."
    )
    store.illegal_log.append(
        {
            "at": store.now(),
            "operation": "PUT",
            "contact_id": old["id"],
            "email": old["email_addresses"][0]["email_address"],
            "action_by": OWNER,
            "opted_out_by": old.get("_opt_out_by"),
            "lists_added": list_ids,
            "reason": message,
        }
    )
    return bad_request("http.status.bad_request.optout", message)


def replace(
    store: SimStore, contact_id: str, body: Mapping[str, Any], params: Mapping[str, str]
) -> dict[str, Any]:
    with store.lock:
        old = require(store, contact_id)
        data = parse_contact(body, store.lists)
        actor = action_by(params)
        check_unique(store, data.address, old["id"])
        before = old["status"]
        if before == "OPTOUT" and data.list_ids and actor == OWNER:
            raise _refuse_owner_opt_in(store, old, data.list_ids)
        if before == "OPTOUT" and not data.list_ids and actor == VISITOR:
            raise bad_request(
                "json.min.items.violation", "#/lists: a contact opting back in needs at least one list."
            )
        if before == "OPTOUT" and not data.list_ids:
            status = "OPTOUT"  # the owner may still edit an opted-out contact's details
        else:
            status = status_for_lists(before, bool(data.list_ids))
        now = store.bump(old.get("modified_date"))
        email = dict(old["email_addresses"][0])
        if status == "ACTIVE" and before != "ACTIVE":
            email.update(opt_in_source=actor, opt_in_date=now)
        record = build(old, data, status, email, now)
        store.replace(record)
        if actor == VISITOR and status == "ACTIVE" and before != "ACTIVE":
            _consent_entry(store, "put_by_visitor", old, record)
        return record


def opt_out(store: SimStore, contact_id: str, by: str) -> dict[str, Any]:
    """DELETE (by="owner") or the contact's own unsubscribe (by="visitor"): OPTOUT, off every
    list. Later opt-outs by the contact are recorded as theirs."""
    with store.lock:
        old = require(store, contact_id)
        if old["status"] == "OPTOUT" and (by == "owner" or old.get("_opt_out_by") == by):
            return old
        now = store.bump(old.get("modified_date"))
        email = dict(old["email_addresses"][0], status="OPTOUT")
        email.setdefault("opt_out_date", now)
        if old["status"] != "OPTOUT":
            email["opt_out_date"] = now
        record = dict(old, status="OPTOUT", lists=[], email_addresses=[email_entry(email)], modified_date=now)
        record["_opt_out_by"] = by
        record = ordered(record)
        store.replace(record)
        return record


def delete_params(params: Mapping[str, str]) -> None:
    if "action_by" in params:
        raise bad_request(
            "query.param.action_by.is_not_valid_for.delete",
            "The action_by query parameter is not valid for DELETE.",
        )
