"""All simulated v1 account state: numbered lists, numbered contacts, and the consent logs.

A contact record is a dict keyed by v1 element names ("FirstName", "Status", ...; writable
ones always present, "" when empty) plus "id" and "lists" ([{id, OptInSource, OptInTime}]).
Contacts are never deleted in v1 (DELETE means opt-out), so a contact's position in `records`
is stable and a paging token can carry it. Records are replaced whole, never edited in place.

One re-entrant lock guards everything, as in the v3 simulator; the simulator's modules work on
the attributes while holding it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from reconciler.sim.common.persistence import (
    PRETTY_LIMIT,
    STATE_VERSION,
    PersistentStore,
    check_version,
    write_state,
)
from reconciler.sim.ctct_v1.fields import (
    ACTION_BY_CONTACT,
    ACTION_BY_CUSTOMER,
    ACTIVE,
    DO_NOT_MAIL,
    READ_ONLY,
    REMOVED,
    STATUSES,
    WRITABLE,
)

__all__ = ["STATE_VERSION", "SimStore", "v1_time"]


def v1_time(moment: datetime) -> str:
    """v1 timestamps: UTC with milliseconds, e.g. 2008-04-21T15:33:20.414Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _list_record(item: Mapping[str, Any], list_id: int, now: str) -> dict[str, Any]:
    name = str(item["name"])
    return {
        "id": list_id,
        "name": name,
        "short_name": str(item.get("short_name") or name),
        "opt_in_default": bool(item.get("opt_in_default", False)),
        "display_on_signup": bool(item.get("display_on_signup", False)),
        "sort_order": int(item.get("sort_order", list_id)),
        "updated": str(item.get("updated") or now),
    }


def ingest(raw: Mapping[str, Any], contact_id: int, now: str) -> dict[str, Any]:
    """A record from a state/seed dict: what it states is kept, the rest defaulted the way the
    server would have (Active with lists, Removed without, Do-Not-Mail on no list)."""
    email = str(raw.get("EmailAddress") or "").strip()
    if not email:
        raise ValueError("a contact needs EmailAddress")
    lists = [
        {
            "id": int(m["id"]),
            "OptInSource": str(m.get("OptInSource") or ACTION_BY_CUSTOMER),
            "OptInTime": str(m.get("OptInTime") or raw.get("InsertTime") or now),
        }
        for m in raw.get("lists") or ()
    ]
    status = str(raw.get("Status") or (ACTIVE if lists else REMOVED))
    if status not in STATUSES:
        raise ValueError(f"unknown Status {status!r}")
    record: dict[str, Any] = {"id": contact_id, "Status": status}
    record.update({name: str(raw.get(name) or "") for name in WRITABLE})
    record["EmailAddress"] = email
    record["EmailType"] = record["EmailType"] or "HTML"
    record.update({name: raw[name] for name in READ_ONLY if raw.get(name) not in (None, "")})
    record.setdefault("Confirmed", "false")
    record.setdefault("InsertTime", now)
    record.setdefault("LastUpdateTime", record["InsertTime"])
    record["OptInSource"] = str(raw.get("OptInSource") or ACTION_BY_CUSTOMER)
    if status == DO_NOT_MAIL:
        lists = []
        record.setdefault("OptOutTime", record["LastUpdateTime"])
        record.setdefault("OptOutSource", ACTION_BY_CONTACT)
    elif status != REMOVED:
        record.setdefault("OptInTime", record["InsertTime"])
    record["lists"] = lists
    return record


