"""The account's contact writes (ctct-v1 §3.2-3.4): create, the complete-entry PUT with its
list-set and Do-Not-Mail rules, and DELETE (which is an opt-out, not a deletion).

Every function holds the store lock for its whole read-check-write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v1.fields import (
    ACTION_BY_CONTACT,
    ACTION_BY_CUSTOMER,
    ACTIVE,
    DO_NOT_MAIL,
    REMOVED,
    WRITABLE,
)
from reconciler.sim.ctct_v1.incoming import parse_contact
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v1.wire import full_elements
from reconciler.sim.ctct_v3.wire import conflict, invalid, not_found

__all__ = [
    "check_unique",
    "consent_entry",
    "create",
    "membership",
    "opt_out",
    "opted_in",
    "replace",
    "require",
]

_OPT_OUT = ("OptOutTime", "OptOutSource", "OptOutReason")


def require(store: SimStore, contact_id: str) -> dict[str, Any]:
    record = store.record(int(contact_id)) if contact_id.isdigit() else None
    if record is None:
        raise not_found(f"Contact {contact_id} was not found.")
    return record


def check_unique(store: SimStore, email: str, own_id: int | None) -> None:
    holder = store.record_by_email(email)
    if holder is not None and holder["id"] != own_id:
        raise conflict(f"A contact with the email address {email} already exists; use PUT to update it.")


def membership(list_id: int, source: str, now: str) -> dict[str, Any]:
    return {"id": list_id, "OptInSource": source, "OptInTime": now}


def opted_in(record: Mapping[str, Any], source: str, now: str) -> dict[str, Any]:
    """`record` made mailable again by `source`: Active, its opt-out bookkeeping gone."""
    out = {k: v for k, v in record.items() if k not in _OPT_OUT}
    out.update(Status=ACTIVE, OptInSource=source, OptInTime=now)
    return out


def consent_entry(store: SimStore, event: str, old: Mapping[str, Any], lists_added: list[int]) -> None:
    store.consent_log.append(
        {
            "at": store.now(),
            "event": event,
            "contact_id": old["id"],
            "email": old["EmailAddress"],
            "previous_status": old["Status"],
            "previous_opt_out_source": old.get("OptOutSource"),
            "lists_added": lists_added,
        }
    )


def create(store: SimStore, username: str, body: bytes) -> dict[str, Any]:
    with store.lock:
        data = parse_contact(body, username, store.lists, create=True)
        check_unique(store, data.values["EmailAddress"], None)
        now = store.now()
        source = data.opt_in_source or ACTION_BY_CUSTOMER
        record: dict[str, Any] = {"id": store.next_contact_id(), "Status": ACTIVE}
        record.update({name: data.values.get(name, "") for name in WRITABLE})
        record["EmailType"] = record["EmailType"] or "HTML"
        record.update(
            Confirmed="false", InsertTime=now, LastUpdateTime=now, OptInTime=now, OptInSource=source
        )
        record["lists"] = [membership(i, source, now) for i in data.lists or ()]
        store.insert(record)
        if source == ACTION_BY_CONTACT:
            consent_entry(store, "create_by_contact", record, list(data.lists or ()))
        return record


def _refuse_illegal_opt_in(store: SimStore, old: Mapping[str, Any], source: str, added: list[int]) -> None:
    message = (
        f"Contact {old['id']} is on the Do Not Mail list; only the contact can opt back in "
        f"(OptInSource {ACTION_BY_CONTACT}, as the direct result of their own action). "
        f"The account may not add it to a list with OptInSource {source}."
    )
    store.illegal_log.append(
        {
            "at": store.now(),
            "operation": "PUT",
            "contact_id": old["id"],
            "email": old["EmailAddress"],
            "opt_in_source": source,
            "lists_added": added,
            "reason": message,
        }
    )
    raise invalid(message)


def replace(store: SimStore, username: str, contact_id: str, body: bytes) -> dict[str, Any]:
    """PUT: the body is the complete entry (every element the GET returns must be there), its
    <ContactLists> the complete membership set. No list -> Removed; a Do-Not-Mail contact can
    only be put on lists with the contact's own OptInSource."""
    with store.lock:
        old = require(store, contact_id)
        data = parse_contact(body, username, store.lists, create=False)
        missing = [name for name in full_elements(old) if name not in data.present]
        if missing:
            raise invalid(
                f"The entry is missing {', '.join(missing)}, which the contact's entry has. PUT replaces the "
                "whole contact: GET the entry, change it, and PUT all of it back."
            )
        check_unique(store, data.values["EmailAddress"], old["id"])
        source = data.opt_in_source or ACTION_BY_CUSTOMER
        lists = data.lists if data.lists is not None else [m["id"] for m in old["lists"]]
        kept = {m["id"]: m for m in old["lists"]}
        added = [i for i in lists if i not in kept]
        now = store.now()
        record = dict(old)
        record.update({name: value for name, value in data.values.items() if name in WRITABLE})
        if old["Status"] == DO_NOT_MAIL and lists:
            if source != ACTION_BY_CONTACT:
                _refuse_illegal_opt_in(store, old, source, added)
            consent_entry(store, "put_by_contact", old, added)
            record = opted_in(record, source, now)
        elif old["Status"] == DO_NOT_MAIL:
            lists = []
        elif not lists:
            record["Status"] = REMOVED  # not an opt-out: the account can add it to a list again
        elif old["Status"] == REMOVED:
            record = opted_in(record, source, now)
        if source == ACTION_BY_CONTACT and added and old["Status"] != DO_NOT_MAIL:
            consent_entry(store, "put_by_contact", old, added)
        record["lists"] = [kept.get(i) or membership(i, source, now) for i in lists]
        record["LastUpdateTime"] = store.bump(old["LastUpdateTime"])
        store.replace(record)
        return record


def opt_out(store: SimStore, contact_id: str, source: str = ACTION_BY_CUSTOMER, reason: str = "") -> None:
    """DELETE (the account) or the contact's unsubscribe link: onto Do Not Mail, off every list."""
    with store.lock:
        old = require(store, contact_id)
        if old["Status"] == DO_NOT_MAIL:
            return
        record = dict(old)
        now = store.now()
        record.update(Status=DO_NOT_MAIL, lists=[], OptOutTime=now, OptOutSource=source)
        if reason:
            record["OptOutReason"] = reason
        record["LastUpdateTime"] = store.bump(old["LastUpdateTime"])
        store.replace(record)
