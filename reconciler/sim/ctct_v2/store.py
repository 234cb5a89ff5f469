"""All simulated v2 account state: lists, contacts, and the consent logs.

Contacts live in one list in insertion order (the order GET /contacts pages through) with an
id -> position and an email -> position index. v2 never deletes a contact (DELETE opts it
out, an empty list set makes it REMOVED), so positions are stable and a `next` token can
carry one. Ids are numeric strings, handed out in sequence as v2 does.

One re-entrant lock guards everything; the simulator's modules hold it while they work on the
attributes below."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from reconciler.sim.common.persistence import STATE_VERSION, PersistentStore, check_version, write_state
from reconciler.sim.ctct_v2.records import ingest
from reconciler.sim.ctct_v2.wire import later_than, stamp

__all__ = ["STATE_VERSION", "SimStore"]


def _deep(record: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(record))  # type: ignore[no-any-return]


class SimStore(PersistentStore):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.records: list[dict[str, Any]] = []
            self.positions: dict[str, int] = {}
            self.by_email: dict[str, int] = {}
            self.lists: dict[str, dict[str, Any]] = {}
            self.illegal_log: list[dict[str, Any]] = []
            self.consent_log: list[dict[str, Any]] = []
            self._next_id = 1

    # -- time and ids ----------------------------------------------------------------------

    def now(self) -> str:
        return stamp(self.clock())

    def bump(self, previous: str | None) -> str:
        return later_than(previous, self.clock())

    def new_id(self) -> str:
        """Contacts and lists share one sequence: ids are unique across both, like v2's."""
        value = str(self._next_id)
        self._next_id += 1
        return value

    def _see_id(self, value: str) -> None:
        if value.isdigit():
            self._next_id = max(self._next_id, int(value) + 1)

    # -- persistence -----------------------------------------------------------------------

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Replace everything (the logs too). Built aside, so a bad state changes nothing."""
        check_version(state)
        fresh = SimStore(self.clock)
        for item in state.get("lists") or []:
            fresh.add_list(
                str(item["name"]),
                str(item.get("status") or "ACTIVE"),
                list_id=item.get("id"),
                created=item.get("created_date"),
            )
        for raw in state.get("contacts") or []:
            fresh.add_contact(raw)
        with self.lock:
            self.records, self.positions, self.by_email = fresh.records, fresh.positions, fresh.by_email
            self.lists, self._next_id = fresh.lists, fresh._next_id
            self.illegal_log, self.consent_log = [], []

    def to_state(self) -> dict[str, Any]:
        with self.lock:
            state = {"version": STATE_VERSION, "lists": list(self.lists.values()), "contacts": self.records}
            return _deep(state)

    def save(self, path: str | os.PathLike[str]) -> None:
        write_state(path, self.to_state())

    # -- records (callers hold the lock) ---------------------------------------------------

    def insert(self, record: dict[str, Any]) -> None:
        self.positions[record["id"]] = len(self.records)
        self.by_email[record["email_addresses"][0]["email_address"].lower()] = len(self.records)
        self.records.append(record)

    def replace(self, record: dict[str, Any]) -> None:
        position = self.positions[record["id"]]
        old_email = self.records[position]["email_addresses"][0]["email_address"].lower()
        new_email = record["email_addresses"][0]["email_address"].lower()
        if old_email != new_email:
            del self.by_email[old_email]
            self.by_email[new_email] = position
        self.records[position] = record

    def record(self, contact_id: str) -> dict[str, Any] | None:
        position = self.positions.get(contact_id)
        return None if position is None else self.records[position]

    def record_by_email(self, email: str) -> dict[str, Any] | None:
        position = self.by_email.get(email.strip().lower())
        return None if position is None else self.records[position]

    # -- helpers for tests and benchmarks (no HTTP, no API validation) -----------------------

    def add_list(
        self, name: str, status: str = "ACTIVE", *, list_id: str | None = None, created: str | None = None
    ) -> str:
        with self.lock:
            item_id = str(list_id) if list_id else self.new_id()
            self._see_id(item_id)
            now = created or self.now()
            self.lists[item_id] = {
                "id": item_id,
                "name": name,
                "status": status,
                "created_date": now,
                "modified_date": now,
            }
            return item_id

    def add_contact(self, contact: Mapping[str, Any]) -> str:
        """Store a v2-shaped contact as given (any status), filling ids, dates and defaults.
        Raises ValueError on a duplicate email or id."""
        with self.lock:
            contact_id = str(contact["id"]) if contact.get("id") else self.new_id()
            record = ingest(contact, contact_id, self.now())
            if record["email_addresses"][0]["email_address"].lower() in self.by_email:
                raise ValueError(f"duplicate email {record['email_addresses'][0]['email_address']}")
            if contact_id in self.positions:
                raise ValueError(f"duplicate contact id {contact_id}")
            self._see_id(contact_id)
            self.insert(record)
            return contact_id

    def get_contact(self, contact_id: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.record(contact_id)
            return None if record is None else _deep(record)

    def find_by_email(self, email: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.record_by_email(email)
            return None if record is None else _deep(record)

    def contacts(self) -> list[dict[str, Any]]:
        with self.lock:
            return _deep({"c": self.records})["c"]  # type: ignore[no-any-return]

    def list_id(self, name: str) -> str | None:
        with self.lock:
            return next((k for k, v in self.lists.items() if v["name"] == name), None)
