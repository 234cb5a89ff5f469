"""GET /v2/contacts and /v2/lists/{id}/contacts: filters and `next_link` paging (ctct-v2 §2.6).

The first request's filters travel inside the `next` token, so `next_link` is followed as is
(the client adds only its api_key). A page scans forward from the token's position and stops
at `limit` matches plus one, so a page costs O(limit) however large the account is."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.sim.ctct_v2.records import CONTACT_STATUSES, render
from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v2.wire import bad_request, decode_next, encode_next, parse_instant, stamp

__all__ = ["contact_uuid", "include_contact_id", "list_status", "query_contacts"]

STATUSES = ("ALL", *CONTACT_STATUSES)
_FILTERS = ("email", "status", "modified_since", "include_contact_id")
_NAMESPACE = uuid.UUID("6f1c3d2e-9a4b-4c8d-8e7f-0a1b2c3d4e5f")


def contact_uuid(contact_id: str) -> str:
    """The v3 contact_id a v2 contact is known by (include_contact_id=true); stable per id."""
    return str(uuid.uuid5(_NAMESPACE, contact_id))


def include_contact_id(params: Mapping[str, str]) -> bool:
    value = (params.get("include_contact_id") or "false").lower()
    if value not in ("true", "false"):
        raise bad_request("query.param.include_contact_id.invalid", "include_contact_id must be true/false.")
    return value == "true"


def list_status(store: SimStore) -> dict[str, str]:
    return {list_id: str(item["status"]) for list_id, item in store.lists.items()}


def _limit(text: str | None, default: int, maximum: int) -> int:
    if not text:
        return default
    try:
        limit = int(text)
    except ValueError as err:
        raise bad_request("query.param.limit.invalid", "limit must be an integer.") from err
    if not 1 <= limit <= maximum:
        raise bad_request("query.param.limit.invalid", f"limit must be between 1 and {maximum}.")
    return limit


def _since(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return stamp(parse_instant(text))
    except ValueError as err:
        raise bad_request("query.param.modified_since.invalid", "modified_since must be ISO-8601.") from err


def query_contacts(
    store: SimStore,
    params: Mapping[str, str],
    *,
    default_limit: int,
    max_limit: int,
    path: str = "/v2/contacts",
    list_id: str | None = None,
) -> dict[str, Any]:
    if params.get("next"):
        token = decode_next(params["next"])
        filters = {k: token[k] for k in _FILTERS if k in token}
        start, limit = max(int(token["startAt"]), 0), _limit(token["limit"], default_limit, max_limit)
    else:
        filters = {k: params[k] for k in _FILTERS if params.get(k)}
        start, limit = 0, _limit(params.get("limit"), default_limit, max_limit)
    status = filters.get("status", "ALL").upper()
    if status not in STATUSES:
        raise bad_request("query.param.status.invalid", f"status must be one of: {', '.join(STATUSES)}.")
    since, with_uuid = _since(filters.get("modified_since")), include_contact_id(filters)
    with store.lock:
        if filters.get("email"):
            position = store.by_email.get(filters["email"].strip().lower())
            candidates: Sequence[int] = [] if position is None or position < start else [position]
        else:
            candidates = range(start, len(store.records))
        page: list[dict[str, Any]] = []
        next_at: int | None = None
        for position in candidates:
            record = store.records[position]
            if status != "ALL" and record["status"] != status:
                continue
            if since is not None and record["modified_date"] < since:
                continue
            if list_id is not None and {"id": list_id} not in record["lists"]:
                continue
            if len(page) == limit:
                next_at = position
                break
            page.append(record)
        statuses = list_status(store)
        results = [render(r, statuses, contact_uuid(r["id"]) if with_uuid else None) for r in page]
    pagination: dict[str, str] = {}
    if next_at is not None:
        token_text = encode_next({"startAt": str(next_at), "limit": str(limit), **filters})
        pagination["next_link"] = f"{path}?next={token_text}"
    return {"meta": {"pagination": pagination}, "results": results}
