"""The canonical contact: what the planner sees, whatever the platform.

Providers map their wire formats onto these values; the planner never sees a wire format.
Values are plain JSON-compatible data (str, int, None, lists of dicts) so that a field's
before/after can go straight into a plan file. Collections are canonicalised (sorted) on the
way in, so that equality means "nothing to change".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.errors import SourceRef

__all__ = [
    "ADDRESS_KEYS",
    "SCALAR_FIELDS",
    "Consent",
    "ConsentEvidence",
    "CustomFieldDef",
    "Desired",
    "DesiredContact",
    "FieldValue",
    "ListDef",
    "Observed",
    "ObservedContact",
    "canonical_addresses",
    "canonical_phones",
    "email_key",
]

FieldValue = Any  # JSON-compatible: str | int | None | list[dict[str, str | None]]

SCALAR_FIELDS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
)
COLLECTION_FIELDS: tuple[str, ...] = ("phone_numbers", "street_addresses")
ALL_FIELDS: tuple[str, ...] = SCALAR_FIELDS + COLLECTION_FIELDS
ADDRESS_KEYS: tuple[str, ...] = ("kind", "street", "city", "state", "postal_code", "country")


def email_key(email: str) -> str:
    """Identity of a contact: its address, trimmed and compared case-insensitively."""
    return email.strip().lower()


def canonical_phones(phones: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str]] | None:
    if phones is None:
        return None
    out = [{"kind": str(p.get("kind") or "other"), "number": str(p.get("number") or "")} for p in phones]
    return sorted(out, key=lambda p: (p["kind"], p["number"]))


def canonical_addresses(addresses: Sequence[Mapping[str, Any]] | None) -> list[dict[str, str | None]] | None:
    if addresses is None:
        return None
    out: list[dict[str, str | None]] = []
    for a in addresses:
        item: dict[str, str | None] = {}
        for k in ADDRESS_KEYS:
            v = a.get(k)
            item[k] = None if v is None or v == "" else str(v)
        out.append(item)
    return sorted(out, key=lambda a: tuple(a[k] or "" for k in ADDRESS_KEYS))


class Consent(StrEnum):
    """Canonical subscription state of a contact's email address."""

    SUBSCRIBED = "subscribed"  # may be mailed: explicit or implicit permission
    PENDING = "pending"  # waiting for the contact to confirm
    NOT_SET = "not_set"
    TEMP_HOLD = "temp_hold"
    UNSUBSCRIBED_BY_CONTACT = "unsubscribed_by_contact"  # only the contact can undo this
    UNSUBSCRIBED_BY_ACCOUNT = "unsubscribed_by_account"  # the account may re-add


@dataclass(frozen=True, slots=True)
class ConsentEvidence:
    """The contact's own, recorded opt-in: the only thing that can undo their opt-out."""

    at: str  # ISO-8601 date-time of the contact's action
    evidence: str  # where the proof lives (form submission id, URL, ticket)
    method: str = "signup_form"


@dataclass(frozen=True, slots=True)
class ObservedContact:
    email: str
    contact_id: str
    updated_at: str | None
    consent: Consent
    deleted: bool = False
    opted_out_at: str | None = None
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    custom_fields: Mapping[str, str] = field(default_factory=dict)
    lists: frozenset[str] = frozenset()
    updated_by: str | None = None  # "contact" or "account": who made the last change, where known

    @property
    def key(self) -> str:
        return email_key(self.email)


@dataclass(frozen=True, slots=True)
class ListDef:
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class CustomFieldDef:
    name: str
    type: str = "string"


@dataclass(frozen=True, slots=True)
class Observed:
    """What a provider read from the account. Lists and custom fields are keyed by name."""

    target: str
    contacts: Mapping[str, ObservedContact]  # by email_key
    lists: Mapping[str, str]  # list name -> platform id
    custom_fields: Mapping[str, str]  # custom field name -> platform id


@dataclass(frozen=True, slots=True)
class DesiredContact:
    """One manifest contact. Only declared fields appear in `fields`/`custom_fields`;
    a value of None means "managed, and must be empty". `lists` is None when undeclared."""

    email: str
    source: SourceRef
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    custom_fields: Mapping[str, str | None] = field(default_factory=dict)
    lists: frozenset[str] | None = None
    consent_evidence: ConsentEvidence | None = None

    @property
    def key(self) -> str:
        return email_key(self.email)


@dataclass(frozen=True, slots=True)
class Desired:
    contacts: tuple[DesiredContact, ...]  # sorted by key, unique keys
    managed_lists: frozenset[str]
    lists: tuple[ListDef, ...] = ()
    custom_fields: tuple[CustomFieldDef, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    digest: str = ""
