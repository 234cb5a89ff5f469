"""`reconciler sim`: serve a simulator on a port until interrupted, saving state on the way out."""

from __future__ import annotations

from pathlib import Path

import structlog

from reconciler.sim.registry import Credentials, SimLimits, simulator_for
from reconciler.sim.server import serve_forever

__all__ = ["run_simulator"]

log = structlog.get_logger()


def run_simulator(
    *,
    provider: str,
    host: str,
    port: int,
    credentials: Credentials,
    state: Path | None,
    seed: str | None,
    limits: SimLimits,
) -> None:
    sim = simulator_for(provider)
    store = sim.store(state, sim.load_seed(seed) if seed else None)
    app = sim.app(store, credentials, limits, state_path=state)
    log.info("simulator_listening", provider=provider, url=f"http://{host}:{port}{sim.base_path}")

    def save() -> None:
        if state is not None:
            store.save(state)

    serve_forever(app, host, port, on_shutdown=save)
