"""The v2 simulator's configuration and the per-app bundle of its moving parts."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.sim.common.runtime import BaseRuntime
from reconciler.sim.ctct_v2.store import SimStore

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
class SimRuntime(BaseRuntime[SimConfig, SimStore]):
    pass
