"""A faithful local simulator of the Constant Contact v2 contacts API (see ctct-v2 §2).

`create_app(SimConfig(), SimStore())` is a Starlette app serving /v2 (api_key + Bearer auth,
Mashery's 403 rate limits, full-replace PUTs, `action_by` and the OPTOUT rule, next_link
paging) and the simulator-only admin API under /__sim__/."""

from reconciler.sim.ctct_v2.app import create_app, load_demo_seed
from reconciler.sim.ctct_v2.runtime import SimConfig
from reconciler.sim.ctct_v2.store import SimStore

__all__ = ["SimConfig", "SimStore", "create_app", "load_demo_seed"]
