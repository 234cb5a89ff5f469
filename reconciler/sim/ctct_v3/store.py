"""All simulated account state: lists, custom fields, contacts, and the consent logs.

Contacts live in one list in insertion order (the order GET /contacts pages through) with
an id -> position index and an email -> position index, so paging and lookups never scan.
Contacts are only soft-deleted through the API, so a position is stable for the life of the
state and a paging cursor can simply carry it.

One re-entrant lock guards everything: the app may be served from a thread while a test or
benchmark seeds the same store directly. The simulator's own modules (contacts.py,
account.py, query.py) work on the attributes below while holding `lock`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from reconciler.sim.common.persistence import (
    PRETTY_LIMIT,
    STATE_VERSION,
    PersistentStore,
    check_version,
    write_state,
)
from reconciler.sim.ctct_v3.records import ingest
from reconciler.sim.ctct_v3.wire import iso, later_than, new_id

__all__ = ["STATE_VERSION", "SimStore"]


def _copy(record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy callers may mutate freely (stored records share nested values)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out[key] = dict(value)
        elif isinstance(value, list):
            out[key] = [dict(v) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    return out


class SimStore(PersistentStore):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)
        self.records: list[dict[str, Any]] = []
        self.positions: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.fields: dict[str, dict[str, Any]] = {}
        self.illegal_log: list[dict[str, Any]] = []
        self.consent_log: list[dict[str, Any]] = []
        self._now_cache: tuple[int, str] = (-1, "")

    # -- time ------------------------------------------------------------------------------

    def now(self) -> str:
        # Formatting dominates bulk seeding; the string only changes once a second.
        moment = self.clock()
        second = int(moment.timestamp())
        if second != self._now_cache[0]:
            self._now_cache = (second, iso(moment))
        return self._now_cache[1]

    def today(self) -> str:
        return self.clock().astimezone(UTC).date().isoformat()

    def bump(self, previous: str | None) -> str:
        """A fresh updated_at, strictly later than `previous`."""
        return later_than(previous, self.clock())

    # -- persistence -----------------------------------------------------------------------

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Replace everything with `state` (the logs too: they describe the old account).
        Built aside and swapped in, so a bad state leaves the current one untouched."""
        check_version(state)
        fresh = SimStore(self.clock)
        for item in state.get("lists") or []:
            record = fresh._list_record(item)
            fresh.lists[record["list_id"]] = record
        for item in state.get("custom_fields") or []:
            record = fresh._field_record(item)
            fresh.fields[record["custom_field_id"]] = record
        for raw in state.get("contacts") or []:
            fresh.add_contact(raw)
        with self.lock:
            self.records, self.positions, self.by_email = fresh.records, fresh.positions, fresh.by_email
            self.lists, self.fields = fresh.lists, fresh.fields
            self.illegal_log, self.consent_log = [], []

    def to_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "lists": [dict(item) for item in self.lists.values()],
                "custom_fields": [dict(item) for item in self.fields.values()],
                "contacts": [_copy(r) for r in self.records],
            }

    def save(self, path: str | os.PathLike[str]) -> None:
        with self.lock:
            # Records are never mutated in place, so shallow copies are a consistent snapshot.
            pretty = len(self.records) <= PRETTY_LIMIT
            state = {
                "version": STATE_VERSION,
                "lists": list(self.lists.values()),
                "custom_fields": list(self.fields.values()),
                "contacts": list(self.records),
            }
        write_state(path, state, pretty=pretty)

    def reset(self) -> None:
        with self.lock:
            self.records, self.positions, self.by_email = [], {}, {}
            self.lists, self.fields = {}, {}
            self.illegal_log, self.consent_log = [], []

    # -- records (for the simulator's modules; callers hold the lock) ------------------------

    def insert(self, record: dict[str, Any]) -> None:
        position = len(self.records)
        self.records.append(record)
        self.positions[record["contact_id"]] = position
        self.by_email[record["email_address"]["address"].lower()] = position

    def replace(self, record: dict[str, Any]) -> None:
        position = self.positions[record["contact_id"]]
        old = self.records[position]
        old_email = old["email_address"]["address"].lower()
        new_email = record["email_address"]["address"].lower()
        if old_email != new_email:
            del self.by_email[old_email]
            self.by_email[new_email] = position
        self.records[position] = record

    def record(self, contact_id: str) -> dict[str, Any] | None:
        position = self.positions.get(contact_id.lower())
        return None if position is None else self.records[position]

    def record_by_email(self, email: str) -> dict[str, Any] | None:
        position = self.by_email.get(email.strip().lower())
        return None if position is None else self.records[position]

    def _list_record(self, item: Mapping[str, Any]) -> dict[str, Any]:
        now = self.now()
        return {
            "list_id": str(item.get("list_id") or new_id()).lower(),
            "name": str(item["name"]),
            "description": item.get("description"),
            "favorite": bool(item.get("favorite", False)),
            "created_at": item.get("created_at") or now,
            "updated_at": item.get("updated_at") or item.get("created_at") or now,
        }

    def _field_record(self, item: Mapping[str, Any]) -> dict[str, Any]:
        now = self.now()
        label = str(item["label"])
        return {
            "custom_field_id": str(item.get("custom_field_id") or new_id()).lower(),
            "label": label,
            "name": item.get("name") or label.replace(" ", "_"),
            "type": item.get("type") or "string",
            "created_at": item.get("created_at") or now,
            "updated_at": item.get("updated_at") or item.get("created_at") or now,
        }

    # -- convenience for tests and benchmarks (no HTTP, no API validation) --------------------

    def add_list(self, name: str, description: str | None = None, *, list_id: str | None = None) -> str:
        with self.lock:
            record = self._list_record({"name": name, "description": description, "list_id": list_id})
            self.lists[record["list_id"]] = record
            return str(record["list_id"])

    def add_custom_field(
        self, label: str, type: str = "string", *, custom_field_id: str | None = None
    ) -> str:
        with self.lock:
            record = self._field_record({"label": label, "type": type, "custom_field_id": custom_field_id})
            self.fields[record["custom_field_id"]] = record
            return str(record["custom_field_id"])

    def add_contact(self, contact: Mapping[str, Any]) -> str:
        """Store a v3-shaped contact as given (any status, permission or opt-out), filling
        ids, timestamps and defaults. Raises ValueError on a duplicate email or id."""
        with self.lock:
            record = ingest(contact, self.now(), self.today)
            if record["email_address"]["address"].lower() in self.by_email:
                raise ValueError(f"duplicate email {record['email_address']['address']}")
            if record["contact_id"] in self.positions:
                raise ValueError(f"duplicate contact_id {record['contact_id']}")
            self.insert(record)
            return str(record["contact_id"])

    def get_contact(self, contact_id: str) -> dict[str, Any] | None:
        """The full stored record (all subresources and the internal "status")."""
        with self.lock:
            record = self.record(contact_id)
            return None if record is None else _copy(record)

    def find_by_email(self, email: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.record_by_email(email)
            return None if record is None else _copy(record)

    def contacts(self) -> list[dict[str, Any]]:
        with self.lock:
            return [_copy(r) for r in self.records]

    def list_id(self, name: str) -> str | None:
        with self.lock:
            return next((k for k, v in self.lists.items() if v["name"] == name), None)

    def custom_field_id(self, name: str) -> str | None:
        with self.lock:
            return next((k for k, v in self.fields.items() if name in (v["name"], v["label"])), None)
