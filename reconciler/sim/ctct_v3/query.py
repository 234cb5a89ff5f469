"""GET /contacts: filters, include=, and cursor paging.

A page scans forward from the cursor's position in insertion order and stops as soon as it
has `limit` matches plus one more (to know whether a next page exists), so a page costs
O(limit) for unfiltered reads however large the account is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.sim.ctct_v3.records import SUBSCRIBED, render
from reconciler.sim.ctct_v3.rules import SUBRESOURCES
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import (
    decode_cursor,
    encode_cursor,
    invalid,
    is_uuid,
    page_links,
    parse_instant,
)

__all__ = ["ContactQuery", "contact_status", "parse_bool", "parse_include", "parse_limit", "query_contacts"]

STATUSES = ("all", "active", "deleted", "not_set", "pending_confirmation", "temp_hold", "unsubscribed")
_FILTER_KEYS = ("status", "email", "lists", "tags", "updated_after", "include", "include_count")


def contact_status(record: Mapping[str, Any]) -> str:
    """The `status` filter's view of a contact: deleted wins; otherwise subscribed
    (implicit/explicit) is "active" and anything else is its permission_to_send."""
    if record["status"] == "deleted":
        return "deleted"
    permission = str(record["email_address"].get("permission_to_send") or "not_set")
    return "active" if permission in SUBSCRIBED else permission


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def parse_include(value: str | None) -> frozenset[str]:
    include = _csv(value)
    for item in include:
        if item not in SUBRESOURCES:
            raise invalid(f"include value {item!r} is invalid; valid values: {', '.join(SUBRESOURCES)}.")
    return frozenset(include)


def parse_limit(value: str | None, default: int, maximum: int) -> int:
    if value is None or value == "":
        return default
    try:
        limit = int(value)
    except ValueError as err:
        raise invalid("limit must be an integer.") from err
    if not 1 <= limit <= maximum:
        raise invalid(f"limit must be between 1 and {maximum}.")
    return limit


def parse_bool(value: str | None, name: str) -> bool:
    if value is None or value == "":
        return False
    if value.lower() not in ("true", "false"):
        raise invalid(f"{name} must be true or false.")
    return value.lower() == "true"


@dataclass(frozen=True)
class ContactQuery:
    statuses: frozenset[str] | None  # None: the default, every non-deleted contact
    email: str | None
    lists: frozenset[str]
    tags: frozenset[str]
    updated_after: str | None
    include: frozenset[str]
    include_count: bool
    limit: int
    start: int
    filters: dict[str, str]  # as given, so the next cursor can carry them

    @classmethod
    def from_params(cls, params: Mapping[str, str], max_limit: int) -> ContactQuery:
        if params.get("cursor"):
            cursor = decode_cursor(params["cursor"])
            merged = {k: v for k, v in cursor.items() if k in _FILTER_KEYS}
            # A limit sent alongside the cursor wins; everything else comes from the cursor.
            limit_text: str | None = params.get("limit") or cursor["limit"]
            try:
                start = int(cursor["next"])
            except ValueError as err:
                raise invalid("cursor is invalid.") from err
        else:
            merged = {k: params[k] for k in _FILTER_KEYS if params.get(k)}
            limit_text, start = params.get("limit"), 0
        statuses = _csv(merged.get("status"))
        for status in statuses:
            if status not in STATUSES:
                raise invalid(f"status value {status!r} is invalid; valid values: {', '.join(STATUSES)}.")
        lists = [v.lower() for v in _csv(merged.get("lists"))]
        if len(lists) > 25 or not all(is_uuid(v) for v in lists):
            raise invalid("lists must be a comma separated list of up to 25 list_id values.")
        tags = [v.lower() for v in _csv(merged.get("tags"))]
        if len(tags) > 50 or not all(is_uuid(v) for v in tags):
            raise invalid("tags must be a comma separated list of up to 50 tag_id values.")
        updated_after = None
        if merged.get("updated_after"):
            try:
                updated_after = parse_instant(merged["updated_after"]).strftime("%Y-%m-%dT%H:%M:%SZ")
            except ValueError as err:
                raise invalid("updated_after must be an ISO-8601 date or date-time.") from err
        return cls(
            statuses=frozenset(statuses) if statuses else None,
            email=merged.get("email"),
            lists=frozenset(lists),
            tags=frozenset(tags),
            updated_after=updated_after,
            include=parse_include(merged.get("include")),
            include_count=parse_bool(merged.get("include_count"), "include_count"),
            limit=parse_limit(limit_text, 50, max_limit),
            start=max(start, 0),
            filters=merged,
        )

    def matches(self, record: Mapping[str, Any]) -> bool:
        status = contact_status(record)
        if self.statuses is None:
            if status == "deleted":
                return False
        elif "all" not in self.statuses and status not in self.statuses:
            return False
        if self.lists and self.lists.isdisjoint(record["list_memberships"]):
            return False
        if self.tags and self.tags.isdisjoint(record["taggings"]):
            return False
        # Strictly after: with second-precision timestamps a client reading "changed since"
        # must overlap its window itself; the strict reading exposes one that doesn't.
        return not (self.updated_after is not None and record["updated_at"] <= self.updated_after)


def query_contacts(store: SimStore, params: Mapping[str, str], max_limit: int) -> dict[str, Any]:
    query = ContactQuery.from_params(params, max_limit)
    with store.lock:
        if query.email is not None:
            position = store.by_email.get(query.email.strip().lower())
            candidates: Sequence[int] = [] if position is None or position < query.start else [position]
        else:
            candidates = range(query.start, len(store.records))
        page: list[dict[str, Any]] = []
        next_position: int | None = None
        for position in candidates:
            record = store.records[position]
            if not query.matches(record):
                continue
            if len(page) == query.limit:
                next_position = position
                break
            page.append(record)
        count = None
        if query.include_count:
            count = sum(
                1
                for r in store.records
                if query.matches(r)
                and (
                    query.email is None
                    or r["email_address"]["address"].lower() == query.email.strip().lower()
                )
            )
    body: dict[str, Any] = {"contacts": [render(r, query.include) for r in page]}
    if count is not None:
        body["contacts_count"] = count
    cursor = None
    if next_position is not None:
        cursor = encode_cursor({"limit": str(query.limit), "next": str(next_position), **query.filters})
    body.update(page_links("/v3/contacts", cursor))
    return body
