"""Wire-level conventions of the v3 API shared by every part of the simulator: timestamps,
ids, error bodies and opaque paging cursors."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse

from reconciler.sim.common.ids import new_id

__all__ = [
    "VALIDATION",
    "SimError",
    "conflict",
    "decode_cursor",
    "encode_cursor",
    "error_response",
    "invalid",
    "is_uuid",
    "iso",
    "later_than",
    "new_id",
    "not_found",
    "page_links",
    "parse_instant",
    "single_error_response",
]

VALIDATION = "contacts.api.validation.error"
NOT_FOUND = "contacts.api.not_found"
CONFLICT = "contacts.api.conflict"

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class SimError(Exception):
    """A request the simulated API refuses; rendered as the v3 error array."""

    def __init__(self, status: int, error_key: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_key = error_key
        self.message = message


def invalid(message: str) -> SimError:
    return SimError(400, VALIDATION, message)


def not_found(message: str) -> SimError:
    return SimError(404, NOT_FOUND, message)


def conflict(message: str) -> SimError:
    return SimError(409, CONFLICT, message)


def error_response(
    status: int, error_key: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """v3 reports errors as a JSON array of {error_key, error_message}."""
    return JSONResponse(
        [{"error_key": error_key, "error_message": message}], status_code=status, headers=headers
    )


def single_error_response(
    status: int, error_key: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The API gateway's own refusals (401, 429) are a single object, not an array."""
    return JSONResponse(
        {"error_key": error_key, "error_message": message}, status_code=status, headers=headers
    )


def iso(moment: datetime) -> str:
    """v3 timestamps: UTC, second precision, trailing Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """Accepts what clients send as `updated_after`: a date or an ISO-8601 date-time
    (Z or offset; naive means UTC). Raises ValueError."""
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def later_than(previous: str | None, now: datetime) -> str:
    """`now` as a timestamp, pushed one second past `previous` if needed: with second
    precision, two writes in the same second would otherwise share an updated_at and a
    client's change detection could not tell them apart."""
    stamp = iso(now)
    if previous is not None and stamp <= previous:
        stamp = iso(parse_instant(previous) + timedelta(seconds=1))
    return stamp


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and _UUID.match(value) is not None


def encode_cursor(params: dict[str, str]) -> str:
    """Opaque to clients; like CTCT's, it is base64 of `limit=<n>&next=<token>` and here
    also carries the original filters so a client may follow `next` alone. URL-safe
    alphabet without padding so the href needs no escaping."""
    raw = urlencode(params).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, str]:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise invalid("cursor is invalid.") from err
    params = dict(parse_qsl(raw, keep_blank_values=True))
    if "next" not in params or "limit" not in params:
        raise invalid("cursor is invalid.")
    return params


def page_links(path: str, cursor: str | None) -> dict[str, Any]:
    return {"_links": {"next": {"href": f"{path}?cursor={cursor}"}}} if cursor else {}
