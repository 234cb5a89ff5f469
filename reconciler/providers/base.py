"""The provider protocol: what the core needs from a platform, and nothing more.

Readers and writers are separate protocols: the planner is handed an `Observed` value
that a `Provider.read()` produced; only apply holds a `ContactWriter`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from reconciler.model import ALL_FIELDS, CustomFieldDef, ListDef, Observed, ObservedContact
from reconciler.plan import Change

__all__ = ["Capabilities", "ContactWriter", "Progress", "Provider", "ReconcilingProvider", "WriteResult"]

Progress = Callable[[int], None]  # called with the number of contacts read so far


@dataclass(frozen=True, slots=True)
class Capabilities:
    name: str
    write_mode: Literal["replace", "merge"]  # full PUT of the record, or only changed fields
    page_size: int
    contact_opt_in_path: bool  # a legal way to replay a contact's own, evidenced opt-in
    changed_since_reads: bool  # can list only contacts updated after a time
    fields: frozenset[str] = frozenset(ALL_FIELDS)  # canonical fields the platform can store
    max_phone_numbers: int = 3
    max_street_addresses: int = 3
    phone_kinds: frozenset[str] = frozenset(("home", "work", "mobile", "other"))


@dataclass(frozen=True, slots=True)
class WriteResult:
    contact_id: str
    note: str | None = None  # e.g. "409 resolved: the contact already existed"
    refused_rule: str | None = None  # set when a write turned out to be an illegal opt-in
    refused_reason: str | None = None


class Provider(Protocol):
    capabilities: Capabilities

    @property
    def target(self) -> str:
        """Where this provider points (base URL and account), for plans and staleness checks."""
        ...

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        """All contacts, or only those changed after `updated_after` (when changed_since_reads)."""
        ...

    def close(self) -> None: ...


class ContactWriter(Protocol):
    """Only apply holds one of these."""

    def create_list(self, definition: ListDef) -> str: ...

    def create_custom_field(self, definition: CustomFieldDef) -> str: ...

    def write(self, change: Change, observed: ObservedContact | None) -> WriteResult:
        """Make the server reflect exactly `change`, nothing more."""
        ...


class ReconcilingProvider(Provider, ContactWriter, Protocol):
    """What the CLI builds: a provider that can both read and (for apply) write."""
