"""What contacts do themselves, played out through the admin API: unsubscribe (onto Do Not
Mail with OptOutSource ACTION_BY_CONTACT), opt back in through a sign-up form (the only way off
Do Not Mail), and edit their own details. Opt-ins are written to the consent log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.sim.ctct_v1.contacts import (
    check_unique,
    consent_entry,
    membership,
    opt_out,
    opted_in,
    require,
)
from reconciler.sim.ctct_v1.fields import ACTION_BY_CONTACT, LIMITS, WRITABLE
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v3.wire import invalid

__all__ = ["edit", "sign_up", "unsubscribe"]


def unsubscribe(store: SimStore, contact_id: str, reason: str | None) -> dict[str, Any]:
    with store.lock:
        opt_out(store, contact_id, ACTION_BY_CONTACT, reason or "")
        return dict(require(store, contact_id))


def sign_up(store: SimStore, contact_id: str, list_names: Iterable[str]) -> dict[str, Any]:
    """The contact opts in on their own (sign-up form, confirmation link): Active with
    OptInSource ACTION_BY_CONTACT from any state, plus the named lists."""
    with store.lock:
        old = require(store, contact_id)
        by_name = {item["name"]: number for number, item in store.lists.items()}
        unknown = [name for name in list_names if name not in by_name]
        if unknown:
            raise invalid(f"No list is named {', '.join(unknown)}.")
        now = store.now()
        record = opted_in(old, ACTION_BY_CONTACT, now)
        record["Confirmed"] = "true"
        have = [m["id"] for m in old["lists"]]
        added = [by_name[name] for name in list_names if by_name[name] not in have]
        record["lists"] = [*old["lists"], *(membership(i, ACTION_BY_CONTACT, now) for i in added)]
        record["LastUpdateTime"] = store.bump(old["LastUpdateTime"])
        consent_entry(store, "sign_up", old, added)
        store.replace(record)
        return record


def edit(store: SimStore, contact_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The contact edits their own details: only the given writable elements change."""
    with store.lock:
        old = require(store, contact_id)
        unknown = sorted(set(changes) - set(WRITABLE))
        if unknown:
            raise invalid(f"Not writable contact elements: {', '.join(unknown)}.")
        values = {name: "" if value is None else str(value).strip() for name, value in changes.items()}
        for name, value in values.items():
            if len(value) > LIMITS.get(name, 50):
                raise invalid(f"{name} is longer than {LIMITS.get(name, 50)} characters.")
        if "EmailAddress" in values:
            check_unique(store, values["EmailAddress"], old["id"])
        record = {**old, **values, "LastUpdateTime": store.bump(old["LastUpdateTime"])}
        store.replace(record)
        return record
