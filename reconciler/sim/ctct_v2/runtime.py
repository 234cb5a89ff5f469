"""The v2 simulator's configuration and the per-app bundle of its moving parts. Limits,
faults and the journal are the v3 simulator's own classes: nothing in them is v3-specific."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v3.faults import FaultPlan
from reconciler.sim.ctct_v3.journal import Journal
from reconciler.sim.ctct_v3.limits import RateLimiter

__all__ = ["SimConfig", "SimRuntime"]


@dataclass
class SimConfig:
    api_key: str = "sim-api-key"
    token: str = "sim-token"
    rate_per_second: float = 4.0  # per API key (Mashery); 0 = unlimited
    daily_quota: int = 10_000  # per API key per UTC day; 0 = unlimited
    latency: float = 0.0  # seconds added to every /v2 response
    max_page_size: int = 500
    default_page_size: int = 50


@dataclass
class SimRuntime:
    config: SimConfig
    store: SimStore
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
