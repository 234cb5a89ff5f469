"""Request-body validation for contact writes: the limits of ctct-v3 §1.3, checked the way
the API checks them (400 naming the offending field). Output is normalised input only;
turning it into stored records (ids, timestamps, consent) is contacts.py's job."""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from reconciler.sim.ctct_v3.wire import invalid, is_uuid

__all__ = [
    "CORE_FIELDS",
    "PERMISSIONS",
    "SOURCES",
    "SUBRESOURCES",
    "ContactInput",
    "EditInput",
    "SignUpInput",
    "normalise_anniversary",
    "parse_contact",
    "parse_edit",
    "parse_sign_up",
]

CORE_FIELDS = (
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
)
SUBRESOURCES = ("custom_fields", "phone_numbers", "street_addresses", "list_memberships", "taggings", "notes")
PERMISSIONS = ("implicit", "explicit", "pending_confirmation", "unsubscribed", "temp_hold", "not_set")
SOURCES = ("Account", "Contact")
PHONE_KINDS = ("home", "work", "mobile", "other")
ADDRESS_KINDS = ("home", "work", "other")
ADDRESS_LIMITS = {"street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}

_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@[^@\s\"(),:;<>\[\]\\]+\.[^@\s\"(),:;<>\[\]\\.]{2,}$")
# The eight spellings the spec allows, as (regex, order of the captured parts).
_ANNIVERSARY = (
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "mdy"),
)


@dataclass
class ContactInput:
    """A validated POST/PUT body. `core` has every core field (None = omitted or blank, which
    PUT turns into null); `subresources` only the ones the body carried."""

    address: str
    permission: str | None
    opt_out_reason: str | None
    source: str
    core: dict[str, Any]
    subresources: dict[str, list[Any]]


@dataclass
class SignUpInput:
    address: str
    list_ids: list[str]
    core: dict[str, Any]  # only the supplied fields: sign_up_form is a partial update
    custom_fields: list[dict[str, str]]
    phone_number: str | None
    street_address: dict[str, str] | None


@dataclass
class EditInput:
    address: str | None
    core: dict[str, Any]
    subresources: dict[str, list[Any]] = field(default_factory=dict)


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(f"{path} must be an object.")
    return value


def _array(value: object, path: str, max_items: int) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(f"{path} must be an array.")
    if len(value) > max_items:
        raise invalid(f"{path} must contain at most {max_items} items.")
    return value


