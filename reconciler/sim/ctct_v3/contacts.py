"""The account's contact writes (ctct-v3 §1.4-1.6): create, full-replace PUT with its
nulling and subresource rules, soft delete and revival, and the consent rule the account
must not break. Also the email-permission bookkeeping the contact's own actions
(self_service.py) share.

Every function takes the store lock for its whole read-check-write, so concurrent requests
see each write whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v3.records import SUBSCRIBED, addresses, notes, ordered, ordered_email, phones
from reconciler.sim.ctct_v3.rules import (
    CORE_FIELDS,
    parse_contact,
)
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import conflict, invalid, is_uuid, new_id, not_found

__all__ = [
    "check_unique",
    "consent_entry",
    "create",
    "delete",
    "finish_email",
    "replace",
    "require",
    "transition",
]


def require(store: SimStore, contact_id: str) -> dict[str, Any]:
    if not is_uuid(contact_id):
        raise not_found("contact_id is in an invalid format.")
    record = store.record(contact_id)
    if record is None:
        raise not_found(f"Contact {contact_id} not found.")
    return record


def check_unique(store: SimStore, address: str, own_id: str | None) -> None:
    holder = store.record_by_email(address)
    if holder is not None and holder["contact_id"] != own_id:
        raise conflict(f"Email already exists for contact {holder['contact_id']}")


def _opted_out_by_contact(email: Mapping[str, Any]) -> bool:
    # No recorded source is read as the contact's own opt-out: the reading that never lets
    # the account re-permission someone who may have opted out themselves.
    return (
        email.get("permission_to_send") == "unsubscribed"
        and email.get("opt_out_source", "Contact") == "Contact"
    )


def transition(
    old: Mapping[str, Any], permission: str, source: str, reason: str | None, now: str
) -> dict[str, Any]:
    """The email_address after a write sets `permission` (opt-in/opt-out bookkeeping)."""
    email = {k: old.get(k) for k in ("address", "created_at", "updated_at", "opt_in_source", "opt_in_date")}
    email["permission_to_send"] = permission
    before = old.get("permission_to_send")
    if permission == "unsubscribed":
        already = before == "unsubscribed"
        email["opt_out_source"] = old.get("opt_out_source") if already else source
        email["opt_out_date"] = old.get("opt_out_date") if already else now
        email["opt_out_reason"] = reason
    elif permission in SUBSCRIBED and before not in SUBSCRIBED:
        email["opt_in_date"] = now
    confirm = old.get("confirm_status") or "off"
    email["confirm_status"] = (
        "pending" if permission == "pending_confirmation" else ("off" if confirm == "pending" else confirm)
    )
    return email


def finish_email(old: Mapping[str, Any], email: dict[str, Any], now: str) -> dict[str, Any]:
    changed = any(email.get(k) != old.get(k) for k in ("address", "permission_to_send", "opt_out_reason"))
    if changed:
        email["updated_at"] = now
    return ordered_email(email)


def consent_entry(
    store: SimStore, event: str, old: Mapping[str, Any], new_email: Mapping[str, Any], lists_added: list[str]
) -> None:
    before = old["email_address"]
    store.consent_log.append(
        {
            "at": store.now(),
            "event": event,
            "contact_id": old["contact_id"],
            "email": new_email["address"],
            "previous_permission": before.get("permission_to_send"),
            "previous_opt_out_source": before.get("opt_out_source"),
            "permission_to_send": new_email["permission_to_send"],
            "lists_added": lists_added,
        }
    )


def create(store: SimStore, body: Mapping[str, Any]) -> dict[str, Any]:
    with store.lock:
        data = parse_contact(body, "post", store.lists, store.fields)
        check_unique(store, data.address, None)
        now = store.now()
        lists = data.subresources.get("list_memberships", [])
        # Not documented for POST /contacts; this follows the import rule (new contacts added
        # to lists are implicit) and leaves list-less contacts without a permission.
        permission = data.permission or ("implicit" if lists else "not_set")
        email: dict[str, Any] = {
            "address": data.address,
            "created_at": now,
            "updated_at": now,
            "opt_in_source": data.source,
            "confirm_status": "off",
        }
        email = transition(email, permission, data.source, data.opt_out_reason, now)
        if permission == "unsubscribed":
            lists = []
        record: dict[str, Any] = {
            "contact_id": new_id(),
            "email_address": ordered_email(email),
            **data.core,
            "update_source": data.source,
            "create_source": data.source,
            "created_at": now,
            "updated_at": now,
            "custom_fields": data.subresources.get("custom_fields", []),
            "phone_numbers": phones(data.subresources.get("phone_numbers", []), [], data.source, now),
            "street_addresses": addresses(data.subresources.get("street_addresses", []), [], now),
            "list_memberships": lists,
            "taggings": data.subresources.get("taggings", []),
            "notes": notes(data.subresources.get("notes", []), now),
            "status": "active",
        }
        record = ordered(record)
        store.insert(record)
        return record


def _refuse_illegal_opt_in(
    store: SimStore, old: Mapping[str, Any], permission: str, requested: str | None, added: list[str]
) -> None:
    attempts = []
    if permission != "unsubscribed":
        attempts.append(f"set permission_to_send to {permission}")
    if added:
        attempts.append(f"add {len(added)} list membership(s)")
    if not attempts:
        return
    message = (
        f"Contact {old['contact_id']} unsubscribed themselves (opt_out_source Contact); only the contact "
        f"can opt back in. The account may not {' or '.join(attempts)}."
    )
    store.illegal_log.append(
        {
            "at": store.now(),
            "operation": "PUT",
            "contact_id": old["contact_id"],
            "email": old["email_address"]["address"],
            "update_source": "Account",
            "permission_to_send": requested,
            "lists_added": added,
            "reason": message,
        }
    )
    raise invalid(message)


def replace(store: SimStore, contact_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """PUT: core properties are overwritten (omitted = null), included subresources replace
    their whole set, omitted ones are kept; a deleted contact is revived."""
    with store.lock:
        old = require(store, contact_id)
        data = parse_contact(body, "put", store.lists, store.fields)
        check_unique(store, data.address, old["contact_id"])
        old_email = old["email_address"]
        old_lists: list[str] = old["list_memberships"]
        lists = data.subresources.get("list_memberships", old_lists)
        added = [i for i in lists if i not in old_lists]
        # permission_to_send is one of the email's writable properties: omitted means nulled,
        # and a null permission reads back as not_set.
        permission = data.permission or "not_set"
        if data.source == "Account" and _opted_out_by_contact(old_email):
            _refuse_illegal_opt_in(store, old, permission, data.permission, added)
        if permission == "unsubscribed" and old_email.get("permission_to_send") == "unsubscribed" and added:
            # Re-adding a (legally re-addable) unsubscribed contact to a list subscribes them again.
            permission = "implicit" if data.source == "Account" else "explicit"
        now = store.now()
        email = transition(old_email, permission, data.source, data.opt_out_reason, now)
        email["address"] = data.address
        email = finish_email(old_email, email, now)
        if permission == "unsubscribed":
            lists = []
        record = {k: v for k, v in old.items() if k not in CORE_FIELDS and k != "deleted_at"}
        record.update(data.core)
        record.update(
            email_address=email,
            update_source=data.source,
            updated_at=store.bump(old["updated_at"]),
            list_memberships=lists,
            status="active",
        )
        subs = data.subresources
        if "custom_fields" in subs:
            record["custom_fields"] = subs["custom_fields"]
        if "phone_numbers" in subs:
            record["phone_numbers"] = phones(subs["phone_numbers"], old["phone_numbers"], data.source, now)
        if "street_addresses" in subs:
            record["street_addresses"] = addresses(subs["street_addresses"], old["street_addresses"], now)
        if "taggings" in subs:
            record["taggings"] = subs["taggings"]
        if "notes" in subs:
            record["notes"] = notes(subs["notes"], now)
        if (
            data.source == "Contact"
            and old_email.get("permission_to_send") == "unsubscribed"
            and permission != "unsubscribed"
        ):
            consent_entry(store, "put_by_contact", old, email, added)
        record = ordered(record)
        store.replace(record)
        return record


def delete(store: SimStore, contact_id: str) -> None:
    """Soft delete: memberships go, permission stays, the email stays taken."""
    with store.lock:
        old = require(store, contact_id)
        if old["status"] == "deleted":
            raise not_found(f"Contact {contact_id} not found.")
        record = dict(old)
        record.update(
            status="deleted",
            deleted_at=store.today(),
            list_memberships=[],
            updated_at=store.bump(old["updated_at"]),
        )
        store.replace(ordered(record))
