"""A faithful local simulator of the Constant Contact v3 contacts API (see ctct-v3 §1).

`create_app(SimConfig(), SimStore())` is a Starlette app serving /v3 (bearer auth, rate
limits, the documented write semantics and consent rules) and the simulator-only admin API
under /__sim__/. `reconciler.sim.server.start_server` runs it on a real port."""

from reconciler.sim.common.gate import ConnectionDropped
from reconciler.sim.ctct_v3.app import create_app, load_demo_seed
from reconciler.sim.ctct_v3.runtime import SimConfig
from reconciler.sim.ctct_v3.store import SimStore

__all__ = ["ConnectionDropped", "SimConfig", "SimStore", "create_app", "load_demo_seed"]
