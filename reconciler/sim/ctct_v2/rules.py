"""Request validation for contact writes (ctct-v2 §2.3): one email address, list ids that
exist, the CustomField1..15 slots, at most one PERSONAL and one BUSINESS address (others are
ignored, as the API ignores them), and the documented `action_by` values.

Errors are 400s whose message names the JSON path the way v2's schema validator does
("#/email_addresses: 2 items were contained, ..."). Output is normalised input only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.sim.ctct_v2.records import STRING_PROPERTIES
from reconciler.sim.ctct_v2.wire import bad_request

__all__ = ["ACTIONS", "ContactInput", "action_by", "parse_contact"]

ACTIONS = ("ACTION_BY_OWNER", "ACTION_BY_VISITOR")
# Confirmed in the v2 docs: company_name and cell_phone 50. The other lengths are the doc's
# unverified assumption (50 for names and phones, 80 for the email address).
_MAX_LENGTH = dict.fromkeys(STRING_PROPERTIES, 50)
_MAX_EMAIL = 80
_MAX_CUSTOM_FIELDS = 15
_ADDRESS_TYPES = ("PERSONAL", "BUSINESS")
_ADDRESS_STRINGS = (
    "line1", "line2", "line3", "city", "state", "state_code", "postal_code", "sub_postal_code",
)
_SLOT = re.compile(r"^CustomField([1-9]|1[0-5])$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@[^@\s\"(),:;<>\[\]\\]+\.[^@\s\"(),:;<>\[\]\\.]{2,}$")


@dataclass
class ContactInput:
    address: str
    opt_in_source: str | None
    strings: dict[str, str]  # non-blank values only: a PUT nulls the rest
    addresses: list[dict[str, str]]
    list_ids: list[str]
    custom_fields: list[dict[str, str]]
    notes: list[dict[str, str]]


def _invalid_type(path: str, wanted: str) -> Exception:
    message = f"#/{path}: Instance type does not match the allowed type ({wanted})."
    return bad_request("json.type.invalid", message)


def _array(body: Mapping[str, Any], key: str, max_items: int | None = None) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _invalid_type(key, "array")
    if max_items is not None and len(value) > max_items:
        raise bad_request(
            "json.max.items.violation",
            f"#/{key}: {len(value)} items were contained, but the maximum number of items allowed "
            f"is {max_items}.",
        )
    return value


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid_type(path, "object")
    return value


def _string(value: object, path: str, max_len: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid_type(path, "string")
    if max_len is not None and len(value) > max_len:
        message = f"#/{path}: The maximum length of {max_len} was exceeded."
        raise bad_request("json.max.length.violation", message)
    return value if value.strip() else None


def action_by(params: Mapping[str, str]) -> str:
    value = params.get("action_by") or "ACTION_BY_OWNER"
    if value not in ACTIONS:
        raise bad_request(
            "query.param.action_by.invalid", f"action_by must be one of: {', '.join(ACTIONS)}."
        )
    return value


def _email(body: Mapping[str, Any]) -> tuple[str, str | None]:
    entries = _array(body, "email_addresses", max_items=1)
    if not entries:
        raise bad_request(
            "json.min.items.violation",
            "#/email_addresses: 0 items were contained, but the minimum number of items allowed is 1.",
        )
    entry = _object(entries[0], "email_addresses/0")
    address = _string(entry.get("email_address"), "email_addresses/0/email_address", _MAX_EMAIL)
    if address is None:
        raise bad_request("json.field.required", "#/email_addresses/0/email_address: Value is required.")
    if not _EMAIL.match(address.strip()):
        raise bad_request(
            "json.field.email_address.invalid",
            "#/email_addresses/0/email_address: Not a valid email address.",
        )
    source = entry.get("opt_in_source")
    if source is not None and source not in ACTIONS:
        raise bad_request(
            "json.enum.violation",
            "#/email_addresses/0/opt_in_source: Instance value does not match any enum value.  "
            "Valid options are: ACTION_BY_VISITOR, ACTION_BY_OWNER.",
        )
    return address.strip(), source


def _addresses(body: Mapping[str, Any]) -> list[dict[str, str]]:
    """One per type; other types and extra ones are dropped without an error (as v2 does)."""
    out: dict[str, dict[str, str]] = {}
    for i, raw in enumerate(_array(body, "addresses")):
        item = _object(raw, f"addresses/{i}")
        kind = str(item.get("address_type") or "").upper()
        if kind not in _ADDRESS_TYPES or kind in out:
            continue
        address = {"address_type": kind}
        for key in _ADDRESS_STRINGS:
            value = _string(item.get(key), f"addresses/{i}/{key}")
            if value is not None:
                address[key] = value
        country = _string(item.get("country_code"), f"addresses/{i}/country_code")
        if country is not None:
            if not re.fullmatch(r"[A-Za-z]{2}", country):
                raise bad_request(
                    "json.field.country_code.invalid",
                    f"#/addresses/{i}/country_code: must be a two-letter ISO 3166 country code.",
                )
            address["country_code"] = country.lower()  # v2 answers in lower case ("us")
        out[kind] = address
    return list(out.values())


def _lists(body: Mapping[str, Any], known: Mapping[str, Any]) -> list[str]:
    ids: list[str] = []
    for i, raw in enumerate(_array(body, "lists")):
        list_id = str(_object(raw, f"lists/{i}").get("id") or "")
        if list_id not in known:
            message = f"#/lists/{i}/id: List {list_id!r} does not exist."
            raise bad_request("json.field.lists.id.invalid", message)
        if list_id not in ids:
            ids.append(list_id)
    return ids


def _custom_fields(body: Mapping[str, Any]) -> list[dict[str, str]]:
    out: dict[str, str] = {}
    for i, raw in enumerate(_array(body, "custom_fields", max_items=_MAX_CUSTOM_FIELDS)):
        item = _object(raw, f"custom_fields/{i}")
        m = _SLOT.match(str(item.get("name") or ""))
        if m is None:
            raise bad_request(
                "json.field.custom_fields.name.invalid",
                f"#/custom_fields/{i}/name: must be one of CustomField1 through CustomField15.",
            )
        slot = f"CustomField{m.group(1)}"
        if slot in out:
            message = f"#/custom_fields/{i}/name: {slot} repeats."
            raise bad_request("json.field.custom_fields.duplicate", message)
        value = _string(item.get("value"), f"custom_fields/{i}/value")
        if value is not None:
            out[slot] = value
    return [{"name": k, "value": v} for k, v in out.items()]


def _notes(body: Mapping[str, Any]) -> list[dict[str, str]]:
    notes = []
    for i, raw in enumerate(_array(body, "notes")):
        item = _object(raw, f"notes/{i}")
        text = _string(item.get("note"), f"notes/{i}/note")
        if text is not None:
            notes.append({"id": str(item["id"]), "note": text} if item.get("id") else {"note": text})
    return notes


def parse_contact(body: Mapping[str, Any], known_lists: Mapping[str, Any]) -> ContactInput:
    """Read-only properties (id, status, dates, source ...) are ignored, not refused."""
    address, source = _email(body)
    strings = {}
    for key in STRING_PROPERTIES:
        value = _string(body.get(key), key, _MAX_LENGTH[key])
        if value is not None:
            strings[key] = value
    return ContactInput(
        address=address,
        opt_in_source=source,
        strings=strings,
        addresses=_addresses(body),
        list_ids=_lists(body, known_lists),
        custom_fields=_custom_fields(body),
        notes=_notes(body),
    )
