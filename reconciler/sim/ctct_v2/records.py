"""The stored contact: the v2 wire record plus internal keys (prefixed "_", never served).

`_opt_out_by` remembers who opted a contact out ("owner" through DELETE, "visitor" through the
contact's own unsubscribe). v2 does not expose it, and its rule does not depend on it: only
the contact's own action lifts any OPTOUT. It is kept so the simulator's logs can say who did.

Records are never mutated once stored: every write builds a new one and swaps it in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "CONTACT_STATUSES",
    "STRING_PROPERTIES",
    "email_entry",
    "ingest",
    "ordered",
    "render",
    "status_for_lists",
]

CONTACT_STATUSES = ("ACTIVE", "UNCONFIRMED", "OPTOUT", "REMOVED", "NON_SUBSCRIBER", "VISITOR", "TEMP_HOLD")
STRING_PROPERTIES = (
    "prefix_name",
    "first_name",
    "middle_name",
    "last_name",
    "job_title",
    "company_name",
    "department_name",
    "home_phone",
    "work_phone",
    "cell_phone",
    "fax",
)
_ORDER = (
    "id",
    "status",
    *STRING_PROPERTIES,
    "addresses",
    "email_addresses",
    "lists",
    "custom_fields",
    "notes",
    "confirmed",
    "source",
    "source_details",
    "created_date",
    "modified_date",
)
_EMAIL_ORDER = (
    "id", "status", "confirm_status", "opt_in_source", "opt_in_date", "opt_out_date", "email_address",
)


def ordered(record: Mapping[str, Any]) -> dict[str, Any]:
    """Wire order first, internal keys last; null properties left out, as the API does."""
    out = {k: record[k] for k in _ORDER if record.get(k) is not None}
    out.update({k: v for k, v in record.items() if k.startswith("_") and v is not None})
    return out


def email_entry(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in _EMAIL_ORDER if values.get(k) is not None}


def status_for_lists(old: str | None, has_lists: bool) -> str:
    """What a non-OPTOUT contact becomes when its list set is written: on no list it is
    REMOVED; given lists, a removed/non-subscribed one is ACTIVE again, while a pending
    (UNCONFIRMED) or held contact keeps its state."""
    if not has_lists:
        return old if old in ("NON_SUBSCRIBER", "VISITOR") else "REMOVED"
    return old if old in ("UNCONFIRMED", "TEMP_HOLD", "ACTIVE") else "ACTIVE"


def render(
    record: Mapping[str, Any], list_status: Mapping[str, str], contact_uuid: str | None = None
) -> dict[str, Any]:
    """The wire form: internal keys dropped, each membership showing its list's status."""
    out = {k: v for k, v in record.items() if not k.startswith("_")}
    out["lists"] = [{"id": m["id"], "status": list_status.get(m["id"], "ACTIVE")} for m in record["lists"]]
    if contact_uuid is not None:
        out["contact_id"] = contact_uuid
    return out


def _ids(items: Iterable[Any]) -> list[dict[str, str]]:
    seen = dict.fromkeys(str(m["id"] if isinstance(m, Mapping) else m) for m in items)
    return [{"id": list_id} for list_id in seen]


def _with_ids(items: Iterable[Mapping[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return [dict(item, id=item.get("id") or f"{prefix}{i}") for i, item in enumerate(items)]


def ingest(raw: Mapping[str, Any], contact_id: str, now: str) -> dict[str, Any]:
    """A record from a seed/state dict: whatever it states is kept, the rest filled in.
    No API validation here (seeds may hold any status, including ones the API cannot make)."""
    entries = raw.get("email_addresses") or []
    if not entries or not entries[0].get("email_address"):
        raise ValueError("a contact needs email_addresses[0].email_address")
    lists = _ids(raw.get("lists") or ())
    status = str(raw.get("status") or entries[0].get("status") or ("ACTIVE" if lists else "REMOVED")).upper()
    if status not in CONTACT_STATUSES:
        raise ValueError(f"unknown contact status {status!r}")
    if status == "OPTOUT":
        lists = []
    created = raw.get("created_date") or now
    email = dict(entries[0])
    email.setdefault("id", f"e{contact_id}")
    email["status"] = status
    email.setdefault("confirm_status", "NO_CONFIRMATION_REQUIRED")
    email.setdefault("opt_in_source", "ACTION_BY_OWNER")
    if status == "ACTIVE":
        email.setdefault("opt_in_date", created)
    if status == "OPTOUT":
        email.setdefault("opt_out_date", raw.get("modified_date") or created)
    record = dict(raw)
    record.update(
        id=contact_id,
        status=status,
        email_addresses=[email_entry(email)],
        lists=lists,
        addresses=_with_ids(raw.get("addresses") or (), f"a{contact_id}-"),
        custom_fields=[{"name": cf["name"], "value": cf["value"]} for cf in raw.get("custom_fields") or ()],
        notes=_with_ids(raw.get("notes") or (), f"n{contact_id}-"),
        confirmed=bool(raw.get("confirmed", False)),
        source=raw.get("source") or "API",
        created_date=created,
        modified_date=raw.get("modified_date") or created,
    )
    if status == "OPTOUT":
        record.setdefault("_opt_out_by", "visitor")
    return ordered(record)