def _string(value: object, path: str, max_len: int) -> str | None:
    """Blank strings count as omitted, as v3 treats them on PUT."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{path} must be a string.")
    if len(value) > max_len:
        raise invalid(f"{path} exceeds the maximum length of {max_len} characters.")
    return value if value.strip() else None


def _enum(value: object, path: str, allowed: tuple[str, ...], *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise invalid(f"{path} is required.")
        return None
    if value not in allowed:
        raise invalid(f"{path} must be one of: {', '.join(allowed)}.")
    return str(value)


def _int(value: object, path: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{path} must be an integer.")
    if not low <= value <= high:
        raise invalid(f"{path} must be from {low} through {high}.")
    return value


def _email(value: object, path: str, max_len: int) -> str:
    address = _string(value, path, max_len)
    if address is None:
        raise invalid(f"{path} is required.")
    address = address.strip()
    if not _EMAIL.match(address):
        raise invalid(f"{path} is not a valid email address.")
    return address


def normalise_anniversary(value: str, path: str = "anniversary") -> str:
    """Any accepted spelling, stored as YYYY-MM-DD (the spelling the API returns)."""
    for pattern, order in _ANNIVERSARY:
        m = pattern.match(value.strip())
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups()), strict=True))
            if 1 <= parts["m"] <= 12 and 1 <= parts["d"] <= 31:
                return f"{parts['y']:04d}-{parts['m']:02d}-{parts['d']:02d}"
    raise invalid(
        f"{path} must be a date in one of the formats MM/DD/YYYY, M/D/YYYY, YYYY/MM/DD, "
        "YYYY/M/D, YYYY-MM-DD, YYYY-M-D, M-D-YYYY, M-DD-YYYY."
    )


def _core(body: Mapping[str, Any], only_present: bool) -> dict[str, Any]:
    present = [k for k in CORE_FIELDS if k in body] if only_present else list(CORE_FIELDS)
    out: dict[str, Any] = {}
    for key in present:
        if key in ("birthday_month", "birthday_day"):
            continue
        value = _string(body.get(key), key, 10 if key == "anniversary" else 50)
        out[key] = normalise_anniversary(value) if key == "anniversary" and value is not None else value
    month = _int(body.get("birthday_month"), "birthday_month", 1, 12)
    day = _int(body.get("birthday_day"), "birthday_day", 1, 31)
    if (month is None) != (day is None):
        raise invalid("birthday_month and birthday_day must be used together.")
    if not only_present or "birthday_month" in body or "birthday_day" in body:
        out["birthday_month"], out["birthday_day"] = month, day
    return out


def _custom_fields(value: object, path: str, fields: Container[str], max_items: int) -> list[dict[str, str]]:
    by_id: dict[str, str] = {}
    for i, item in enumerate(_array(value, path, max_items)):
        entry = _object(item, f"{path}[{i}]")
        field_id = entry.get("custom_field_id")
        if not is_uuid(field_id) or str(field_id).lower() not in fields:
            raise invalid(f"{path}[{i}].custom_field_id {field_id!r} does not exist.")
        raw = entry.get("value")
        if raw is None or not isinstance(raw, str):
            raise invalid(f"{path}[{i}].value must be a string.")
        if len(raw) > 255:
            raise invalid(f"{path}[{i}].value exceeds the maximum length of 255 characters.")
        by_id[str(field_id).lower()] = raw
    return [{"custom_field_id": k, "value": v} for k, v in by_id.items()]


def _list_ids(value: object, path: str, lists: Container[str], max_items: int) -> list[str]:
    out: list[str] = []
    for i, item in enumerate(_array(value, path, max_items)):
        if not is_uuid(item) or str(item).lower() not in lists:
            raise invalid(f"{path}[{i}] {item!r} is not a list in this account.")
        if str(item).lower() not in out:
            out.append(str(item).lower())
    return out


def _phone(entry: Mapping[str, Any], path: str) -> dict[str, str]:
    number = _string(entry.get("phone_number"), f"{path}.phone_number", 25)
    if number is None:
        raise invalid(f"{path}.phone_number is required.")
    out = {"phone_number": number}
    kind = _enum(entry.get("kind"), f"{path}.kind", PHONE_KINDS)
    if kind is not None:
        out["kind"] = kind
    return out


def _address(entry: Mapping[str, Any], path: str) -> dict[str, str]:
    out = {"kind": str(_enum(entry.get("kind"), f"{path}.kind", ADDRESS_KINDS, required=True))}
    for key, limit in ADDRESS_LIMITS.items():
        value = _string(entry.get(key), f"{path}.{key}", limit)
        if value is not None:
            out[key] = value
    return out


def _note(entry: Mapping[str, Any], path: str) -> dict[str, str]:
    content = _string(entry.get("content"), f"{path}.content", 2000)
    if content is None:
        raise invalid(f"{path}.content is required.")
    out = {"content": content}
    if is_uuid(entry.get("note_id")):
        out["note_id"] = str(entry["note_id"]).lower()
    if isinstance(entry.get("created_at"), str):
        out["created_at"] = entry["created_at"]
    return out


def _subresources(
    body: Mapping[str, Any],
    lists: Container[str],
    fields: Container[str],
    keys: tuple[str, ...] = SUBRESOURCES,
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for key in keys:
        if key not in body or body[key] is None:
            continue
        value = body[key]
        if key == "custom_fields":
            out[key] = _custom_fields(value, key, fields, 25)
        elif key == "list_memberships":
            out[key] = _list_ids(value, key, lists, 50)
        elif key == "phone_numbers":
            out[key] = [
                _phone(_object(e, f"{key}[{i}]"), f"{key}[{i}]") for i, e in enumerate(_array(value, key, 3))
            ]
        elif key == "street_addresses":
            items = _array(value, key, 3)
            out[key] = [_address(_object(e, f"{key}[{i}]"), f"{key}[{i}]") for i, e in enumerate(items)]
        elif key == "taggings":
            tags = _array(value, key, 50)
            if not all(is_uuid(t) for t in tags):
                raise invalid("taggings must be an array of tag_id UUIDs.")
            out[key] = list(dict.fromkeys(str(t).lower() for t in tags))
        else:
            out[key] = [
                _note(_object(e, f"{key}[{i}]"), f"{key}[{i}]") for i, e in enumerate(_array(value, key, 150))
            ]
    return out


def parse_contact(
    body: Mapping[str, Any], mode: Literal["post", "put"], lists: Container[str], fields: Container[str]
) -> ContactInput:
    """Validate a POST /contacts or PUT /contacts/{id} body. Read-only properties (contact_id,
    created_at, opt_in_date, ...) are ignored rather than refused, as the API does."""
    source_key = "create_source" if mode == "post" else "update_source"
    source = _enum(body.get(source_key), source_key, SOURCES, required=True)
    if body.get("email_address") is None:
        raise invalid("email_address.address is required.")
    email = _object(body.get("email_address"), "email_address")
    address = _email(email.get("address"), "email_address.address", 80)
    permission = _enum(email.get("permission_to_send"), "email_address.permission_to_send", PERMISSIONS)
    reason = _string(email.get("opt_out_reason"), "email_address.opt_out_reason", 255)
    return ContactInput(
        address=address,
        permission=permission,
        opt_out_reason=reason,
        source=str(source),
        core=_core(body, only_present=False),
        subresources=_subresources(body, lists, fields),
    )


def parse_sign_up(body: Mapping[str, Any], lists: Container[str], fields: Container[str]) -> SignUpInput:
    # email_address is a plain string here, and this spec caps it at 50 (not 80).
    address = _email(body.get("email_address"), "email_address", 50)
    if body.get("list_memberships") is None or body.get("list_memberships") == []:
        raise invalid("list_memberships must contain at least 1 list_id.")
    list_ids = _list_ids(body["list_memberships"], "list_memberships", lists, 50)
    custom: list[dict[str, str]] = []
    if body.get("custom_fields") is not None:
        custom = _custom_fields(body["custom_fields"], "custom_fields", fields, 50)
    phone = _string(body.get("phone_number"), "phone_number", 25)
    street = None
    if body.get("street_address") is not None:
        street = _address(_object(body["street_address"], "street_address"), "street_address")
    return SignUpInput(
        address=address,
        list_ids=list_ids,
        core={k: v for k, v in _core(body, only_present=True).items() if v is not None},
        custom_fields=custom,
        phone_number=phone,
        street_address=street,
    )


def parse_edit(body: Mapping[str, Any], fields: Container[str]) -> EditInput:
    """A contact editing their own details (simulator admin): partial, core fields and the
    contact-owned subresources only; permissions and lists go through other actions."""
    address = None
    if body.get("email_address") is not None:
        raw = body["email_address"]
        raw = raw.get("address") if isinstance(raw, Mapping) else raw
        address = _email(raw, "email_address.address", 80)
    keys = ("custom_fields", "phone_numbers", "street_addresses")
    return EditInput(
        address=address,
        core=_core(body, only_present=True),
        subresources=_subresources(body, (), fields, keys),
    )
