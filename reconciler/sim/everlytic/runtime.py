"""The simulator's configuration, its request journal (which, unlike the common one, keeps what each
write carried), and the per-app bundle of moving parts."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reconciler.sim.common.journal import Journal
from reconciler.sim.common.runtime import BaseRuntime
from reconciler.sim.everlytic.store import SimStore

__all__ = ["BodyJournal", "SimConfig", "SimRuntime"]

_MAX_BODIES = 250_000


def _stamp() -> str:
    """The journal's timestamp format, so the two refused logs sort together."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class SimConfig:
    username: str = "sim-user"
    api_key: str = "sim-api-key"
    # Everlytic documents no rate limit or quota, so both are off unless a test sets them.
    rate_per_second: float = 0.0  # per user; 0 = unlimited
    daily_quota: int = 0  # per user per UTC day; 0 = unlimited
    latency: float = 0.0  # seconds added to every API response
    max_page_size: int = 1000  # undocumented; larger `count`s are refused

    @property
    def token(self) -> str:
        """The key limits are counted under (the common admin handlers read it by this name)."""
        return self.username


class BodyJournal(Journal):
    """Every API request with the body it carried (the parsed JSON, or the XML-RPC method and
    params), so tests can prove what a client sent. XML-RPC faults are answered with HTTP 200
    but are refusals all the same, so they also go to the refused log."""

    def __init__(self) -> None:
        super().__init__()
        self._guard = threading.Lock()
        self._bodies: deque[Any] = deque(maxlen=_MAX_BODIES)
        self._faults: deque[dict[str, Any]] = deque(maxlen=_MAX_BODIES)

    def record_call(
        self,
        method: str,
        path: str,
        query: str,
        status: int | None,
        fault: str | None,
        error: tuple[str | None, str | None] | None,
        body: Any,
        rpc_fault: tuple[int, str] | None,
    ) -> None:
        with self._guard:
            self.record(method, path, query, status, fault, error)
            self._bodies.append(body)
            if rpc_fault is not None:
                self._faults.append(
                    {
                        "method": method,
                        "path": path,
                        "query": query,
                        "status": rpc_fault[0],
                        "at": _stamp(),
                        "error_key": "fault",
                        "reason": rpc_fault[1],
                    }
                )

    def requests(self) -> list[dict[str, Any]]:
        rows = super().requests()
        bodies = list(self._bodies)
        # Both deques get one entry per request; if one has dropped old entries, align the ends.
        size = min(len(rows), len(bodies))
        paired = rows[len(rows) - size :]
        for row, body in zip(paired, bodies[len(bodies) - size :], strict=True):
            row["body"] = body
        return paired

    def refused(self) -> list[dict[str, Any]]:
        return sorted([*super().refused(), *self._faults], key=lambda r: str(r["at"]))

    def clear_requests(self) -> None:
        with self._guard:
            super().clear_requests()
            self._bodies.clear()

    def reset(self) -> None:
        with self._guard:
            super().reset()
            self._bodies.clear()
            self._faults.clear()


@dataclass
class SimRuntime(BaseRuntime[SimConfig, SimStore]):
    journal: BodyJournal = field(default_factory=BodyJournal)
