"""The v1 simulator's configuration and the per-app bundle of its moving parts."""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.sim.common.runtime import BaseRuntime
from reconciler.sim.ctct_v1.store import SimStore

__all__ = ["SimConfig", "SimRuntime"]


@dataclass
class SimConfig:
    """Basic credentials are "{api_key}%{username}" : password. v1's rate limits are
    UNCONFIRMED; the defaults are the API-key gateway's (4/s, 10,000/day) that may have applied."""

    username: str = "demo"
    api_key: str = "sim-api-key"
    password: str = "sim-password"
    rate_per_second: float = 4.0  # per API key; 0 = unlimited
    daily_quota: int = 10_000  # per API key per UTC day; 0 = unlimited
    latency: float = 0.0  # seconds added to every API response
    max_page_size: int = 50  # v1 pages are 50 entries, and clients cannot change that

    @property
    def basic_user(self) -> str:
        return f"{self.api_key}%{self.username}"

    @property
    def token(self) -> str:
        """What limits are counted against (the API key), under the name the shared admin
        endpoints read."""
        return self.api_key


@dataclass
class SimRuntime(BaseRuntime[SimConfig, SimStore]):
    pass
