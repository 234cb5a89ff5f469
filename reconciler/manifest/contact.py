"""One manifest contact, or a `defaults` block, checked into canonical values; and how
defaults fill in what a contact leaves out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ManifestError, SourceRef
from reconciler.manifest.extras import MAX_CUSTOM_FIELDS, check_consent, check_custom_fields, check_lists
from reconciler.manifest.fields import (
    NAME_FIELDS,
    check_addresses,
    check_anniversary,
    check_birthday,
    check_name,
    check_phones,
)
from reconciler.manifest.parts import ContactParts
from reconciler.manifest.report import describe, is_secret_key, unknown_key
from reconciler.manifest.yaml_source import LMap
from reconciler.model import DesiredContact

__all__ = [
    "CONTACT_KEYS",
    "DEFAULT_KEYS",
    "EMAIL",
    "EMAIL_LIMIT",
    "Defaults",
    "check_block",
    "check_contact",
    "merge_defaults",
]

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
EMAIL_LIMIT = 80
# local@domain.tld: no spaces, exactly one @, no empty domain labels
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PER_CONTACT = {
    "email": "each contact has its own email; it cannot be a default",
    "consent": "consent is the contact's own opt-in; it cannot be a default",
}


@dataclass(slots=True)
class Defaults:
    """What the `defaults` blocks declare, in canonical form."""

    fields: dict[str, Any] = field(default_factory=dict)
    custom_fields: dict[str, str | None] = field(default_factory=dict)
    lists: frozenset[str] | None = None


def check_block(parts: ContactParts, allowed: tuple[str, ...]) -> None:
    """Check every key of a contact or defaults block, filling `parts`."""
    node = parts.node
    for key in node:
        if key in allowed or is_secret_key(key):
            continue
        parts.error(_PER_CONTACT.get(key) or unknown_key(key, allowed), key)
    for name in NAME_FIELDS:
        if name in node:
            parts.fields[name] = check_name(parts, name, node[name])
    parts.fields.update(check_birthday(parts, node))
    if "anniversary" in node:
        parts.fields["anniversary"] = check_anniversary(parts, node["anniversary"])
    if "phone_numbers" in node:
        parts.fields["phone_numbers"] = check_phones(parts, node["phone_numbers"])
    addresses = check_addresses(parts, node)
    if addresses is not None:
        parts.fields["street_addresses"] = addresses
    if "custom_fields" in node:
        parts.custom_fields = check_custom_fields(parts, node["custom_fields"])
    if "lists" in node:
        parts.lists = check_lists(parts, node["lists"])
    if "consent" in node and "consent" in allowed:
        parts.evidence = check_consent(parts, node["consent"])


def merge_defaults(blocks: list[ContactParts], errors: list[ManifestError]) -> Defaults:
    """Several files may give defaults, but each key only once (like settings), so that
    splitting files never changes what a contact gets."""
    merged = Defaults()
    seen: dict[str, SourceRef] = {}
    for parts in blocks:
        for key in parts.node:
            if key not in DEFAULT_KEYS:
                continue  # already reported as unknown
            # street_address and street_addresses are one field
            slot = "street_addresses" if key == "street_address" else key
            where = SourceRef(parts.file, parts.line(key))
            if slot in seen:
                errors.append(
                    ManifestError(f"is already given at {seen[slot]}", source=where, field=f"defaults.{key}")
                )
            seen.setdefault(slot, where)
        merged.fields.update(parts.fields)
        merged.custom_fields.update(parts.custom_fields)
        if parts.lists is not None:
            merged.lists = parts.lists
    return merged


def _email(parts: ContactParts) -> str | None:
    node = parts.node
    if "email" not in node:
        parts.error("every contact needs an email", "email")
        return None
    value = node["email"]
    if not isinstance(value, str) or not value.strip():
        parts.error(f"must be an email address (a string), not {describe(value)}", "email")
        return None
    email = value.strip()
    if len(email) > EMAIL_LIMIT:
        parts.error(f"is {len(email)} characters long; at most {EMAIL_LIMIT} are allowed", "email")
    elif not EMAIL.fullmatch(email):
        parts.error(f"'{email}' is not a valid email address (like name@example.com)", "email")
    return email


def check_contact(
    file: str,
    node: LMap,
    errors: list[ManifestError],
    defaults: Defaults,
    managed_lists: frozenset[str] | None,
) -> DesiredContact | None:
    """The canonical contact, with defaults filled in; None without a usable email. A contact
    with other errors is still returned, so that duplicates are found too."""
    raw = node.get("email")
    parts = ContactParts(
        file,
        node,
        errors,
        contact=raw.strip() if isinstance(raw, str) and raw.strip() else None,
        managed_lists=managed_lists,
    )
    email = _email(parts)
    check_block(parts, CONTACT_KEYS)
    if email is None:
        return None
    fields = {**defaults.fields, **parts.fields}
    custom = {**defaults.custom_fields, **parts.custom_fields}
    if len(custom) > MAX_CUSTOM_FIELDS and len(parts.custom_fields) <= MAX_CUSTOM_FIELDS:
        parts.error(
            f"has {len(custom)} custom fields with the defaults; at most {MAX_CUSTOM_FIELDS} are allowed",
            "custom_fields",
        )
    return DesiredContact(
        email=email,
        source=SourceRef(file, parts.line("email")),
        fields=fields,
        custom_fields=custom,
        lists=parts.lists if parts.lists is not None else defaults.lists,
        consent_evidence=parts.evidence,
    )
