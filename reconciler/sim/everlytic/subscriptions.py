"""Lists and per-list subscriptions (everlytic §4.2, §4.3, §4.5), and the consent rule the
simulator enforces on them.

A subscription holds an email_status and a mobile_status. A write merges the statuses it
gives into the record; setting both to "" removes the subscription. The consent rule: a
contact who unsubscribed themselves from a list, or switched themselves off / suppressed,
cannot be given a mailing status again by the account, and their opt-out record cannot be
erased by it either. Such writes are refused (400) and written to the illegal log."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from reconciler.sim.everlytic.rules import MAILING_STATUSES, SUBSCRIPTION_STATUSES
from reconciler.sim.everlytic.store import SimStore, public
from reconciler.sim.everlytic.wire import EvError, invalid, not_found

__all__ = [
    "apply",
    "check",
    "create_list",
    "get_list",
    "log_illegal",
    "page_lists",
    "page_subscriptions",
    "require_list",
    "write",
]

_STATUS_KEYS = ("email_status", "mobile_status")
_ALLOWED_KEYS = frozenset({"list_id", "contact_id", *_STATUS_KEYS})


def log_illegal(store: SimStore, contact: Mapping[str, Any], via: str, attempt: str, reason: str) -> None:
    store.illegal_log.append(
        {
            "at": store.now(),
            "via": via,
            "contact_id": contact["id"],
            "email": contact["email"],
            "attempt": attempt,
            "reason": reason,
        }
    )


def require_list(store: SimStore, ref: Any) -> dict[str, Any]:
    try:
        list_id = int(ref)
    except (TypeError, ValueError):
        list_id = -1
    record = store.lists.get(list_id)
    if record is None:
        raise not_found(f"List {ref} was not found.")
    return record


def get_list(store: SimStore, ref: Any) -> dict[str, Any]:
    with store.lock:
        return dict(require_list(store, ref))


def page_lists(store: SimStore, number: int, count: int) -> tuple[list[dict[str, Any]], bool]:
    with store.lock:
        chunk = list(islice(store.lists.values(), (number - 1) * count, number * count + 1))
        return [dict(r) for r in chunk[:count]], len(chunk) > count


def create_list(store: SimStore, body: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(body) - {"name", "owner_email", "description"}
    if unknown:
        raise invalid(f"Unknown list properties: {', '.join(sorted(unknown))}.")
    name, owner = body.get("name"), body.get("owner_email")
    if not isinstance(name, str) or not name.strip():
        raise invalid("'name' is required.")
    if not isinstance(owner, str) or "@" not in owner:
        raise invalid("'owner_email' is required: the email address of the list's owner.")
    with store.lock:
        if any(r["name"] == name for r in store.lists.values()):
            raise EvError(409, f"A list named {name} already exists.")
        return dict(store.lists[store.add_list(name, owner_email=owner)])


def page_subscriptions(
    store: SimStore, list_ref: Any, number: int, count: int
) -> tuple[list[dict[str, Any]], bool]:
    with store.lock:
        subs = store.subscriptions[require_list(store, list_ref)["id"]]
        chunk = list(islice(subs.values(), (number - 1) * count, number * count + 1))
        return [public(r) for r in chunk[:count]], len(chunk) > count


def check(
    store: SimStore, contact: Mapping[str, Any], list_id: int, statuses: Mapping[str, str], via: str
) -> None:
    """Refuse (and log) a write that would opt in, or erase the opt-out of, a contact who
    opted out themselves. Caller holds the lock."""
    old = store.subscriptions[list_id].get(contact["id"])
    new_email = statuses.get("email_status", old["email_status"] if old else "")
    own_list_opt_out = (
        old is not None
        and old["email_status"] == "unsubscribed"
        and old.get("sim_unsubscribed_by") == "contact"
    )
    own_status_opt_out = contact["status"] != "on" and contact.get("sim_status_by") == "contact"
    if new_email in MAILING_STATUSES and (own_list_opt_out or own_status_opt_out):
        attempt = f"set their email status on list {list_id} to {new_email}"
    elif own_list_opt_out and new_email == "":
        attempt = f"erase their opt-out from list {list_id}"
    else:
        return
    why = (
        "unsubscribed themselves from this list"
        if own_list_opt_out
        else f"switched themselves {contact['status']}"
    )
    message = (
        f"Contact {contact['id']} {why}; only the contact can opt back in. The account may not {attempt}."
    )
    log_illegal(store, contact, via, attempt, message)
    raise invalid(message)


def apply(store: SimStore, contact: Mapping[str, Any], list_id: int, statuses: Mapping[str, str]) -> None:
    """Merge `statuses` into the subscription (creating it); both empty removes it. Caller
    holds the lock and has run `check`."""
    subs = store.subscriptions[list_id]
    old = subs.get(contact["id"])
    record = dict(old) if old is not None else store.new_subscription(list_id, contact)
    record.update(statuses)
    if not record["email_status"] and not record["mobile_status"]:
        subs.pop(contact["id"], None)
        return
    was = old["email_status"] if old else ""
    now = store.now()
    if record["email_status"] == "unsubscribed" and was != "unsubscribed":
        record.update(email_unsubscribed_date=now, sim_unsubscribed_by="account")
    elif record["email_status"] in MAILING_STATUSES and was not in MAILING_STATUSES:
        record["date_opt_in"] = now
        record.pop("sim_unsubscribed_by", None)
    subs[contact["id"]] = record


def _statuses(body: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in _STATUS_KEYS:
        if key in body:
            value = body[key]
            if value not in (*SUBSCRIPTION_STATUSES, ""):
                raise invalid(
                    f"{key} must be one of: {', '.join(SUBSCRIPTION_STATUSES)}, or empty to remove."
                )
            out[key] = str(value)
    if not out:
        raise invalid("Either 'email_status' or 'mobile_status' is required.")
    return out


def write(store: SimStore, list_ref: Any, body: Mapping[str, Any], via: str) -> bool:
    """POST /list_subscriptions/:list_id (XML-RPC ListSubscription): create or update one
    contact's subscription on one list."""
    unknown = set(body) - _ALLOWED_KEYS
    if unknown:
        raise invalid(f"Unknown subscription properties: {', '.join(sorted(unknown))}.")
    with store.lock:
        list_id = require_list(store, list_ref)["id"]
        if "list_id" in body and str(body["list_id"]) != str(list_id):
            raise invalid("The list_id in the body does not match the list in the path.")
        contact_ref = body.get("contact_id")
        if isinstance(contact_ref, bool) or not str(contact_ref or "").isdigit():
            raise invalid("'contact_id' is required.")
        contact = store.contacts.get(int(str(contact_ref)))
        if contact is None:
            raise not_found(f"Contact {contact_ref} was not found.")
        statuses = _statuses(body)
        check(store, contact, list_id, statuses, via)
        apply(store, contact, list_id, statuses)
        return True
