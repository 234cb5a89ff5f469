"""All simulated Everlytic account state, shared by the REST and XML-RPC front-ends: lists,
contacts, per-list subscriptions, and the consent logs.

Records are kept exactly as the API renders them, plus a few simulator-only keys starting
with "sim_" (who set a contact's status, who unsubscribed a subscription) that the real API
does not expose but that the simulator needs to enforce the consent rules; `public()` strips
them. Ids are integers handed out in increasing order, which is also the paging order.

One re-entrant lock guards everything: the app may be served from a thread while a test or
benchmark seeds the same store directly; the service modules hold `lock` while they work."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from reconciler.sim.common.persistence import (
    PRETTY_LIMIT,
    STATE_VERSION,
    PersistentStore,
    check_version,
    write_state,
)
from reconciler.sim.everlytic.rules import PROFILE_DEFAULTS, SUBSCRIPTION_STATUSES, SYSTEM_DEFAULTS

__all__ = ["STATE_VERSION", "SimStore", "public"]


def public(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as the API shows it: without the simulator's own bookkeeping."""
    return {k: v for k, v in record.items() if not k.startswith("sim_")}


class SimStore(PersistentStore):
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(clock)
        self.contacts: dict[int, dict[str, Any]] = {}  # insertion (= id) order
        self.by_email: dict[str, int] = {}
        self.lists: dict[int, dict[str, Any]] = {}
        self.subscriptions: dict[int, dict[int, dict[str, Any]]] = {}  # list id -> contact id -> record
        self.illegal_log: list[dict[str, Any]] = []
        self.consent_log: list[dict[str, Any]] = []
        self.next_contact_id = 1
        self.next_list_id = 1

    # -- time ------------------------------------------------------------------------------

    def now(self) -> int:
        """Unix seconds, the API's date format."""
        return int(self.clock().timestamp())

    def bump(self, previous: int) -> int:
        """A fresh date_modified strictly after `previous`, so two writes in one second differ."""
        return max(self.now(), previous + 1)

    # -- persistence -----------------------------------------------------------------------

    def load_state(self, state: Mapping[str, Any]) -> None:
        """Replace everything with `state` (logs too). Built aside and swapped in, so a bad
        state leaves the current one untouched."""
        check_version(state)
        fresh = SimStore(self.clock)
        for item in state.get("lists") or []:
            list_id = fresh.add_list(
                str(item["name"]), owner_email=item.get("owner_email"), list_id=item.get("id")
            )
            fresh.lists[list_id] = {**fresh.lists[list_id], **item, "id": list_id}
        for raw in state.get("contacts") or []:
            fresh.add_contact(raw)
        for sub in state.get("subscriptions") or []:
            fresh.add_subscription_record(sub)
        with self.lock:
            for name in ("contacts", "by_email", "lists", "subscriptions", "next_contact_id", "next_list_id"):
                setattr(self, name, getattr(fresh, name))
            self.illegal_log, self.consent_log = [], []

    def to_state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "lists": [dict(item) for item in self.lists.values()],
                "contacts": [dict(r) for r in self.contacts.values()],
                "subscriptions": [dict(s) for subs in self.subscriptions.values() for s in subs.values()],
            }

    def save(self, path: str | os.PathLike[str]) -> None:
        with self.lock:
            state = self.to_state()
        write_state(path, state, pretty=len(state["contacts"]) <= PRETTY_LIMIT)

    def reset(self) -> None:
        self.load_state({})

    # -- records (for the service modules; callers hold the lock) ----------------------------

    def put_contact(self, record: dict[str, Any]) -> None:
        """Insert or replace, keeping the email index right."""
        old = self.contacts.get(record["id"])
        if old is not None and old["email"]:
            self.by_email.pop(old["email"].lower(), None)
        self.contacts[record["id"]] = record
        if record["email"]:
            self.by_email[record["email"].lower()] = record["id"]

    def drop_contact(self, contact_id: int) -> None:
        record = self.contacts.pop(contact_id)
        if record["email"]:
            self.by_email.pop(record["email"].lower(), None)
        for subs in self.subscriptions.values():
            subs.pop(contact_id, None)

    def contact_by_email(self, email: str) -> dict[str, Any] | None:
        contact_id = self.by_email.get(email.strip().lower())
        return None if contact_id is None else self.contacts[contact_id]

    def new_subscription(self, list_id: int, contact: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "list_id": list_id,
            "contact_id": contact["id"],
            "date_create": self.now(),
            "date_opt_in": 0,
            "date_opt_in_request": 0,
            "email_status": "",
            "mobile_status": "",
            "push_status": "",
            "email_unsubscribed_date": 0,
            "mobile_unsubscribed_date": 0,
            "email_unsubscribed_reason": "",
            "contact_unique_id": contact.get("unique_id") or "",
        }

    # -- convenience for tests and benchmarks (no API validation) ----------------------------

    def add_list(self, name: str, *, owner_email: str | None = None, list_id: int | None = None) -> int:
        with self.lock:
            new_id = int(list_id) if list_id is not None else self.next_list_id
            if new_id in self.lists:
                raise ValueError(f"duplicate list id {new_id}")
            self.lists[new_id] = {
                "id": new_id,
                "name": name,
                "owner_email": owner_email or "owner@example.com",
                "date_create": self.now(),
            }
            self.subscriptions[new_id] = {}
            self.next_list_id = max(self.next_list_id, new_id + 1)
            return new_id

    def add_contact(self, contact: Mapping[str, Any]) -> int:
        """Store a contact as given (any status), filling id, dates and defaults. A contact
        whose status is off/suppressed counts as set so by the contact unless the contact
        says "sim_status_by": "account". Raises ValueError on a duplicate email or id."""
        with self.lock:
            record: dict[str, Any] = {**PROFILE_DEFAULTS, **SYSTEM_DEFAULTS, **contact}
            record["id"] = int(record.get("id") or self.next_contact_id)
            record.setdefault("date_create", self.now())
            record.setdefault("date_modified", record["date_create"])
            if record["status"] != "on":
                record.setdefault("sim_status_by", "contact")
            if record["id"] in self.contacts:
                raise ValueError(f"duplicate contact id {record['id']}")
            if record["email"] and record["email"].lower() in self.by_email:
                raise ValueError(f"duplicate email {record['email']}")
            self.put_contact(record)
            self.next_contact_id = max(self.next_contact_id, record["id"] + 1)
            return int(record["id"])

    def add_subscription_record(self, sub: Mapping[str, Any]) -> None:
        with self.lock:
            list_id, contact_id = int(sub["list_id"]), int(sub["contact_id"])
            if list_id not in self.lists or contact_id not in self.contacts:
                raise ValueError(f"subscription to unknown list {list_id} or contact {contact_id}")
            record = {**self.new_subscription(list_id, self.contacts[contact_id]), **sub}
            if record["email_status"] not in (*SUBSCRIPTION_STATUSES, ""):
                raise ValueError(f"bad email_status {record['email_status']!r}")
            if record["email_status"] == "unsubscribed":
                record.setdefault("sim_unsubscribed_by", "contact")
            self.subscriptions[list_id][contact_id] = record

    def subscribe(
        self, list_id: int, contact_id: int, email_status: str = "subscribed", **extra: Any
    ) -> None:
        """Seed one subscription (extra: mobile_status, email_unsubscribed_date, ...)."""
        self.add_subscription_record(
            {"list_id": list_id, "contact_id": contact_id, "email_status": email_status, **extra}
        )

    def contact(self, contact_id: int) -> dict[str, Any] | None:
        with self.lock:
            record = self.contacts.get(contact_id)
            return None if record is None else dict(record)

    def find_by_email(self, email: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.contact_by_email(email)
            return None if record is None else dict(record)

    def subscriptions_of(self, contact_id: int) -> dict[int, dict[str, Any]]:
        with self.lock:
            return {
                lid: dict(subs[contact_id]) for lid, subs in self.subscriptions.items() if contact_id in subs
            }

    def list_id(self, name: str) -> int | None:
        with self.lock:
            return next((k for k, v in self.lists.items() if v["name"] == name), None)
