"""Validation of one manifest contact (or the `defaults` block) into canonical values.

Every limit the v3 API would reject is checked here, before any request, and every problem
is reported with its file, line, contact and field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from typing import Any

from reconciler.errors import ManifestError, SourceRef
from reconciler.manifest.yaml_source import LList, LMap
from reconciler.model import ConsentEvidence, canonical_addresses, canonical_phones

__all__ = ["CONTACT_KEYS", "SECRET_WORDS", "ContactParts", "check_contact", "is_secret_key", "suggest"]

NAME_FIELDS = ("first_name", "last_name", "job_title", "company_name")
CONTACT_KEYS = (
    "email",
    *NAME_FIELDS,
    "birthday_month",
    "birthday_day",
    "anniversary",
    "phone_numbers",
    "street_address",
    "street_addresses",
    "custom_fields",
    "lists",
    "consent",
)
DEFAULT_KEYS = tuple(k for k in CONTACT_KEYS if k not in ("email", "consent"))
PHONE_KINDS = ("home", "work", "mobile", "other")
ADDRESS_KINDS = ("home", "work", "other")
ADDRESS_LIMITS = {"street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ANNIVERSARY = (
    (re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$"), (1, 3, 4)),
    (re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$"), (4, 1, 3)),
)


SECRET_WORDS = ("token", "password", "secret", "api_key", "apikey")


def is_secret_key(key: str) -> bool:
    """Reported once, as a secret, by the loader's scan; not again as an unknown key."""
    return any(word in key.lower() for word in SECRET_WORDS)


def suggest(word: str, options: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(options)}"


class ContactParts:
    """Collects the canonical values of one contact and the errors found on the way."""

    def __init__(self, file: str, node: LMap, contact: str | None, errors: list[ManifestError]) -> None:
        self.file, self.node, self.contact, self.errors = file, node, contact, errors
        self.fields: dict[str, Any] = {}
        self.custom_fields: dict[str, str | None] = {}
        self.lists: frozenset[str] | None = None
        self.evidence: ConsentEvidence | None = None

    def line(self, key: str | None = None) -> int:
        return self.node.lines.get(key, self.node.line) if key else self.node.line

    def error(self, message: str, field: str, line: int | None = None) -> None:
        source = SourceRef(
            self.file, line if line is not None else self.line(field.split(".")[0].split("[")[0])
        )
        self.errors.append(ManifestError(message, source=source, contact=self.contact, field=field))


