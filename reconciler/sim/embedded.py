"""The embedded default target: a v3 simulator started in-process on a loopback port,
with a persistent local state file seeded with the demo account."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import start_server

__all__ = ["DEFAULT_STATE", "EmbeddedSim", "embedded_simulator", "reset_state"]

DEFAULT_STATE = Path(".reconciler/sim-state.json")


@dataclass(frozen=True, slots=True)
class EmbeddedSim:
    base_url: str
    token: str
    store: SimStore


def reset_state(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(load_demo_seed(), indent=1))


@contextmanager
def embedded_simulator(state: Path = DEFAULT_STATE, *, rate_per_second: float = 0.0) -> Iterator[EmbeddedSim]:
    if not state.exists():
        reset_state(state)
    store = SimStore.from_file(state)
    token = secrets.token_urlsafe(16)
    config = SimConfig(token=token, rate_per_second=rate_per_second)
    server = start_server(create_app(config, store))
    try:
        yield EmbeddedSim(base_url=f"{server.url}/v3", token=token, store=store)
    finally:
        server.stop()
        store.save(state)
