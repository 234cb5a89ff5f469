"""Checks of a contact's standard fields, each to its canonical value.

Every limit the APIs would reject is checked here, before any request is made. A checker
returns the canonical value (None or [] for "clear") and reports problems on `parts`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reconciler.manifest.parts import ContactParts
from reconciler.manifest.report import describe, is_secret_key, unknown_key
from reconciler.manifest.yaml_source import LList, LMap
from reconciler.model import canonical_addresses, canonical_phones

__all__ = [
    "ADDRESS_KINDS",
    "ADDRESS_LIMITS",
    "NAME_FIELDS",
    "NAME_LIMIT",
    "PHONE_KINDS",
    "check_addresses",
    "check_anniversary",
    "check_birthday",
    "check_name",
    "check_phones",
]

NAME_FIELDS = ("first_name", "last_name", "job_title", "company_name")
NAME_LIMIT = 50
PHONE_KINDS = ("home", "work", "mobile", "other")
PHONE_LIMIT = 25
ADDRESS_KINDS = ("home", "work", "other")
ADDRESS_LIMITS = {"street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}
MAX_ITEMS = 3  # phone numbers, and street addresses, per contact
# Any spelling the v3 API accepts (YYYY-MM-DD, YYYY/M/D, MM/DD/YYYY, M-D-YYYY, ...): the
# separator must not change within a date.
_ANNIVERSARY = (
    (re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})"), (1, 3, 4)),
    (re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})"), (4, 1, 3)),
)


def _quote_hint(value: Any) -> str:
    return f' (quote it: "{value}")' if isinstance(value, int | float | dt.date) else ""


def check_name(parts: ContactParts, key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        parts.error(
            f"must be a string of at most {NAME_LIMIT} characters or null, not {describe(value)}"
            + _quote_hint(value),
            key,
        )
        return None
    text = value.strip()
    if len(text) > NAME_LIMIT:
        parts.error(f"is {len(text)} characters long; at most {NAME_LIMIT} are allowed", key)
    return text or None  # "" and null both mean "must be empty"


def check_birthday(parts: ContactParts, node: LMap) -> dict[str, int | None]:
    """birthday_month and birthday_day, which only make sense together."""
    out: dict[str, int | None] = {}
    for key, high in (("birthday_month", 12), ("birthday_day", 31)):
        if key not in node:
            continue
        value = node[key]
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high
        ):
            parts.error(f"must be a whole number from 1 to {high} or null, not {value!r}", key)
            value = None
        out[key] = value
    declared = [key for key in ("birthday_month", "birthday_day") if key in node]
    if len(declared) == 1:
        other = "birthday_day" if declared[0] == "birthday_month" else "birthday_month"
        parts.error(f"must be given together with {other}", declared[0])
    elif declared and (node["birthday_month"] is None) != (node["birthday_day"] is None):
        parts.error("birthday_month and birthday_day must both be set or both be null", "birthday_month")
    month, day = out.get("birthday_month"), out.get("birthday_day")
    if month is not None and day is not None:
        try:
            dt.date(2000, month, day)  # a leap year, so 29 February is allowed
        except ValueError:
            parts.error(f"day {day} does not exist in month {month}", "birthday_day")
    return out


def check_anniversary(parts: ContactParts, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):  # YAML reads an unquoted 2019-06-01 as a date
        return value.isoformat()
    if not isinstance(value, str):
        parts.error(
            f"must be a date like 2019-06-01 or 06/01/2019, or null, not {describe(value)}", "anniversary"
        )
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > 10:
        parts.error(f"is {len(text)} characters long; a date has at most 10", "anniversary")
        return None
    for pattern, (y, m, d) in _ANNIVERSARY:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d])).isoformat()
            except ValueError:
                break
    parts.error(
        f"'{text}' is not a real date in a form the API accepts, "
        "like YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY or M-D-YYYY",
        "anniversary",
    )
    return None


def _unknown_keys(parts: ContactParts, item: LMap, allowed: tuple[str, ...], where: str) -> None:
    for key in item:
        if key not in allowed and not is_secret_key(key):
            parts.error(unknown_key(key, allowed), f"{where}.{key}", item.lines[key])


def _list_of(parts: ContactParts, key: str, value: Any, what: str) -> LList | None:
    """None means "clear"; a wrong type is reported and also treated as nothing."""
    if value is None:
        return None
    if not isinstance(value, LList):
        parts.error(f"must be a list of {what} (or null to clear), not {describe(value)}", key)
        return None
    if len(value) > MAX_ITEMS:
        parts.error(f"has {len(value)} {what}; at most {MAX_ITEMS} are allowed", key)
    return value


def check_phones(parts: ContactParts, value: Any) -> list[dict[str, str]]:
    items = _list_of(parts, "phone_numbers", value, "phone numbers")
    if items is None:
        return []
    out: list[dict[str, str]] = []
    for i, item in enumerate(items):
        where, line = f"phone_numbers[{i}]", items.lines[i]
        if not isinstance(item, LMap):
            parts.error(f"must be a mapping with kind and number, not {describe(item)}", where, line)
            continue
        _unknown_keys(parts, item, ("kind", "number"), where)
        kind = item.get("kind", "other")
        if kind not in PHONE_KINDS:
            parts.error(
                f"'{kind}' is not a phone kind; expected one of: {', '.join(PHONE_KINDS)}",
                f"{where}.kind",
                item.lines.get("kind", line),
            )
        number = item.get("number")
        number_line = item.lines.get("number", line)
        if isinstance(number, bool) or not isinstance(number, str | int):
            parts.error(
                f"is required: a string of 1 to {PHONE_LIMIT} characters", f"{where}.number", number_line
            )
            continue
        text = str(number).strip()
        if not 1 <= len(text) <= PHONE_LIMIT:
            parts.error(
                f"is {len(text)} characters long; 1 to {PHONE_LIMIT} are allowed",
                f"{where}.number",
                number_line,
            )
        out.append({"kind": str(kind), "number": text})
    return canonical_phones(out) or []


def _address(parts: ContactParts, item: Any, where: str, line: int) -> dict[str, str | None] | None:
    if not isinstance(item, LMap):
        parts.error(
            f"must be a mapping with kind, street, city, state, postal_code, country; not {describe(item)}",
            where,
            line,
        )
        return None
    _unknown_keys(parts, item, ("kind", *ADDRESS_LIMITS), where)
    kind = item.get("kind")
    if kind not in ADDRESS_KINDS:
        message = "is required" if kind is None else f"'{kind}' is not an address kind"
        parts.error(
            f"{message}; expected one of: {', '.join(ADDRESS_KINDS)}",
            f"{where}.kind",
            item.lines.get("kind", line),
        )
    out: dict[str, str | None] = {"kind": str(kind)}
    for key, limit in ADDRESS_LIMITS.items():
        value = item.get(key)
        key_line = item.lines.get(key, line)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            parts.error(
                f"must be a string of at most {limit} characters, not {describe(value)}",
                f"{where}.{key}",
                key_line,
            )
            continue
        text = str(value).strip()
        if len(text) > limit:
            parts.error(
                f"is {len(text)} characters long; at most {limit} are allowed", f"{where}.{key}", key_line
            )
        out[key] = text
    return out


def check_addresses(parts: ContactParts, node: LMap) -> list[dict[str, str | None]] | None:
    """street_address (one) or street_addresses (a list): both mean the same field. None when
    neither is declared."""
    if "street_address" in node and "street_addresses" in node:
        parts.error("give either street_address or street_addresses, not both", "street_addresses")
    if "street_address" in node:
        value = node["street_address"]
        line = parts.line("street_address")
        found = [] if value is None else [_address(parts, value, "street_address", line)]
    elif "street_addresses" in node:
        items = _list_of(parts, "street_addresses", node["street_addresses"], "addresses") or LList()
        found = [
            _address(parts, item, f"street_addresses[{i}]", items.lines[i]) for i, item in enumerate(items)
        ]
    else:
        return None
    return canonical_addresses([a for a in found if a is not None]) or []
