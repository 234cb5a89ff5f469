"""Checks of what a contact carries beyond its standard fields: custom field values, list
memberships and recorded consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reconciler.manifest.parts import ContactParts
from reconciler.manifest.report import describe, is_secret_key, unknown_key
from reconciler.manifest.yaml_source import LList, LMap
from reconciler.model import ConsentEvidence

__all__ = [
    "CONSENT_METHODS",
    "CUSTOM_FIELD_NAME_LIMIT",
    "CUSTOM_FIELD_VALUE_LIMIT",
    "LIST_NAME_LIMIT",
    "MAX_CUSTOM_FIELDS",
    "MAX_LISTS",
    "check_consent",
    "check_custom_fields",
    "check_lists",
    "custom_value",
]

MAX_CUSTOM_FIELDS = 25
CUSTOM_FIELD_NAME_LIMIT = 50
CUSTOM_FIELD_VALUE_LIMIT = 255
MAX_LISTS = 50
LIST_NAME_LIMIT = 255
CONSENT_METHODS = ("signup_form",)


def custom_value(raw: Any) -> str | None:
    """Custom field values are strings on every platform; YAML's other scalars become the
    text the user typed (true, 42, 2019-06-01). Empty means "clear"."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, dt.date):
        text = raw.isoformat()
    else:
        text = str(raw)
    return text or None


def check_custom_fields(parts: ContactParts, value: Any) -> dict[str, str | None]:
    if value is None:
        return {}
    if not isinstance(value, LMap):
        parts.error(
            f"must be a mapping of custom field name to value, not {describe(value)}", "custom_fields"
        )
        return {}
    if len(value) > MAX_CUSTOM_FIELDS:
        parts.error(f"has {len(value)} entries; at most {MAX_CUSTOM_FIELDS} are allowed", "custom_fields")
    out: dict[str, str | None] = {}
    for name, raw in value.items():
        where, line = f"custom_fields.{name}", value.lines[name]
        if not name.strip() or len(name) > CUSTOM_FIELD_NAME_LIMIT:
            parts.error(f"a custom field name has 1 to {CUSTOM_FIELD_NAME_LIMIT} characters", where, line)
        if isinstance(raw, LMap | LList):
            parts.error(
                f"must be a single value (string, number, date) or null, not {describe(raw)}", where, line
            )
            continue
        text = custom_value(raw)
        if text is not None and len(text) > CUSTOM_FIELD_VALUE_LIMIT:
            parts.error(
                f"is {len(text)} characters long; at most {CUSTOM_FIELD_VALUE_LIMIT} are allowed", where, line
            )
        out[name] = text
    return out


def check_lists(parts: ContactParts, value: Any) -> frozenset[str]:
    """Declared lists: [] and null both mean "on none of the managed lists"."""
    if value is None:
        return frozenset()
    if not isinstance(value, LList):
        parts.error(f"must be a list of list names, not {describe(value)}", "lists")
        return frozenset()
    if len(value) > MAX_LISTS:
        parts.error(f"names {len(value)} lists; a contact can be on at most {MAX_LISTS}", "lists")
    seen: set[str] = set()
    for i, name in enumerate(value):
        line = value.lines[i]
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > LIST_NAME_LIMIT:
            parts.error(
                f"must be a list name of 1 to {LIST_NAME_LIMIT} characters, not {describe(name)}"
                + (f' (quote it: "{name}")' if isinstance(name, int | float | dt.date) else ""),
                f"lists[{i}]",
                line,
            )
            continue
        name = name.strip()
        if name in seen:
            parts.error(f"names '{name}' twice", f"lists[{i}]", line)
        elif parts.managed_lists is not None and name not in parts.managed_lists:
            parts.error(
                f"list '{name}' is not in settings.managed_lists; add it there or remove it here",
                f"lists[{i}]",
                line,
            )
        seen.add(name)
    return frozenset(seen)


def _timestamp(text: str) -> str | None:
    """ISO-8601 date-time with a timezone, as UTC in the Z form; None if it is not one."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
        if when.tzinfo is None or when.utcoffset() is None:
            return None
        when = when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    fraction = f".{when.microsecond:06d}".rstrip("0") if when.microsecond else ""
    return when.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


def check_consent(parts: ContactParts, value: Any) -> ConsentEvidence | None:
    if not isinstance(value, LMap):
        parts.error(f"must be a mapping with at, evidence and method, not {describe(value)}", "consent")
        return None
    allowed = ("at", "evidence", "method")
    for key in value:
        if key not in allowed and not is_secret_key(key):
            parts.error(unknown_key(key, allowed), f"consent.{key}", value.lines[key])
    at, evidence = value.get("at"), value.get("evidence")
    method = value.get("method", CONSENT_METHODS[0])
    stamp = _timestamp(at) if isinstance(at, str) else None
    if stamp is None:
        parts.error(
            "must be an ISO-8601 date-time with a timezone, like 2026-11-01T10:00:00Z"
            + (f", not {describe(at)}" if not isinstance(at, str) else ""),
            "consent.at",
            value.lines.get("at", value.line),
        )
    if not isinstance(evidence, str) or not evidence.strip():
        parts.error(
            "is required: a non-empty string saying where the proof of the contact's own opt-in lives",
            "consent.evidence",
            value.lines.get("evidence", value.line),
        )
        return None
    if method not in CONSENT_METHODS:
        parts.error(
            f"'{method}' is not a consent method; expected one of: {', '.join(CONSENT_METHODS)}",
            "consent.method",
            value.lines.get("method", value.line),
        )
        return None
    if stamp is None:
        return None
    return ConsentEvidence(at=stamp, evidence=evidence.strip(), method=str(method))