def _text(parts: ContactParts, key: str, value: Any, limit: int, *, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        parts.error("must be a string" + (" or null" if nullable else ""), key)
        return None
    text = str(value).strip()
    if len(text) > limit:
        parts.error(f"is {len(text)} characters; at most {limit} are allowed", key)
    return text


def _int(parts: ContactParts, key: str, value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        parts.error(f"must be a whole number from {low} to {high} (or null)", key)
        return None
    return value


def _anniversary(parts: ContactParts, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(parts, "anniversary", value, 10)
    if text is None:
        return None
    for pattern, (y, m, d) in _ANNIVERSARY:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match.group(y)), int(match.group(m)), int(match.group(d))).isoformat()
            except ValueError:
                break
    parts.error("must be a real date like 2019-06-01 or 06/01/2019", "anniversary")
    return None


def _phones(parts: ContactParts, value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, LList):
        parts.error("must be a list of {kind, number}", "phone_numbers")
        return []
    if len(value) > 3:
        parts.error(f"has {len(value)} numbers; at most 3 are allowed", "phone_numbers")
    out = []
    for i, item in enumerate(value):
        where, line = f"phone_numbers[{i}]", value.lines[i]
        if not isinstance(item, LMap):
            parts.error("must be a mapping with kind and number", where, line)
            continue
        for key in item.keys() - {"kind", "number"}:
            parts.error(
                f"unknown key '{key}'" + suggest(key, ("kind", "number")), f"{where}.{key}", item.lines[key]
            )
        kind = item.get("kind", "other")
        if kind not in PHONE_KINDS:
            parts.error(
                f"'{kind}' is not a phone kind{suggest(str(kind), PHONE_KINDS)}", f"{where}.kind", line
            )
        number = item.get("number")
        if isinstance(number, bool) or not isinstance(number, str | int) or not str(number).strip():
            parts.error("is required (a string)", f"{where}.number", line)
            continue
        if len(str(number)) > 25:
            parts.error("is longer than 25 characters", f"{where}.number", line)
        out.append({"kind": str(kind), "number": str(number).strip()})
    return canonical_phones(out) or []


def _address(parts: ContactParts, item: Any, where: str, line: int) -> dict[str, Any] | None:
    if not isinstance(item, LMap):
        parts.error("must be a mapping with kind, street, city, state, postal_code, country", where, line)
        return None
    allowed = ("kind", *ADDRESS_LIMITS)
    for key in item.keys() - set(allowed):
        parts.error(f"unknown key '{key}'" + suggest(key, allowed), f"{where}.{key}", item.lines[key])
    kind = item.get("kind")
    if kind not in ADDRESS_KINDS:
        parts.error(f"kind is required: one of {', '.join(ADDRESS_KINDS)}", f"{where}.kind", line)
    out: dict[str, Any] = {"kind": kind}
    for key, limit in ADDRESS_LIMITS.items():
        value = item.get(key)
        if value is not None:
            text = str(value).strip()
            if len(text) > limit:
                parts.error(f"is longer than {limit} characters", f"{where}.{key}", item.lines[key])
            out[key] = text
    return out


def _addresses(parts: ContactParts, key: str, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    items = [value] if key == "street_address" else value
    lines = [parts.line(key)] if key == "street_address" else getattr(value, "lines", [])
    if key == "street_addresses" and not isinstance(value, LList):
        parts.error("must be a list of addresses", key)
        return []
    if len(items) > 3:
        parts.error(f"has {len(items)} addresses; at most 3 are allowed", key)
    found = [
        _address(parts, item, f"{key}[{i}]" if key == "street_addresses" else key, lines[i])
        for i, item in enumerate(items)
    ]
    return canonical_addresses([a for a in found if a is not None]) or []


def _custom_fields(parts: ContactParts, value: Any) -> dict[str, str | None]:
    if value is None:
        return {}
    if not isinstance(value, LMap):
        parts.error("must be a mapping of custom field name to value", "custom_fields")
        return {}
    if len(value) > 25:
        parts.error(f"has {len(value)} entries; at most 25 are allowed", "custom_fields")
    out: dict[str, str | None] = {}
    for name, raw in value.items():
        where, line = f"custom_fields.{name}", value.lines[name]
        if raw is None:
            out[name] = None
        elif isinstance(raw, LMap | LList):
            parts.error("must be a single value (string, number, date) or null", where, line)
        else:
            text = (
                raw.isoformat()
                if isinstance(raw, dt.date)
                else str(raw).lower()
                if isinstance(raw, bool)
                else str(raw)
            )
            if len(text) > 255:
                parts.error("is longer than 255 characters", where, line)
            out[name] = text
    return out


def _lists(parts: ContactParts, value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, LList) or not all(isinstance(v, str) and v.strip() for v in value):
        parts.error("must be a list of list names", "lists")
        return frozenset()
    if len(value) > 50:
        parts.error(f"names {len(value)} lists; a contact can be on at most 50", "lists")
    seen: set[str] = set()
    for i, name in enumerate(value):
        if name in seen:
            parts.error(f"names '{name}' twice", "lists", value.lines[i])
        seen.add(name)
    return frozenset(seen)


def _consent(parts: ContactParts, value: Any) -> ConsentEvidence | None:
    if not isinstance(value, LMap):
        parts.error("must be a mapping with at, evidence and method", "consent")
        return None
    for key in value.keys() - {"at", "evidence", "method"}:
        parts.error(
            f"unknown key '{key}'" + suggest(key, ("at", "evidence", "method")),
            f"consent.{key}",
            value.lines[key],
        )
    at, evidence, method = value.get("at"), value.get("evidence"), value.get("method", "signup_form")
    when: dt.datetime | None = None
    if isinstance(at, str):
        try:
            when = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        parts.error(
            "must be an ISO-8601 date-time with a timezone, e.g. 2026-11-01T10:00:00Z (quoted)",
            "consent.at",
            value.lines.get("at", value.line),
        )
    if not isinstance(evidence, str) or not evidence.strip():
        parts.error(
            "is required: where the proof of the contact's own opt-in lives",
            "consent.evidence",
            value.lines.get("evidence", value.line),
        )
    if method != "signup_form":
        parts.error(
            "the only supported method is signup_form",
            "consent.method",
            value.lines.get("method", value.line),
        )
    if when is None or when.tzinfo is None or not isinstance(evidence, str) or not evidence.strip():
        return None
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ConsentEvidence(at=stamp, evidence=evidence.strip(), method=str(method))


def _name_field(name: str) -> Callable[[ContactParts, Any], Any]:
    return lambda parts, value: _text(parts, name, value, 50)


_SIMPLE: dict[str, Callable[[ContactParts, Any], Any]] = {
    **{name: _name_field(name) for name in NAME_FIELDS},
    "birthday_month": lambda p, v: _int(p, "birthday_month", v, 1, 12),
    "birthday_day": lambda p, v: _int(p, "birthday_day", v, 1, 31),
    "anniversary": _anniversary,
    "phone_numbers": _phones,
}


def check_contact(parts: ContactParts, allowed: tuple[str, ...]) -> None:
    node = parts.node
    for key in node:
        if key not in allowed and not is_secret_key(key):
            parts.error(f"unknown key '{key}'" + suggest(key, allowed), key)
    for key, check in _SIMPLE.items():
        if key in node:
            parts.fields[key] = check(parts, node[key])
    if "street_address" in node and "street_addresses" in node:
        parts.error("give either street_address or street_addresses, not both", "street_addresses")
    for key in ("street_address", "street_addresses"):
        if key in node:
            parts.fields["street_addresses"] = _addresses(parts, key, node[key])
    if ("birthday_month" in node) != ("birthday_day" in node) or (
        "birthday_month" in node and (node["birthday_month"] is None) != (node["birthday_day"] is None)
    ):
        parts.error("birthday_month and birthday_day must be given together", "birthday_month")
    month, day = parts.fields.get("birthday_month"), parts.fields.get("birthday_day")
    if isinstance(month, int) and isinstance(day, int):
        try:
            dt.date(2000, month, day)  # a leap year, so 29 February is allowed
        except ValueError:
            parts.error(f"day {day} does not exist in month {month}", "birthday_day")
    if "custom_fields" in node:
        parts.custom_fields = _custom_fields(parts, node["custom_fields"])
    if "lists" in node:
        parts.lists = _lists(parts, node["lists"])
    if "consent" in node:
        parts.evidence = _consent(parts, node["consent"])
