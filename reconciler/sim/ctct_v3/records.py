"""The stored contact record: its canonical key order, how subresource items get their
server-side ids and timestamps, how a record is rendered on the wire, and how a v3-shaped
dict from a seed or state file becomes a record.

Records are treated as immutable once stored: every write builds a new record and swaps it
in, so a response being serialised outside the store lock never sees a half-written one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.sim.ctct_v3.rules import SUBRESOURCES
from reconciler.sim.ctct_v3.wire import new_id

__all__ = ["SUBSCRIBED", "addresses", "ingest", "notes", "ordered", "ordered_email", "phones", "render"]

SUBSCRIBED = ("implicit", "explicit")

_EMAIL_ORDER = (
    "address",
    "permission_to_send",
    "created_at",
    "updated_at",
    "opt_in_source",
    "opt_in_date",
    "opt_out_source",
    "opt_out_date",
    "opt_out_reason",
    "confirm_status",
)
_CONTACT_ORDER = (
    "contact_id",
    "email_address",
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
    "update_source",
    "create_source",
    "created_at",
    "updated_at",
    "deleted_at",
    *SUBRESOURCES,
    "status",
)


def ordered_email(email: Mapping[str, Any]) -> dict[str, Any]:
    """Null properties are left out, as the API leaves them out of responses."""
    return {k: email[k] for k in _EMAIL_ORDER if email.get(k) is not None}


def ordered(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in _CONTACT_ORDER if record.get(k) is not None}


def render(record: Mapping[str, Any], include: Iterable[str]) -> dict[str, Any]:
    """The wire form: core properties always, subresources only when asked for with include=.
    Shares the (immutable) nested values with the record."""
    wanted = set(include)
    return {k: v for k, v in record.items() if k != "status" and (k not in SUBRESOURCES or k in wanted)}


def _same_phone(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.get("phone_number") == b.get("phone_number") and a.get("kind") == b.get("kind")


def phones(
    items: list[dict[str, str]], existing: list[dict[str, Any]], source: str, now: str
) -> list[dict[str, Any]]:
    """A replacing set of phone numbers; an identical number keeps its id and dates."""
    out: list[dict[str, Any]] = []
    for item in items:
        kept = next((p for p in existing if _same_phone(p, item)), None)
        if kept is not None:
            out.append(kept)
            continue
        phone = {"phone_number_id": new_id(), "phone_number": item["phone_number"]}
        if item.get("kind"):
            phone["kind"] = item["kind"]
        phone.update(created_at=now, updated_at=now, create_source=source, update_source=source)
        out.append(phone)
    return out


_ADDRESS_KEYS = ("kind", "street", "city", "state", "postal_code", "country")


def addresses(items: list[dict[str, str]], existing: list[dict[str, Any]], now: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        kept = next((a for a in existing if all(a.get(k) == item.get(k) for k in _ADDRESS_KEYS)), None)
        if kept is not None:
            out.append(kept)
            continue
        address: dict[str, Any] = {"street_address_id": new_id()}
        address.update({k: item[k] for k in _ADDRESS_KEYS if item.get(k) is not None})
        address.update(created_at=now, updated_at=now)
        out.append(address)
    return out


def notes(items: list[dict[str, str]], now: str) -> list[dict[str, Any]]:
    return [
        {
            "note_id": n.get("note_id") or new_id(),
            "created_at": n.get("created_at") or now,
            "content": n["content"],
        }
        for n in items
    ]


def _lower_ids(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(v).lower() for v in values))


_CORE_KEYS = _CONTACT_ORDER[2:9]


def ingest(raw: Mapping[str, Any], now: str, today: Callable[[], str]) -> dict[str, Any]:
    """A record from a v3-shaped dict (seed, state file, SimStore.add_contact): whatever it
    states is kept, missing ids/timestamps/defaults are filled. No account-level checks here
    (the store checks email uniqueness). Built key by key in wire order rather than through
    ordered(): this is the path a 100k-contact seed takes."""
    email_raw = raw.get("email_address")
    if not isinstance(email_raw, Mapping) or not email_raw.get("address"):
        raise ValueError("a contact needs email_address.address")
    lists = _lower_ids(raw.get("list_memberships") or ())
    create_source = raw.get("create_source") or "Account"
    created = raw.get("created_at") or now
    email = dict(email_raw)
    permission = email.setdefault("permission_to_send", "implicit" if lists else "not_set")
    email.setdefault("created_at", created)
    email.setdefault("updated_at", email["created_at"])
    email.setdefault("opt_in_source", create_source)
    if permission in SUBSCRIBED:
        email.setdefault("opt_in_date", email["created_at"])
    elif permission == "unsubscribed":
        email.setdefault("opt_out_source", "Contact")
        email.setdefault("opt_out_date", email["updated_at"])
        lists = []
    email.setdefault("confirm_status", "pending" if permission == "pending_confirmation" else "off")
    status = raw.get("status") or ("deleted" if raw.get("deleted_at") else "active")
    update_source = raw.get("update_source") or create_source
    record: dict[str, Any] = {
        "contact_id": str(raw.get("contact_id") or new_id()).lower(),
        "email_address": ordered_email(email),
    }
    for key in _CORE_KEYS:
        value = raw.get(key)
        if value is not None:
            record[key] = value
    record["update_source"] = update_source
    record["create_source"] = create_source
    record["created_at"] = created
    record["updated_at"] = raw.get("updated_at") or created
    if status == "deleted":
        record["deleted_at"] = raw.get("deleted_at") or today()
        lists = []
    record["custom_fields"] = [
        {"custom_field_id": str(cf["custom_field_id"]).lower(), "value": cf["value"]}
        for cf in raw.get("custom_fields") or ()
    ]
    record["phone_numbers"] = [
        p if p.get("phone_number_id") else phones([p], [], update_source, created)[0]
        for p in raw.get("phone_numbers") or ()
    ]
    record["street_addresses"] = [
        a if a.get("street_address_id") else addresses([a], [], created)[0]
        for a in raw.get("street_addresses") or ()
    ]
    record["list_memberships"] = lists
    record["taggings"] = _lower_ids(raw.get("taggings") or ())
    record["notes"] = notes(list(raw.get("notes") or ()), created)
    record["status"] = status
    return record
