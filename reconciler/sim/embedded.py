"""The embedded default target: a platform simulator started in-process on a loopback port,
with a persistent local state file seeded with the demo account."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reconciler.sim.registry import Credentials, SimLimits, simulator_for
from reconciler.sim.server import start_server

__all__ = ["EmbeddedSim", "embedded_simulator", "reset_state"]


@dataclass(frozen=True, slots=True)
class EmbeddedSim:
    base_url: str
    env: Mapping[str, str]  # the credentials the provider needs to talk to it


def reset_state(provider: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(simulator_for(provider).demo_state(), indent=1))


@contextmanager
def embedded_simulator(provider: str, state: Path) -> Iterator[EmbeddedSim]:
    sim = simulator_for(provider)
    if not state.exists():
        reset_state(provider, state)
    store = sim.store(state)
    creds = Credentials.random()
    server = start_server(sim.app(store, creds, SimLimits()))
    try:
        yield EmbeddedSim(base_url=server.url + sim.base_path, env=sim.env(creds))
    finally:
        server.stop()
        store.save(state)
