"""Per-token rate limit and daily quota (ctct-v3 §1.9): more than `rate_per_second` requests
in any one-second window is `throttled`; more than `daily_quota` in a UTC day is
`quota_exceeded`. Refused requests consume neither allowance."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Protocol

__all__ = ["QUOTA_EXCEEDED", "THROTTLED", "Limits", "RateLimiter"]

THROTTLED = "throttled"
QUOTA_EXCEEDED = "quota_exceeded"


class Limits(Protocol):
    rate_per_second: float
    daily_quota: int


def _utc_today() -> date:
    return datetime.now(UTC).date()


class RateLimiter:
    """Reads the limits from `limits` on every call, so runtime config changes apply at once."""

    def __init__(
        self,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._today = today
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._days: dict[str, tuple[date, int]] = {}

    def admit(self, key: str) -> str | None:
        """None if the request may proceed (and is counted), else the refusal's error_key."""
        with self._lock:
            today = self._today()
            day, used = self._days.get(key, (today, 0))
            if day != today:
                used = 0
            quota = self._limits.daily_quota
            if quota > 0 and used >= quota:
                return QUOTA_EXCEEDED
            rate = self._limits.rate_per_second
            if rate > 0:
                # A fractional rate such as 0.5/s means 1 request per 2 s, not 0 per second.
                capacity = max(1, math.floor(rate))
                window = capacity / rate
                now = self._clock()
                recent = self._recent.setdefault(key, deque())
                while recent and recent[0] <= now - window:
                    recent.popleft()
                if len(recent) >= capacity:
                    return THROTTLED
                recent.append(now)
            self._days[key] = (today, used + 1)
            return None

    def used_today(self, key: str) -> int:
        with self._lock:
            day, used = self._days.get(key, (self._today(), 0))
            return used if day == self._today() else 0

    def reset_quota(self) -> None:
        with self._lock:
            self._days.clear()

    def reset(self) -> None:
        with self._lock:
            self._days.clear()
            self._recent.clear()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {key: used for key, (_, used) in self._days.items()}
