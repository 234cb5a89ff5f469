"""A faithful local simulator of Everlytic API 2.0 (see everlytic §4), with two front-ends
over one account store: REST (`create_app`, /api/2.0) and XML-RPC (`create_xmlrpc_app`,
/api/2.0/xmlrpc/). Both enforce HTTP Basic auth (username : API key), the documented
write semantics and the consent rules, and serve the simulator-only admin API under
/__sim__/. `reconciler.sim.server.start_server` runs either on a real port."""

from reconciler.sim.common.gate import ConnectionDropped
from reconciler.sim.everlytic.rest import create_app
from reconciler.sim.everlytic.runtime import SimConfig
from reconciler.sim.everlytic.seed import DEMO_CUSTOM_FIELDS, load_demo_seed
from reconciler.sim.everlytic.store import SimStore
from reconciler.sim.everlytic.xmlrpc import create_xmlrpc_app

__all__ = [
    "DEMO_CUSTOM_FIELDS",
    "ConnectionDropped",
    "SimConfig",
    "SimStore",
    "create_app",
    "create_xmlrpc_app",
    "load_demo_seed",
]
