"""`reconciler sim`: serve a simulator on a port until interrupted, saving state on the way out."""

from __future__ import annotations

import json
from pathlib import Path

import structlog

from reconciler.errors import ConfigError
from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import serve_forever

__all__ = ["run_simulator"]

log = structlog.get_logger()


def _initial_store(state: Path | None, seed: str | None) -> SimStore:
    if state is not None and state.exists():
        return SimStore.from_file(state)
    if seed == "demo":
        return SimStore.from_state(load_demo_seed())
    if seed:
        try:
            return SimStore.from_state(json.loads(Path(seed).read_text()))
        except (OSError, ValueError) as err:
            raise ConfigError(f"cannot load seed {seed}: {err}") from err
    return SimStore()


def run_simulator(
    *,
    host: str,
    port: int,
    token: str,
    state: Path | None,
    seed: str | None,
    rate_limit: float,
    daily_quota: int,
    latency: float,
) -> None:
    store = _initial_store(state, seed)
    config = SimConfig(token=token, rate_per_second=rate_limit, daily_quota=daily_quota, latency=latency)
    app = create_app(config, store, state_path=state)
    log.info("simulator_listening", url=f"http://{host}:{port}/v3", contacts=len(store.contacts()))

    def save() -> None:
        if state is not None:
            store.save(state)

    serve_forever(app, host, port, on_shutdown=save)
