"""Reading collections (ctct-v1 §3.2, §3.5): the contacts feed with its filters and opaque
`next` tokens, the lists feed (system lists first, relative `next` links), and list members.
Every feed has first/current links and a next link on all but its last page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree.ElementTree import Element

from reconciler.sim.ctct_v1.fields import ACTIVE, DO_NOT_MAIL, REMOVED, UNCONFIRMED
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v1.wire import (
    ID_HOST,
    SYSTEM_LISTS,
    contact_entry,
    feed,
    list_entry,
    member_entry,
    root_path,
)
from reconciler.sim.ctct_v3.wire import decode_cursor, encode_cursor, invalid, not_found, parse_instant

__all__ = ["all_lists", "contacts_feed", "lists_feed", "member_count", "members_feed"]

_LIST_TYPES = {"active": (ACTIVE, UNCONFIRMED), "removed": (REMOVED,), "do-not-mail": (DO_NOT_MAIL,)}
_FILTERS = ("email", "updatedsince", "listtype", "listid")


def _filters(params: Mapping[str, list[str]], store: SimStore) -> dict[str, str]:
    if "next" in params:
        return {k: v for k, v in decode_cursor(params["next"][0]).items() if k in _FILTERS}
    out = {k: params[k][0] for k in _FILTERS if k in params and k != "email"}
    if params.get("email"):
        out["email"] = "\n".join(e.strip().lower() for e in params["email"])
    since, kind, number = out.get("updatedsince"), out.get("listtype"), out.get("listid")
    if since is not None and kind is None and number is None:
        raise invalid("updatedsince must come with listtype (active, removed, do-not-mail) or listid.")
    if since is None and (kind is not None or number is not None):
        raise invalid("listtype and listid are filters of an updatedsince search.")
    if since is not None:
        try:
            parse_instant(since)
        except ValueError as err:
            raise invalid(f"updatedsince '{since}' is not an ISO-8601 date-time.") from err
    if kind is not None and kind not in _LIST_TYPES:
        raise invalid(f"listtype must be one of {', '.join(_LIST_TYPES)}.")
    if number is not None and not (number.isdigit() and int(number) in store.lists):
        raise invalid(f"listid {number} is not a list of this account.")
    return out


def _predicate(filters: Mapping[str, str]) -> Callable[[Mapping[str, Any]], bool]:
    emails = set(filters["email"].split("\n")) if "email" in filters else None
    since: datetime | None = parse_instant(filters["updatedsince"]) if "updatedsince" in filters else None
    statuses = _LIST_TYPES.get(filters.get("listtype", ""))
    number = int(filters["listid"]) if "listid" in filters else None

    def matches(record: Mapping[str, Any]) -> bool:
        if emails is not None and record["EmailAddress"].lower() not in emails:
            return False
        if since is not None and parse_instant(record["LastUpdateTime"]) <= since:
            return False
        if statuses is not None and record["Status"] not in statuses:
            return False
        return number is None or any(m["id"] == number for m in record["lists"])

    return matches


def contacts_feed(store: SimStore, username: str, params: Mapping[str, list[str]], page_size: int) -> Element:
    base = f"{root_path(username)}/contacts"
    with store.lock:
        filters = _filters(params, store)
        start = int(decode_cursor(params["next"][0])["next"]) if "next" in params else 0
        matches = _predicate(filters)
        positions: Iterable[int] = range(start, len(store.records))
        if emails := filters.get("email"):
            # An exact-address search is an index lookup, not a scan.
            hits = sorted(p for e in emails.split("\n") if (p := store.by_email.get(e)) is not None)
            positions = [p for p in hits if p >= start]
        page: list[dict[str, Any]] = []
        following: int | None = None
        for position in positions:
            record = store.records[position]
            if not matches(record):
                continue
            if len(page) == page_size:
                following = position
                break
            page.append(record)
        now = store.now()
    query = urlencode([(k, v) for k, vs in params.items() for v in vs])
    links = {"first": base, "current": f"{base}?{query}" if query else base}
    if following is not None:
        links["next"] = (
            f"{base}?next={encode_cursor({'next': str(following), 'limit': str(page_size), **filters})}"
        )
    root = feed(f"{ID_HOST}{base}", f"Contacts for Customer: {username}", now, links, base)
    for record in page:
        contact_entry(record, username, full=False, parent=root)
    return root


def member_count(store: SimStore, key: int | str) -> int:
    if isinstance(key, int):
        return sum(1 for r in store.records if any(m["id"] == key for m in r["lists"]))
    statuses = _LIST_TYPES[key]
    return sum(1 for r in store.records if r["Status"] in statuses)


def all_lists(store: SimStore) -> list[dict[str, Any]]:
    """System lists first, then the account's in list-number order."""
    now = store.now()
    system = [{"id": key, "name": name, "updated": now} for key, name in SYSTEM_LISTS.items()]
    return [*system, *(store.lists[k] for k in sorted(store.lists))]


def _offset(params: Mapping[str, list[str]]) -> int:
    raw = params.get("next", ["0"])[0]
    if not raw.isdigit():
        raise invalid(f"next '{raw}' is not a valid page.")
    return int(raw)


def lists_feed(store: SimStore, username: str, params: Mapping[str, list[str]], page_size: int) -> Element:
    base = f"{root_path(username)}/lists"
    start = _offset(params)
    with store.lock:
        items = all_lists(store)
        page = [(item, member_count(store, item["id"])) for item in items[start : start + page_size]]
        now = store.now()
    links = {"first": "lists", "current": f"lists?next={start}" if start else "lists"}
    if start + page_size < len(items):
        links["next"] = f"lists?next={start + page_size}"  # relative, as the API writes it
    root = feed(f"{ID_HOST}{base}", f"Contact Lists for Customer: {username}", now, links, base)
    for item, members in page:
        list_entry(item, username, members, parent=root)
    return root


def members_feed(
    store: SimStore, username: str, key: str, params: Mapping[str, list[str]], page_size: int
) -> Element:
    if not (key.isdigit() and int(key) in store.lists):
        raise not_found(f"List {key} was not found.")
    number, start = int(key), _offset(params)
    base = f"{root_path(username)}/lists/{number}/members"
    with store.lock:
        members = [r for r in store.records if any(m["id"] == number for m in r["lists"])]
        page = members[start : start + page_size]
        now = store.now()
    links = {"first": "members", "current": f"members?next={start}" if start else "members"}
    if start + page_size < len(members):
        links["next"] = f"members?next={start + page_size}"
    root = feed(f"{ID_HOST}{base}", f"Members of list {number}", now, links, base)
    for record in page:
        member_entry(record, username, number, root)
    return root
