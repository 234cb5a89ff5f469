"""Pure mapping between Constant Contact v3 wire records and the canonical contact.

The PUT body is built from the live record as read, with read-only properties dropped and
only the planned changes applied: v3 nulls every core property a PUT leaves out, so every
core property is always re-sent. Sub-resources (custom fields, phones, addresses, lists)
are kept by the server when omitted, so they are sent only when the plan changes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.model import (
    SCALAR_FIELDS,
    Consent,
    ObservedContact,
    canonical_addresses,
    canonical_phones,
)
from reconciler.plan import Change, FieldChange

__all__ = [
    "INCLUDE",
    "build_create_body",
    "build_put_body",
    "consent_of",
    "normalise_anniversary",
    "to_observed",
]

INCLUDE = "custom_fields,list_memberships,phone_numbers,street_addresses"

_CORE_WRITABLE = SCALAR_FIELDS
_EMAIL_WRITABLE = ("address", "permission_to_send", "opt_out_reason")
_ADDRESS_WIRE = ("kind", "street", "city", "state", "postal_code", "country")

_ANNIVERSARY_PATTERNS = (
    (re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$"), ("m", "d", "y")),
)


def normalise_anniversary(value: str | None) -> str | None:
    """v3 accepts eight spellings of a date; compare them as YYYY-MM-DD."""
    if value is None or value == "":
        return None
    for pattern, order in _ANNIVERSARY_PATTERNS:
        m = pattern.match(value.strip())
        if m:
            parts = dict(zip(order, m.groups(), strict=True))
            return f"{int(parts['y']):04d}-{int(parts['m']):02d}-{int(parts['d']):02d}"
    return value


def consent_of(email: Mapping[str, Any]) -> Consent:
    permission = email.get("permission_to_send")
    if permission in ("explicit", "implicit"):
        return Consent.SUBSCRIBED
    if permission == "pending_confirmation":
        return Consent.PENDING
    if permission == "temp_hold":
        return Consent.TEMP_HOLD
    if permission == "unsubscribed":
        # No recorded source: assume the contact did it, the reading that can never
        # lead us to re-add someone who opted out.
        if email.get("opt_out_source") == "Account":
            return Consent.UNSUBSCRIBED_BY_ACCOUNT
        return Consent.UNSUBSCRIBED_BY_CONTACT
    return Consent.NOT_SET


def _phones_from_wire(raw: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    return canonical_phones([{"kind": p.get("kind"), "number": p.get("phone_number")} for p in raw]) or []


def to_observed(
    raw: Mapping[str, Any], list_names: Mapping[str, str], field_names: Mapping[str, str]
) -> ObservedContact:
    email = raw.get("email_address") or {}
    fields: dict[str, Any] = {name: raw.get(name) for name in _CORE_WRITABLE}
    fields["anniversary"] = normalise_anniversary(raw.get("anniversary"))
    fields["phone_numbers"] = _phones_from_wire(raw.get("phone_numbers") or [])
    fields["street_addresses"] = canonical_addresses(raw.get("street_addresses") or []) or []
    custom = {
        field_names[cf["custom_field_id"]]: cf.get("value")
        for cf in raw.get("custom_fields") or []
        if cf.get("custom_field_id") in field_names
    }
    lists = frozenset(list_names[i] for i in raw.get("list_memberships") or [] if i in list_names)
    return ObservedContact(
        email=str(email.get("address", "")),
        contact_id=str(raw["contact_id"]),
        updated_at=raw.get("updated_at"),
        consent=consent_of(email),
        deleted=bool(raw.get("deleted_at")),
        opted_out_at=email.get("opt_out_date"),
        fields=fields,
        custom_fields=custom,
        lists=lists,
        updated_by=str(raw["update_source"]).lower() if raw.get("update_source") else None,
    )


def _phones_to_wire(value: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [{"phone_number": p["number"], "kind": p["kind"]} for p in value or []]


def _addresses_to_wire(value: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [{k: a[k] for k in _ADDRESS_WIRE if a.get(k) is not None} for a in value or []]


def _set_core(body: dict[str, Any], change: FieldChange) -> None:
    if change.path == "phone_numbers":
        body["phone_numbers"] = _phones_to_wire(change.after)
    elif change.path == "street_addresses":
        body["street_addresses"] = _addresses_to_wire(change.after)
    else:
        body[change.path] = change.after


def _custom_fields(
    live: list[Mapping[str, Any]], changes: list[FieldChange], field_ids: Mapping[str, str]
) -> list[dict[str, Any]]:
    values = {str(cf["custom_field_id"]): cf.get("value") for cf in live}
    for fc in changes:
        fid = field_ids[fc.path.removeprefix("custom_fields.")]
        if fc.after is None:
            values.pop(fid, None)
        else:
            values[fid] = fc.after
    return [{"custom_field_id": k, "value": v} for k, v in values.items()]


def build_put_body(
    live: Mapping[str, Any],
    change: Change,
    list_ids: Mapping[str, str],
    field_ids: Mapping[str, str],
    *,
    permission: str | None = None,
) -> dict[str, Any]:
    """The live record with only `change` applied. `permission` overrides permission_to_send
    (used only for consent changes the plan allowed)."""
    email = live.get("email_address") or {}
    body: dict[str, Any] = {
        "email_address": {k: email[k] for k in _EMAIL_WRITABLE if email.get(k) is not None},
        "update_source": "Account",
    }
    for name in _CORE_WRITABLE:
        if live.get(name) is not None:
            body[name] = live[name]
    custom_changes = []
    for fc in change.fields:
        if fc.path.startswith("custom_fields."):
            custom_changes.append(fc)
        else:
            _set_core(body, fc)
    if custom_changes:
        body["custom_fields"] = _custom_fields(live.get("custom_fields") or [], custom_changes, field_ids)
    if change.lists_add or change.lists_remove or live.get("deleted_at"):
        # Always the complete set: whether v3 merges or replaces an included list_memberships is
        # unconfirmed, and the complete set is right under either reading. Lists the manifests do
        # not manage stay exactly as read.
        remove = {list_ids[n] for n in change.lists_remove if n in list_ids}
        keep = [i for i in live.get("list_memberships") or [] if i not in remove]
        body["list_memberships"] = keep + [list_ids[n] for n in change.lists_add if list_ids[n] not in keep]
    if permission is not None:
        body["email_address"]["permission_to_send"] = permission
        body["email_address"].pop("opt_out_reason", None)
    return body


def build_create_body(
    change: Change, list_ids: Mapping[str, str], field_ids: Mapping[str, str]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email_address": {"address": change.email, "permission_to_send": "implicit"},
        "create_source": "Account",
    }
    custom_changes = []
    for fc in change.fields:
        if fc.path.startswith("custom_fields."):
            custom_changes.append(fc)
        else:
            _set_core(body, fc)
    if custom_changes:
        body["custom_fields"] = _custom_fields([], custom_changes, field_ids)
    if change.lists_add:
        body["list_memberships"] = [list_ids[n] for n in change.lists_add]
    return body
