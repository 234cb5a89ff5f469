"""A faithful local simulator of the Constant Contact v1 XML/Atom API (see ctct-v1-xml.md).

`create_app(SimConfig(), SimStore())` is a Starlette app serving /ws/customers/{username}/
(HTTP Basic auth as "{api key}%{username}", Atom entries, 50-entry pages, complete-entry PUTs
and the Do-Not-Mail rule) and the simulator-only admin API under /__sim__/.
`reconciler.sim.server.start_server` runs it on a real port."""

from reconciler.sim.common.gate import ConnectionDropped
from reconciler.sim.ctct_v1.app import create_app, load_demo_seed
from reconciler.sim.ctct_v1.runtime import SimConfig
from reconciler.sim.ctct_v1.store import SimStore

__all__ = ["ConnectionDropped", "SimConfig", "SimStore", "create_app", "load_demo_seed"]
