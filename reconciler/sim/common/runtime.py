"""The per-app bundle of a simulator's moving parts. Only the config and store types differ
between simulators; the limiter, fault plan and journal are the same for every API."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from reconciler.sim.common.faults import FaultPlan
from reconciler.sim.common.journal import Journal
from reconciler.sim.common.limits import RateLimiter

__all__ = ["BaseRuntime", "RuntimeConfig", "RuntimeStore"]


class RuntimeConfig(Protocol):
    rate_per_second: float
    daily_quota: int
    latency: float
    max_page_size: int

    @property
    def token(self) -> str:
        """The key limits are counted under unless a gate says otherwise."""
        ...


class RuntimeStore(Protocol):
    @property
    def lock(self) -> AbstractContextManager[Any]: ...

    def reset(self) -> None: ...

    def to_state(self) -> dict[str, Any]: ...

    def load_state(self, state: Any) -> None: ...

    def save(self, path: str | os.PathLike[str]) -> None: ...


ConfigT = TypeVar("ConfigT", bound=RuntimeConfig)
StoreT = TypeVar("StoreT", bound=RuntimeStore)


@dataclass
class BaseRuntime(Generic[ConfigT, StoreT]):
    config: ConfigT
    store: StoreT
    state_path: Path | None = None
    limiter: RateLimiter = field(init=False)
    faults: FaultPlan = field(default_factory=FaultPlan)
    journal: Journal = field(default_factory=Journal)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.config)

    def reset(self) -> None:
        """Everything back to empty: state, logs, pending faults, counters."""
        self.store.reset()
        self.faults.clear()
        self.journal.reset()
        self.limiter.reset()
