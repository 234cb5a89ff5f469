"""What contacts do themselves, played through the admin API: follow an unsubscribe link,
opt back in, edit their own details. Their opt-outs are remembered as theirs (which the
account may then not undo); their opt-ins go to the consent log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.everlytic.rules import MAILING_STATUSES, parse_update
from reconciler.sim.everlytic.store import SimStore, public
from reconciler.sim.everlytic.wire import invalid, not_found

__all__ = ["confirm", "edit", "unsubscribe"]


def _contact(store: SimStore, email: str) -> dict[str, Any]:
    record = store.contact_by_email(email)
    if record is None:
        raise not_found(f"No contact has the email {email}.")
    return record


def unsubscribe(store: SimStore, email: str, list_name: str | None, reason: str | None) -> dict[str, Any]:
    """From one list (by name) or, without one, from every list the contact is on. A
    contact on no list uses the global unsubscribe instead: their status becomes suppressed."""
    with store.lock:
        contact = _contact(store, email)
        now = store.now()
        targets = [lid for lid, subs in store.subscriptions.items() if contact["id"] in subs]
        if list_name is not None:
            targets = [lid for lid in targets if store.lists[lid]["name"] == list_name]
            if not targets:
                raise invalid(f"{email} is not subscribed to a list named {list_name}.")
        for list_id in targets:
            sub = store.subscriptions[list_id][contact["id"]]
            sub.update(
                email_status="unsubscribed",
                email_unsubscribed_date=now,
                email_unsubscribed_reason=reason or "",
                sim_unsubscribed_by="contact",
            )
        if not targets:
            contact = {**contact, "status": "suppressed", "sim_status_by": "contact"}
        contact = {**contact, "date_modified": store.bump(contact["date_modified"])}
        store.put_contact(contact)
        return public(contact)


def confirm(store: SimStore, email: str) -> dict[str, Any]:
    """The contact opts back in themselves: their own opt-outs are lifted."""
    with store.lock:
        contact = _contact(store, email)
        now = store.now()
        lifted = []
        for list_id, subs in store.subscriptions.items():
            sub = subs.get(contact["id"])
            if sub is not None and sub["email_status"] not in MAILING_STATUSES:
                sub.update(email_status="confirmed", date_opt_in=now)
                sub.pop("sim_unsubscribed_by", None)
                lifted.append(list_id)
        contact = {k: v for k, v in contact.items() if k != "sim_status_by"}
        contact.update(status="on", date_modified=store.bump(contact["date_modified"]))
        store.put_contact(contact)
        store.consent_log.append(
            {"at": now, "contact_id": contact["id"], "email": contact["email"], "lists": lifted}
        )
        return public(contact)


def edit(store: SimStore, email: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The contact changes their own profile (not their status: that is unsubscribe/confirm)."""
    props = parse_update(body)
    if "status" in props or "email" in props:
        raise invalid("A contact's own edit changes profile details, not the status or the email address.")
    with store.lock:
        contact = _contact(store, email)
        new = {**contact, **props, "date_modified": store.bump(contact["date_modified"])}
        store.put_contact(new)
        return public(new)
