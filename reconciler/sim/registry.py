"""The simulators, by provider name: how to seed one, serve it, and point a provider at it."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from reconciler.errors import ConfigError
from reconciler.sim import ctct_v3

__all__ = ["SIMULATORS", "Simulator", "simulator_for"]


@dataclass(frozen=True, slots=True)
class Simulator:
    name: str
    base_path: str  # appended to the server URL to make the provider's base URL
    demo_state: Callable[[], dict[str, Any]]
    # builds (store, app, provider env) for an embedded run from a state file, unlimited rate
    open: Callable[[Path], tuple[Any, ASGIApp, Mapping[str, str]]]
    save: Callable[[Any, Path], None]


def _open_v3(state: Path) -> tuple[Any, ASGIApp, Mapping[str, str]]:
    token = secrets.token_urlsafe(16)
    store = ctct_v3.SimStore.from_file(state)
    app = ctct_v3.create_app(ctct_v3.SimConfig(token=token, rate_per_second=0), store)
    return store, app, {"CTCT_ACCESS_TOKEN": token}


def _save_v3(store: Any, state: Path) -> None:
    store.save(state)


SIMULATORS: dict[str, Simulator] = {
    "ctct-v3": Simulator("ctct-v3", "/v3", ctct_v3.load_demo_seed, _open_v3, _save_v3),
}


def simulator_for(provider: str) -> Simulator:
    try:
        return SIMULATORS[provider]
    except KeyError:
        raise ConfigError(
            f"no simulator for provider '{provider}'; choose one of: {', '.join(SIMULATORS)}"
        ) from None
