"""What contacts do themselves: sign up through the account's form (the one contact-side
path in the v3 API), and the actions the simulator's admin API plays out for them
(unsubscribe link, confirmation link, editing their own details). These may opt a contact
back in, so each such opt-in is written to the consent log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v3.contacts import (
    check_unique,
    consent_entry,
    create,
    finish_email,
    require,
    transition,
)
from reconciler.sim.ctct_v3.records import addresses, ordered, ordered_email, phones
from reconciler.sim.ctct_v3.rules import parse_edit, parse_sign_up
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import invalid

__all__ = ["confirm", "edit", "sign_up", "unsubscribe"]

_MAX_LISTS, _MAX_CUSTOM, _MAX_PHONES, _MAX_ADDRESSES = 50, 25, 3, 3


def _capped(items: list[Any], limit: int) -> list[Any]:
    return items[-limit:]


def sign_up(store: SimStore, body: Mapping[str, Any]) -> tuple[str, str]:
    """Create-or-update keyed on email, as the contact's own sign-up: a partial update that
    appends lists and custom fields and gives explicit permission (confirmed opt-in is off
    on the simulated account), even to a contact who had unsubscribed."""
    with store.lock:
        data = parse_sign_up(body, store.lists, store.fields)
        old = store.record_by_email(data.address)
        now = store.now()
        phone = [{"phone_number": data.phone_number, "kind": "other"}] if data.phone_number else []
        street = [data.street_address] if data.street_address else []
        if old is None:
            created = create(
                store,
                {
                    "email_address": {"address": data.address, "permission_to_send": "explicit"},
                    "create_source": "Contact",
                    **data.core,
                    "list_memberships": data.list_ids,
                    "custom_fields": data.custom_fields,
                    "phone_numbers": phone,
                    "street_addresses": street,
                },
            )
            return str(created["contact_id"]), "created"
        old_email = old["email_address"]
        email = transition(old_email, "explicit", "Contact", None, now)
        email["opt_in_source"] = "Contact"
        email = finish_email(old_email, email, now)
        lists = list(old["list_memberships"]) if old["status"] != "deleted" else []
        added = [i for i in data.list_ids if i not in lists]
        if len(lists) + len(added) > _MAX_LISTS:
            raise invalid(f"A contact can be a member of at most {_MAX_LISTS} lists.")
        custom = {cf["custom_field_id"]: cf["value"] for cf in old["custom_fields"]}
        custom.update({cf["custom_field_id"]: cf["value"] for cf in data.custom_fields})
        if len(custom) > _MAX_CUSTOM:
            raise invalid(f"A contact can have at most {_MAX_CUSTOM} custom_fields.")
        old_phones: list[dict[str, Any]] = old["phone_numbers"]
        new_phones = [p for p in phone if all(o["phone_number"] != p["phone_number"] for o in old_phones)]
        old_streets: list[dict[str, Any]] = old["street_addresses"]
        kinds = {s["kind"] for s in street}
        record = {k: v for k, v in old.items() if k != "deleted_at"}
        record.update(data.core)
        record.update(
            email_address=email,
            update_source="Contact",
            updated_at=store.bump(old["updated_at"]),
            status="active",
            list_memberships=lists + added,
            custom_fields=[{"custom_field_id": k, "value": v} for k, v in custom.items()],
            phone_numbers=_capped(old_phones + phones(new_phones, [], "Contact", now), _MAX_PHONES),
            street_addresses=_capped(
                [s for s in old_streets if s["kind"] not in kinds] + addresses(street, old_streets, now),
                _MAX_ADDRESSES,
            ),
        )
        if old_email.get("permission_to_send") != "explicit":
            consent_entry(store, "sign_up_form", old, email, added)
        store.replace(ordered(record))
        return str(old["contact_id"]), "updated"


def unsubscribe(store: SimStore, contact_id: str, reason: str | None) -> dict[str, Any]:
    """The contact clicks Unsubscribe: their own opt-out, whatever was there before."""
    with store.lock:
        old = require(store, contact_id)
        now = store.now()
        email = {k: v for k, v in old["email_address"].items() if not k.startswith("opt_out")}
        email.update(
            permission_to_send="unsubscribed",
            opt_out_source="Contact",
            opt_out_date=now,
            opt_out_reason=reason,
            updated_at=now,
        )
        record = dict(old)
        record.update(
            email_address=ordered_email(email),
            list_memberships=[],
            update_source="Contact",
            updated_at=store.bump(old["updated_at"]),
        )
        record = ordered(record)
        store.replace(record)
        return record


def confirm(store: SimStore, contact_id: str) -> dict[str, Any]:
    """The contact confirms (a confirmation or resubscribe link): explicit permission on the
    contact's own action, from any state."""
    with store.lock:
        old = require(store, contact_id)
        now = store.now()
        email = transition(old["email_address"], "explicit", "Contact", None, now)
        email.update(opt_in_source="Contact", confirm_status="confirmed")
        email = finish_email(old["email_address"], email, now)
        record = dict(old)
        record.update(email_address=email, update_source="Contact", updated_at=store.bump(old["updated_at"]))
        consent_entry(store, "confirm", old, email, [])
        record = ordered(record)
        store.replace(record)
        return record


def edit(store: SimStore, contact_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The contact edits their own details: only the supplied properties change."""
    with store.lock:
        old = require(store, contact_id)
        data = parse_edit(body, store.fields)
        now = store.now()
        record = dict(old)
        if data.address is not None:
            check_unique(store, data.address, old["contact_id"])
            email = dict(old["email_address"], address=data.address)
            record["email_address"] = finish_email(old["email_address"], email, now)
        record.update(data.core)
        subs = data.subresources
        if "custom_fields" in subs:
            record["custom_fields"] = subs["custom_fields"]
        if "phone_numbers" in subs:
            record["phone_numbers"] = phones(subs["phone_numbers"], old["phone_numbers"], "Contact", now)
        if "street_addresses" in subs:
            record["street_addresses"] = addresses(subs["street_addresses"], old["street_addresses"], now)
        record.update(update_source="Contact", updated_at=store.bump(old["updated_at"]))
        record = ordered(record)
        store.replace(record)
        return record
