"""What contacts do themselves, played out through the admin API: unsubscribe (their own
opt-out) and editing their own details. Neither needs, or goes through, the gateway."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.sim.ctct_v2.contacts import build, check_unique, opt_out, require
from reconciler.sim.ctct_v2.records import STRING_PROPERTIES
from reconciler.sim.ctct_v2.rules import parse_contact
from reconciler.sim.ctct_v2.store import SimStore

__all__ = ["edit", "unsubscribe"]

_EDITABLE = (*STRING_PROPERTIES, "addresses", "custom_fields", "notes", "email_addresses")


def unsubscribe(store: SimStore, contact_id: str) -> dict[str, Any]:
    return opt_out(store, contact_id, by="visitor")


def edit(store: SimStore, contact_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Only the properties given change (a property given as null is cleared); lists and
    status stay as they are."""
    with store.lock:
        old = require(store, contact_id)
        merged: dict[str, Any] = {k: old[k] for k in _EDITABLE if k in old}
        merged.update({k: v for k, v in changes.items() if k in _EDITABLE})
        merged["lists"] = old["lists"]
        data = parse_contact(merged, store.lists)
        check_unique(store, data.address, old["id"])
        record = build(old, data, old["status"], old["email_addresses"][0], store.bump(old["modified_date"]))
        store.replace(record)
        return record
