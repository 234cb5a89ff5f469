"""The simulators, by provider name: how to seed one, serve it, and point a provider at it.

Every simulator package has the same surface (SimConfig, SimStore, create_app, load_demo_seed);
what differs is the credentials it checks and the environment a provider needs to match them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from starlette.types import ASGIApp

from reconciler.errors import ConfigError
from reconciler.sim import ctct_v1, ctct_v2, ctct_v3, everlytic
from reconciler.sim.everlytic import as_xmlrpc

__all__ = ["SIMULATORS", "Credentials", "SimLimits", "Simulator", "simulator_for"]


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str
    username: str = "demo"
    password: str = ""
    api_key: str = ""

    @classmethod
    def random(cls) -> Credentials:
        return cls(secrets.token_urlsafe(16), "demo", secrets.token_urlsafe(12), secrets.token_urlsafe(12))


@dataclass(frozen=True, slots=True)
class SimLimits:
    rate_per_second: float = 0.0
    daily_quota: int = 0
    latency: float = 0.0


# (config keyword arguments, provider environment) for given credentials
CredentialMap = Callable[[Credentials], tuple[dict[str, Any], dict[str, str]]]


@dataclass(frozen=True, slots=True)
class Simulator:
    name: str
    module: ModuleType
    base_path: str  # appended to the server URL to make the provider's base URL
    credentials: CredentialMap

    def demo_state(self) -> dict[str, Any]:
        return dict(self.module.load_demo_seed())

    def store(self, state: Path | None = None, seed: Mapping[str, Any] | None = None) -> Any:
        if state is not None and state.exists():
            return self.module.SimStore.from_file(state)
        return self.module.SimStore.from_state(seed) if seed is not None else self.module.SimStore()

    def app(
        self, store: Any, creds: Credentials, limits: SimLimits, state_path: Path | None = None
    ) -> ASGIApp:
        kwargs, _ = self.credentials(creds)
        config = self.module.SimConfig(
            **kwargs,
            rate_per_second=limits.rate_per_second,
            daily_quota=limits.daily_quota,
            latency=limits.latency,
        )
        app: ASGIApp = self.module.create_app(config, store, state_path=state_path)
        return app

    def env(self, creds: Credentials) -> dict[str, str]:
        return self.credentials(creds)[1]

    def load_seed(self, seed: str) -> dict[str, Any]:
        if seed == "demo":
            return self.demo_state()
        try:
            return dict(json.loads(Path(seed).read_text()))
        except (OSError, ValueError) as err:
            raise ConfigError(f"cannot load seed {seed}: {err}") from err


def _v3(c: Credentials) -> tuple[dict[str, Any], dict[str, str]]:
    return {"token": c.token}, {"CTCT_ACCESS_TOKEN": c.token}


def _v2(c: Credentials) -> tuple[dict[str, Any], dict[str, str]]:
    return {"api_key": c.api_key, "token": c.token}, {
        "CTCT_V2_API_KEY": c.api_key,
        "CTCT_V2_ACCESS_TOKEN": c.token,
    }


def _v1(c: Credentials) -> tuple[dict[str, Any], dict[str, str]]:
    config = {"username": c.username, "api_key": c.api_key, "password": c.password}
    env = {"CTCT_V1_USERNAME": c.username, "CTCT_V1_API_KEY": c.api_key, "CTCT_V1_PASSWORD": c.password}
    return config, env


def _everlytic(c: Credentials) -> tuple[dict[str, Any], dict[str, str]]:
    env = {
        "EVERLYTIC_USERNAME": c.username,
        "EVERLYTIC_API_KEY": c.api_key,
        # the demo account keeps Tier/Region/Lead_Source in Everlytic's spare contact properties
        "RECONCILER_EVERLYTIC_CUSTOM_FIELDS": everlytic.DEMO_CUSTOM_FIELDS,
        "RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL": "marketing@example.com",
    }
    return {"username": c.username, "api_key": c.api_key}, env


SIMULATORS: dict[str, Simulator] = {
    "ctct-v3": Simulator("ctct-v3", ctct_v3, "/v3", _v3),
    "ctct-v2": Simulator("ctct-v2", ctct_v2, "/v2", _v2),
    "ctct-v1": Simulator("ctct-v1", ctct_v1, "", _v1),
    "everlytic": Simulator("everlytic", everlytic, "/api/2.0", _everlytic),
    "everlytic-xmlrpc": Simulator("everlytic-xmlrpc", as_xmlrpc, "/api/2.0", _everlytic),
}


def simulator_for(provider: str) -> Simulator:
    try:
        return SIMULATORS[provider]
    except KeyError:
        raise ConfigError(
            f"no simulator for provider '{provider}'; choose one of: {', '.join(SIMULATORS)}"
        ) from None
