"""Client-side pacing so the platform's per-second limit is rarely hit.

Spacing, not a token bucket: a bucket lets a burst of `capacity` requests through and then
`rate` more in the same second, so a server counting per-second windows can see up to twice
the rate. Evenly spaced requests never exceed `rate` in any one-second window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Hands out send slots at least `1 / rate_per_second` seconds apart; 0 means unlimited."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_second < 0:
            raise ValueError(f"rate_per_second must be >= 0 (0 = unlimited), got {rate_per_second}")
        self.rate_per_second = rate_per_second
        self._interval = 1.0 / rate_per_second if rate_per_second else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_slot: float | None = None
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until this caller may send; return the seconds waited."""
        if not self._interval:
            return 0.0
        # Reserve the slot under the lock but sleep outside it, so concurrent callers queue
        # up behind one another instead of all waking at the same instant.
        with self._lock:
            now = self._clock()
            slot = now if self._next_slot is None else max(now, self._next_slot)
            self._next_slot = slot + self._interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)
