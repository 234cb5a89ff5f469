"""The drift loop's memory between runs: the account as last read, so that a run can read only
the contacts changed since the previous one and merge them onto it.

The state file is compact JSON: one object per canonical contact, with each field left out
when it holds the file's usual empty value for it (`field_defaults`, e.g. null for names, []
for phone numbers), so a contact costs only what it actually holds, and reads back exactly
(a plan made from the cache equals one made from the read it came from).

A state file that is missing, unreadable or of another version is not an error: the next run
simply does a full sweep.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from reconciler.model import Consent, Observed, ObservedContact

__all__ = ["STATE_VERSION", "DriftState", "load_state", "merge_observed", "names_still_valid", "save_state"]

STATE_VERSION = 1

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class DriftState:
    target: str
    observed: Observed
    read_started_at: datetime  # when the last successful read began: the next read's cutoff
    incremental_runs: int = 0  # runs since the last full sweep


_MISSING = object()


def _field_defaults(contacts: Iterable[ObservedContact]) -> dict[str, Any]:
    """For each field every contact has, its more common empty value (null or [])."""
    common: set[str] | None = None
    empties: dict[str, Counter[str]] = {}
    for c in contacts:
        common = set(c.fields) if common is None else common & set(c.fields)
        for k, v in c.fields.items():
            if v is None or v == []:
                empties.setdefault(k, Counter())["null" if v is None else "[]"] += 1
    defaults: dict[str, Any] = {}
    for k in sorted(common or ()):
        if k in empties:
            defaults[k] = None if empties[k].most_common(1)[0][0] == "null" else []
    return defaults


def _contact_to_json(c: ObservedContact, defaults: Mapping[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"email": c.email, "id": c.contact_id, "consent": c.consent.value}
    fields = {k: v for k, v in c.fields.items() if defaults.get(k, _MISSING) != v}
    optional: dict[str, Any] = {
        "updated_at": c.updated_at,
        "deleted": c.deleted or None,
        "opted_out_at": c.opted_out_at,
        "fields": fields or None,
        "custom_fields": dict(c.custom_fields) or None,
        "lists": sorted(c.lists) or None,
        "updated_by": c.updated_by,
    }
    doc.update({k: v for k, v in optional.items() if v is not None})
    return doc


def _contact_from_json(doc: Mapping[str, Any], defaults: Mapping[str, Any]) -> ObservedContact:
    fields = {k: (list(v) if isinstance(v, list) else v) for k, v in defaults.items()}
    fields.update(doc.get("fields") or {})
    return ObservedContact(
        email=str(doc["email"]),
        contact_id=str(doc["id"]),
        updated_at=doc.get("updated_at"),
        consent=Consent(doc["consent"]),
        deleted=bool(doc.get("deleted", False)),
        opted_out_at=doc.get("opted_out_at"),
        fields=fields,
        custom_fields=dict(doc.get("custom_fields") or {}),
        lists=frozenset(doc.get("lists") or ()),
        updated_by=doc.get("updated_by"),
    )


def save_state(path: Path, state: DriftState) -> None:
    defaults = _field_defaults(state.observed.contacts.values())
    doc = {
        "version": STATE_VERSION,
        "target": state.target,
        "read_started_at": state.read_started_at.isoformat(),
        "incremental_runs": state.incremental_runs,
        "lists": dict(state.observed.lists),
        "custom_fields": dict(state.observed.custom_fields),
        "field_defaults": defaults,
        "contacts": [_contact_to_json(c, defaults) for c in state.observed.contacts.values()],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a run killed mid-write leaves the previous state intact.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
    os.replace(tmp, path)


def load_state(path: Path) -> DriftState | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text())
        if doc.get("version") != STATE_VERSION:
            raise ValueError(f"version {doc.get('version')!r}, expected {STATE_VERSION}")
        defaults = dict(doc["field_defaults"])
        contacts = [_contact_from_json(c, defaults) for c in doc["contacts"]]
        observed = Observed(
            target=str(doc["target"]),
            contacts={c.key: c for c in contacts},
            lists=dict(doc["lists"]),
            custom_fields=dict(doc["custom_fields"]),
        )
        started = datetime.fromisoformat(doc["read_started_at"])
        if started.tzinfo is None:
            raise ValueError("read_started_at has no time zone")
        return DriftState(str(doc["target"]), observed, started, int(doc["incremental_runs"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        log.warning("drift_state_unusable", path=str(path), error=f"{type(err).__name__}: {err}")
        return None


def merge_observed(cached: Observed, changed: Observed) -> Observed:
    """`cached` with every contact in `changed` replacing its older copy. A contact is matched by
    id as well as email, so one that changed its address does not linger under the old one."""
    changed_ids = {c.contact_id for c in changed.contacts.values()}
    contacts = {k: c for k, c in cached.contacts.items() if c.contact_id not in changed_ids}
    contacts.update(changed.contacts)
    return Observed(
        target=changed.target, contacts=contacts, lists=changed.lists, custom_fields=changed.custom_fields
    )


def names_still_valid(cached: Observed, fresh: Observed) -> bool:
    """Whether the names cached contacts use for lists and custom fields still mean the same
    ids. A rename or deletion makes cached contacts wrong, and only a full sweep fixes them."""
    return cached.lists.items() <= fresh.lists.items() and (
        cached.custom_fields.items() <= fresh.custom_fields.items()
    )
