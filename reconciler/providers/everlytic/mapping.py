"""Pure mapping between Everlytic API 2.0 records (REST and XML-RPC alike) and the canonical
contact.

Everlytic updates by merge: a write names only the properties to change (everlytic §4.4). So
a write here carries exactly the properties the plan changes and nothing else, and never a
read-only one. Where one canonical field spans several properties (phones, the address), only
the properties whose value changes are sent; where one property holds two canonical fields
(birth_date holds birthday_month and birthday_day), the rest of it is taken from the record.

Consent is kept per list (email_status) plus a contact-wide status; the API records nobody
as the author of an opt-out, so every opt-out reads as the contact's own (the reading that
can never lead to re-adding someone who opted out)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from reconciler.errors import ApiError
from reconciler.model import (
    ALL_FIELDS,
    Consent,
    ObservedContact,
    canonical_addresses,
    canonical_phones,
)
from reconciler.plan import Change, FieldChange
from reconciler.providers.everlytic.settings import EverlyticSettings

__all__ = [
    "MEMBER_STATUSES",
    "SUPPORTED_FIELDS",
    "WRITABLE",
    "UnstorableValue",
    "consent_of",
    "create_body",
    "observed_value",
    "subscription_body",
    "to_observed",
    "update_properties",
]

SUPPORTED_FIELDS = frozenset(ALL_FIELDS) - {"anniversary"}  # no anniversary property exists
_SCALARS = {
    "first_name": "name",
    "last_name": "lastname",
    "job_title": "company_position",
    "company_name": "company_name",
}
_PHONES = {"home": "telephone_home", "work": "telephone_office", "mobile": "mobile"}
_ADDRESS = {"street": "address", "city": "city", "state": "state", "postal_code": "zip", "country": "country"}
# Every property a write may name; anything else (ids, dates, scores, counters) is never sent.
WRITABLE = frozenset({*_SCALARS.values(), *_PHONES.values(), *_ADDRESS.values(), "birth_date"})
MEMBER_STATUSES = frozenset({"subscribed", "confirmed", "unconfirmed", "forwarded"})
# birth_date needs a year and the canonical birthday has none. A year already on the record is
# kept; otherwise this one is written: a leap year, so that 29 February is a valid date.
PLACEHOLDER_BIRTH_YEAR = 1904
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


class UnstorableValue(ApiError):
    """A declared value Everlytic has no place for (e.g. a second work phone)."""


def _text(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value)


def _iso(value: Any) -> str | None:
    """Everlytic dates are unix seconds (0 when unset)."""
    if value in (None, "", 0, "0"):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError, OverflowError, OSError):
        return str(value)


def _birthday(value: Any) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a YYYY-MM-DD birth_date; "0000-00-00" and the like are unset."""
    match = _DATE.match(str(value or "").strip())
    if not match:
        return None, None, None
    year, month, day = (int(p) for p in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None, None, None
    return year or None, month, day


def consent_of(status: Any, subscriptions: Iterable[Mapping[str, Any]]) -> tuple[Consent, str | None]:
    """(consent, opted-out-at). A suppressed or switched-off contact, or one with any
    unsubscribed list, counts as unsubscribed by the contact: the API never says who did it,
    and a per-list opt-out must also block re-adding them to that list."""
    subs = list(subscriptions)
    unsubscribed = [s for s in subs if s.get("email_status") == "unsubscribed"]
    if status in ("suppressed", "off") or unsubscribed:
        dates = [
            int(s.get("email_unsubscribed_date") or 0)
            for s in unsubscribed
            if _iso(s.get("email_unsubscribed_date"))
        ]
        return Consent.UNSUBSCRIBED_BY_CONTACT, _iso(max(dates)) if dates else None
    statuses = {s.get("email_status") for s in subs}
    if statuses & {"subscribed", "confirmed", "forwarded"}:
        return Consent.SUBSCRIBED, None
    if "unconfirmed" in statuses:
        return Consent.PENDING, None
    return Consent.NOT_SET, None


def to_observed(
    raw: Mapping[str, Any],
    subscriptions: Mapping[str, Mapping[str, Any]],
    list_names: Mapping[str, str],
    settings: EverlyticSettings,
) -> ObservedContact | None:
    """None for a contact without an email address (mobile-only): it cannot be managed here."""
    email = _text(raw.get("email"))
    if email is None:
        return None
    fields: dict[str, Any] = {name: _text(raw.get(prop)) for name, prop in _SCALARS.items()}
    _year, fields["birthday_month"], fields["birthday_day"] = _birthday(raw.get("birth_date"))
    phones = [
        {"kind": kind, "number": raw.get(prop)} for kind, prop in _PHONES.items() if _text(raw.get(prop))
    ]
    fields["phone_numbers"] = canonical_phones(phones) or []
    address = {key: _text(raw.get(prop)) for key, prop in _ADDRESS.items()}
    has_address = any(address.values())
    fields["street_addresses"] = (
        canonical_addresses([{"kind": settings.address_kind, **address}]) if has_address else []
    )
    custom = {
        name: v for name, prop in settings.custom_fields.items() if (v := _text(raw.get(prop))) is not None
    }
    consent, opted_out_at = consent_of(raw.get("status"), subscriptions.values())
    lists = frozenset(
        list_names[lid]
        for lid, s in subscriptions.items()
        if s.get("email_status") in MEMBER_STATUSES and lid in list_names
    )
    return ObservedContact(
        email=email.strip(),
        contact_id=str(raw["id"]),
        updated_at=_iso(raw.get("date_modified")),
        consent=consent,
        opted_out_at=opted_out_at,
        fields=fields,
        custom_fields=custom,
        lists=lists,
    )


def observed_value(contact: ObservedContact, path: str) -> Any:
    if path.startswith("custom_fields."):
        return contact.custom_fields.get(path.removeprefix("custom_fields."))
    return contact.fields.get(path)


# -- writing ----------------------------------------------------------------------------------


def _phone_props(value: list[Mapping[str, Any]] | None, email: str) -> dict[str, str]:
    out = {prop: "" for prop in _PHONES.values()}
    for phone in value or []:
        prop = _PHONES.get(str(phone.get("kind")))
        if prop is None or out[prop]:
            raise UnstorableValue(
                "Everlytic stores one home, one work and one mobile number and no other kind; "
                f"the manifest's phone_numbers do not fit: {[p.get('kind') for p in value or []]}",
                contact=email,
            )
        out[prop] = str(phone.get("number") or "")
    return out


def _address_props(value: list[Mapping[str, Any]] | None, kind: str, email: str) -> dict[str, str]:
    items = list(value or [])
    if len(items) > 1 or any(a.get("kind") != kind for a in items):
        raise UnstorableValue(
            f"Everlytic stores one postal address, reported as kind '{kind}' "
            f"(RECONCILER_EVERLYTIC_ADDRESS_KIND); the manifest's street_addresses do not fit: "
            f"{[a.get('kind') for a in items]}",
            contact=email,
        )
    address = items[0] if items else {}
    return {prop: str(address.get(key) or "") for key, prop in _ADDRESS.items()}


def _changed(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, str]:
    return {prop: value for prop, value in after.items() if before.get(prop, "") != value}


def _birth_date(month: Any, day: Any, live: Any, email: str) -> str:
    if month is None and day is None:
        return ""
    if month is None or day is None:
        raise UnstorableValue(
            "Everlytic stores a birthday as one date: declare birthday_month and birthday_day together",
            contact=email,
        )
    year = _birthday(live)[0] or PLACEHOLDER_BIRTH_YEAR
    return f"{year:04d}-{int(month):02d}-{int(day):02d}"


def update_properties(change: Change, live: Mapping[str, Any], settings: EverlyticSettings) -> dict[str, Any]:
    """Exactly the properties `change` changes, with their new values ("" empties one).
    `live` is the contact as read, for the parts of birth_date the change leaves alone."""
    props: dict[str, Any] = {}
    planned: dict[str, FieldChange] = {fc.path: fc for fc in change.fields}
    for path, fc in planned.items():
        if path in _SCALARS:
            props[_SCALARS[path]] = "" if fc.after is None else str(fc.after)
        elif path == "phone_numbers":
            before = _phone_props(fc.before, change.email) if fc.before else {}
            props.update(_changed(before, _phone_props(fc.after, change.email)))
        elif path == "street_addresses":
            kind = settings.address_kind
            before = _address_props(fc.before, kind, change.email) if fc.before else {}
            props.update(_changed(before, _address_props(fc.after, kind, change.email)))
        elif (
            path.startswith("custom_fields.")
            and path.removeprefix("custom_fields.") in settings.custom_fields
        ):
            props[settings.custom_fields[path.removeprefix("custom_fields.")]] = fc.after or ""
        elif path not in ("birthday_month", "birthday_day"):
            raise UnstorableValue(f"'{path}' has no place on an Everlytic contact", contact=change.email)
    if "birthday_month" in planned or "birthday_day" in planned:
        _year, live_month, live_day = _birthday(live.get("birth_date"))
        month = planned["birthday_month"].after if "birthday_month" in planned else live_month
        day = planned["birthday_day"].after if "birthday_day" in planned else live_day
        birth_date = _birth_date(month, day, live.get("birth_date"), change.email)
        if birth_date != str(live.get("birth_date") or ""):
            props["birth_date"] = birth_date
    stray = props.keys() - WRITABLE - set(settings.custom_fields.values())
    if stray:  # unreachable by construction; a guard against a future mapping mistake
        raise UnstorableValue(f"refusing to send properties {sorted(stray)}", contact=change.email)
    return props


def create_body(change: Change, list_ids: Mapping[str, str], settings: EverlyticSettings) -> dict[str, Any]:
    """POST /contacts: the email, the planned fields, and each planned list as "subscribed".
    No on_duplicate: an existing contact must fail the create so that its consent is checked
    before anything is written (an upsert could re-subscribe someone who opted out)."""
    body: dict[str, Any] = {"email": change.email}
    body.update(update_properties(change, {}, settings))
    body["list_id"] = {list_ids[name]: "subscribed" for name in change.lists_add}
    return body


def subscription_body(
    list_id: str, contact_id: str, live: Mapping[str, Any] | None, add: bool
) -> dict[str, Any]:
    """POST /list_subscriptions/:list_id for one list added or removed. Removing empties
    email_status; the SMS subscription on the same list is re-sent as it was, so that it is
    kept whether the server merges or replaces (both statuses empty removes the record)."""
    body: dict[str, Any] = {
        "list_id": int(list_id) if list_id.isdigit() else list_id,
        "contact_id": int(contact_id) if contact_id.isdigit() else contact_id,
        "email_status": "subscribed" if add else "",
    }
    mobile = str((live or {}).get("mobile_status") or "")
    if mobile or not add:
        body["mobile_status"] = mobile
    return body
