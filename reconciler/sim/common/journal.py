"""What the simulator was asked and what it answered: every API request, and separately
every one refused with a 4xx and why. Kept as small tuples in bounded deques so a
200k-request benchmark run stays cheap."""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

__all__ = ["Journal"]

_MAX_REQUESTS = 250_000
_MAX_REFUSED = 100_000

# (method, path, query, status or None when the connection was dropped, unix time, fault)
_Request = tuple[str, str, str, int | None, float, str | None]
# (method, path, query, status, unix time, error_key, error_message)
_Refusal = tuple[str, str, str, int, float, str | None, str | None]


def _at(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Journal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: deque[_Request] = deque(maxlen=_MAX_REQUESTS)
        self._refused: deque[_Refusal] = deque(maxlen=_MAX_REFUSED)

    def record(
        self,
        method: str,
        path: str,
        query: str,
        status: int | None,
        fault: str | None,
        error: tuple[str | None, str | None] | None,
    ) -> None:
        now = time.time()
        with self._lock:
            self._requests.append((method, path, query, status, now, fault))
            if status is not None and 400 <= status < 500:
                key, message = error or (None, None)
                self._refused.append((method, path, query, status, now, key, message))

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._requests)
        return [
            {"method": m, "path": p, "query": q, "status": s, "at": _at(t), "fault": f}
            for m, p, q, s, t, f in rows
        ]

    def refused(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = list(self._refused)
        return [
            {"method": m, "path": p, "query": q, "status": s, "at": _at(t), "error_key": k, "reason": r}
            for m, p, q, s, t, k, r in rows
        ]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._refused.clear()
