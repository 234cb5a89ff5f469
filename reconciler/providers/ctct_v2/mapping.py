"""Pure mapping between Constant Contact v2 contact JSON and the canonical contact.

A v2 PUT replaces every property: whatever it leaves out becomes null, `lists` included. So a
PUT body is the live record as read, with the read-only properties dropped and only the
planned changes applied. Properties this module does not know are carried through untouched
(a newer server field must not be nulled just because we never heard of it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Consent, ObservedContact
from reconciler.plan import Change, FieldChange
from reconciler.providers.ctct_v2.fields import (
    PHONE_PROPERTIES,
    addresses_from_wire,
    addresses_to_wire,
    phones_from_wire,
    phones_to_wire,
)
from reconciler.providers.ctct_v2.settings import SlotNames

__all__ = [
    "SCALARS",
    "build_create_body",
    "build_put_body",
    "consent_of",
    "email_of",
    "status_of",
    "to_observed",
]

SCALARS = ("first_name", "last_name", "job_title", "company_name")
_READ_ONLY = frozenset(
    {
        "id",
        "status",
        "confirmed",
        "source",
        "source_details",
        "source_is_url",
        "created_date",
        "modified_date",
        "insert_date",
        "last_update_date",
    }
)
# Reads may say ACTION_BY_SYSTEM, which a write must not repeat (the API rejects it).
_WRITABLE_OPT_IN = ("ACTION_BY_OWNER", "ACTION_BY_VISITOR")
_CONSENT = {
    "ACTIVE": Consent.SUBSCRIBED,
    "UNCONFIRMED": Consent.PENDING,
    "TEMP_HOLD": Consent.TEMP_HOLD,
    # v2 records no opt-out source, and only the contact can undo an OPTOUT anyway, so every
    # OPTOUT is the contact's own: the reading that never re-adds someone without their action.
    "OPTOUT": Consent.UNSUBSCRIBED_BY_CONTACT,
}


def email_of(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """The contact's one email address entry (v2 supports exactly one)."""
    entries = raw.get("email_addresses") or [{}]
    first: Mapping[str, Any] = entries[0]
    return first


def status_of(raw: Mapping[str, Any]) -> str:
    return str(raw.get("status") or email_of(raw).get("status") or "").upper()


def consent_of(raw: Mapping[str, Any]) -> Consent:
    """REMOVED, NON_SUBSCRIBER and VISITOR contacts are on no list and may be added by the
    account: not set."""
    return _CONSENT.get(status_of(raw), Consent.NOT_SET)


def to_observed(raw: Mapping[str, Any], list_names: Mapping[str, str], slots: SlotNames) -> ObservedContact:
    """`deleted` stays False for REMOVED: v2's REMOVED *is* "on no list" (a PUT that leaves a
    contact list-less makes it REMOVED; one with lists makes it ACTIVE), so reporting it as
    deleted would make the planner revive, forever, every contact a manifest keeps off lists.
    Adding a list to a REMOVED contact is an ordinary update that brings it back."""
    email = email_of(raw)
    fields: dict[str, Any] = {name: raw.get(name) or None for name in SCALARS}
    fields["phone_numbers"] = phones_from_wire(raw)
    fields["street_addresses"] = addresses_from_wire(raw.get("addresses") or [])
    custom = {
        slots.by_slot[str(cf["name"])]: str(cf["value"])
        for cf in raw.get("custom_fields") or []
        if cf.get("name") in slots.by_slot and cf.get("value") not in (None, "")
    }
    member_of = (str(m.get("id")) for m in raw.get("lists") or [])
    lists = frozenset(list_names[i] for i in member_of if i in list_names)
    status = status_of(raw)
    return ObservedContact(
        email=str(email.get("email_address", "")),
        contact_id=str(raw["id"]),
        updated_at=raw.get("modified_date"),
        consent=consent_of(raw),
        opted_out_at=email.get("opt_out_date") if status == "OPTOUT" else None,
        fields=fields,
        custom_fields=custom,
        lists=lists,
    )


def _writable_email(email: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"email_address": email.get("email_address")}
    source = email.get("opt_in_source")
    out["opt_in_source"] = source if source in _WRITABLE_OPT_IN else "ACTION_BY_OWNER"
    return out


def _apply_fields(body: dict[str, Any], changes: list[FieldChange], live: Mapping[str, Any]) -> None:
    for fc in changes:
        if fc.path == "phone_numbers":
            for prop in PHONE_PROPERTIES.values():
                body.pop(prop, None)
            body.update(phones_to_wire(fc.after))
        elif fc.path == "street_addresses":
            body["addresses"] = addresses_to_wire(fc.after, live.get("addresses") or [])
        elif fc.after in (None, ""):
            body.pop(fc.path, None)
        else:
            body[fc.path] = fc.after


def _custom_fields(
    live: list[Mapping[str, Any]], changes: list[FieldChange], slots: SlotNames
) -> list[dict[str, Any]]:
    values = {str(cf["name"]): cf.get("value") for cf in live if cf.get("name")}
    for fc in changes:
        slot = slots.by_name[fc.path.removeprefix("custom_fields.")]
        if fc.after in (None, ""):
            values.pop(slot, None)
        else:
            values[slot] = fc.after
    return [{"name": name, "value": value} for name, value in values.items()]


def _split(change: Change) -> tuple[list[FieldChange], list[FieldChange]]:
    custom = [fc for fc in change.fields if fc.path.startswith("custom_fields.")]
    return [fc for fc in change.fields if not fc.path.startswith("custom_fields.")], custom


def build_put_body(
    live: Mapping[str, Any],
    change: Change,
    list_ids: Mapping[str, str],
    slots: SlotNames,
) -> dict[str, Any]:
    """The live record with `change` applied: fields, custom fields, and the complete list set
    (the live memberships, less the planned removals, plus the planned additions)."""
    body: dict[str, Any] = {k: v for k, v in live.items() if k not in _READ_ONLY and v is not None}
    body["email_addresses"] = [_writable_email(email_of(live))]
    remove = {list_ids[n] for n in change.lists_remove if n in list_ids}
    keep = [str(m["id"]) for m in live.get("lists") or [] if str(m["id"]) not in remove]
    keep += [list_ids[n] for n in change.lists_add if list_ids[n] not in keep]
    body["lists"] = [{"id": list_id} for list_id in keep]
    if "addresses" in body:
        body["addresses"] = [{k: v for k, v in a.items() if k != "id"} for a in body["addresses"]]
    if "notes" in body:
        body["notes"] = [{k: v for k, v in n.items() if k != "created_date"} for n in body["notes"]]
    core, custom = _split(change)
    _apply_fields(body, core, live)
    body["custom_fields"] = _custom_fields(live.get("custom_fields") or [], custom, slots)
    return body


def build_create_body(change: Change, list_ids: Mapping[str, str], slots: SlotNames) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email_addresses": [{"email_address": change.email}],
        "lists": [{"id": list_ids[n]} for n in change.lists_add],
    }
    core, custom = _split(change)
    _apply_fields(body, core, {})
    if custom:
        body["custom_fields"] = _custom_fields([], custom, slots)
    return body