class SimStore(PersistentStore):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)
        self.records: list[dict[str, Any]] = []
        self.positions: dict[int, int] = {}
        self.by_email: dict[str, int] = {}
        self.lists: dict[int, dict[str, Any]] = {}
        self.illegal_log: list[dict[str, Any]] = []
        self.consent_log: list[dict[str, Any]] = []

    # -- time ------------------------------------------------------------------------------

    def now(self) -> str:
        return v1_time(self.clock())

    def bump(self, previous: str | None) -> str:
        """A fresh LastUpdateTime, strictly later than `previous`."""
        stamp = self.now()
        if previous is not None and stamp <= previous:
            stamp = v1_time(_parse_time(previous) + timedelta(milliseconds=1))
        return stamp

    # -- persistence -----------------------------------------------------------------------

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Replace everything with `state` (the logs too). Built aside and swapped in, so a bad
        state leaves the current one untouched."""
        check_version(state)
        fresh = SimStore(self.clock)
        for item in state.get("lists") or []:
            fresh.add_list(
                str(item["name"]),
                list_id=item.get("id"),
                **{
                    k: item[k]
                    for k in ("short_name", "opt_in_default", "display_on_signup", "sort_order", "updated")
                    if k in item
                },
            )
        for raw in state.get("contacts") or []:
            fresh.add_contact(raw)
        with self.lock:
            self.records, self.positions, self.by_email = fresh.records, fresh.positions, fresh.by_email
            self.lists = fresh.lists
            self.illegal_log, self.consent_log = [], []

    def to_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "lists": [dict(item) for item in self.lists.values()],
                "contacts": [_copy(r) for r in self.records],
            }

    def save(self, path: str | os.PathLike[str]) -> None:
        state = self.to_state()
        write_state(path, state, pretty=len(state["contacts"]) <= PRETTY_LIMIT)

    def reset(self) -> None:
        with self.lock:
            self.records, self.positions, self.by_email, self.lists = [], {}, {}, {}
            self.illegal_log, self.consent_log = [], []

    # -- records (for the simulator's modules; callers hold the lock) ------------------------

    def next_contact_id(self) -> int:
        return max(self.positions, default=0) + 1

    def insert(self, record: dict[str, Any]) -> None:
        position = len(self.records)
        self.records.append(record)
        self.positions[record["id"]] = position
        self.by_email[record["EmailAddress"].lower()] = position

    def replace(self, record: dict[str, Any]) -> None:
        position = self.positions[record["id"]]
        old_email = self.records[position]["EmailAddress"].lower()
        if old_email != record["EmailAddress"].lower():
            del self.by_email[old_email]
            self.by_email[record["EmailAddress"].lower()] = position
        self.records[position] = record

    def record(self, contact_id: int) -> dict[str, Any] | None:
        position = self.positions.get(contact_id)
        return None if position is None else self.records[position]

    def record_by_email(self, email: str) -> dict[str, Any] | None:
        position = self.by_email.get(email.strip().lower())
        return None if position is None else self.records[position]

    # -- convenience for tests, seeds and benchmarks (no HTTP, no API validation) -------------

    def add_list(self, name: str, *, list_id: int | None = None, **details: Any) -> int:
        with self.lock:
            number = int(list_id) if list_id is not None else max(self.lists, default=0) + 1
            if number in self.lists or any(item["name"] == name for item in self.lists.values()):
                raise ValueError(f"duplicate list {name!r} / {number}")
            self.lists[number] = _list_record({"name": name, **details}, number, self.now())
            return number

    def add_contact(self, contact: Mapping[str, Any]) -> int:
        """Store a v1-shaped contact as given (any status), filling ids, times and defaults.
        Raises ValueError on a duplicate email or id, or a list that does not exist."""
        with self.lock:
            wanted = contact.get("id")
            record = ingest(
                contact, int(wanted) if wanted is not None else self.next_contact_id(), self.now()
            )
            if record["EmailAddress"].lower() in self.by_email:
                raise ValueError(f"duplicate email {record['EmailAddress']}")
            if record["id"] in self.positions:
                raise ValueError(f"duplicate contact id {record['id']}")
            unknown = [m["id"] for m in record["lists"] if m["id"] not in self.lists]
            if unknown:
                raise ValueError(f"contact {record['EmailAddress']} is on unknown list(s) {unknown}")
            self.insert(record)
            return int(record["id"])

    def get_contact(self, contact_id: int) -> dict[str, Any] | None:
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

    def list_id(self, name: str) -> int | None:
        with self.lock:
            return next((k for k, v in self.lists.items() if v["name"] == name), None)

    def list_names(self, record: Mapping[str, Any]) -> set[str]:
        with self.lock:
            return {self.lists[m["id"]]["name"] for m in record["lists"] if m["id"] in self.lists}


def _copy(record: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(record)
    out["lists"] = [dict(m) for m in record.get("lists") or ()]
    return out
