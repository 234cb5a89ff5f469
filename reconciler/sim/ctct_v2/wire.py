"""Wire conventions of the v2 API: timestamps, error bodies, and `next` paging tokens.

Errors are the v3 simulator's `SimError`, rendered as the same JSON array of
{error_key, error_message} that v2 uses (ctct-v2 §2.7); only the keys differ."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from reconciler.sim.ctct_v3.wire import SimError, error_response

__all__ = [
    "SimError",
    "bad_request",
    "conflict",
    "decode_next",
    "encode_next",
    "error_response",
    "later_than",
    "not_found",
    "parse_instant",
    "stamp",
]


def bad_request(key: str, message: str) -> SimError:
    return SimError(400, key, message)


def not_found(message: str) -> SimError:
    return SimError(404, "http.status.not_found", message)


def conflict(message: str) -> SimError:
    return SimError(409, "http.status.conflict", message)


def stamp(moment: datetime) -> str:
    """v2 timestamps: UTC with milliseconds, e.g. 2013-01-23T13:48:44.108Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date-time (Z, offset or naive UTC) or a date. Raises ValueError."""
    value = text.strip().replace("z", "Z").replace("Z", "+00:00")
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def later_than(previous: str | None, now: datetime) -> str:
    """`now`, pushed a millisecond past `previous` if needed, so every write moves
    modified_date and a client can tell two writes apart."""
    if previous is not None:
        earlier = parse_instant(previous)
        if now <= earlier:
            now = earlier + timedelta(milliseconds=1)
    return stamp(now)


def encode_next(params: dict[str, str]) -> str:
    """Like the real token (base64 of `startAt=3&limit=2`), plus the filters of the first
    request, so a client can follow `next_link` as is."""
    return base64.urlsafe_b64encode(urlencode(params).encode()).decode().rstrip("=")


def decode_next(token: str) -> dict[str, str]:
    try:
        raw = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
        params = dict(parse_qsl(raw, keep_blank_values=True))
        int(params["startAt"]), int(params["limit"])
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError) as err:
        raise bad_request("query.param.invalid", "The next parameter is invalid.") from err
    return params
