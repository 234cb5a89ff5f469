"""Injected failures for any simulator's API requests: error statuses, delays, and dropped
connections (optionally after the write has been applied, the "did my POST land?" case)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from reconciler.sim.common.ids import new_id

__all__ = ["FAULT_STATUSES", "Fault", "FaultPlan"]

FAULT_STATUSES = (429, 500, 502, 503, 504)


@dataclass
class Fault:
    fault_id: str
    status: int | None
    count: int
    method: str | None
    path_prefix: str | None
    after: int
    delay: float | None
    drop: bool
    apply_before_drop: bool

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Fault:
        """Raises ValueError with a message for the admin client."""
        status = spec.get("status")
        if status is not None and status not in FAULT_STATUSES:
            raise ValueError(f"status must be one of {FAULT_STATUSES}")
        delay = spec.get("delay")
        if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0):
            raise ValueError("delay must be a non-negative number of seconds")
        drop = spec.get("drop", False)
        if not isinstance(drop, bool):
            raise ValueError("drop must be a boolean")
        if status is None and delay is None and not drop:
            raise ValueError("a fault needs a status, a delay or drop=true")
        count, after = spec.get("count", 1), spec.get("after", 0)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be an integer >= 1")
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError("after must be an integer >= 0")
        method = spec.get("method")
        prefix = spec.get("path_prefix")
        if method is not None and not isinstance(method, str):
            raise ValueError("method must be a string or null")
        if prefix is not None and not isinstance(prefix, str):
            raise ValueError("path_prefix must be a string or null")
        return cls(
            fault_id=new_id(),
            status=status,
            count=count,
            method=method.upper() if method else None,
            path_prefix=prefix,
            after=after,
            delay=float(delay) if delay is not None else None,
            drop=drop,
            apply_before_drop=bool(spec.get("apply_before_drop", True)),
        )

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (
            self.path_prefix is None or path.startswith(self.path_prefix)
        )

    @property
    def label(self) -> str:
        parts = [f"delay {self.delay}s"] if self.delay else []
        if self.drop:
            parts.append("drop" + (" after apply" if self.apply_before_drop else ""))
        elif self.status is not None:
            parts.append(str(self.status))
        return ", ".join(parts)


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, spec: Mapping[str, Any]) -> Fault:
        fault = Fault.from_spec(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request gets, if any, consuming one use. A matching request that a
        fault's `after` lets through is still offered to the faults queued after it."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
            return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
