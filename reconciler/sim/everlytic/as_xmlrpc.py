"""The XML-RPC simulator with the module surface every simulator package has (SimConfig,
SimStore, create_app, load_demo_seed), for registries that pick one module per provider:
here `create_app` serves /api/2.0/xmlrpc/ instead of the REST API."""

from reconciler.sim.everlytic import (
    DEMO_CUSTOM_FIELDS,
    ConnectionDropped,
    SimConfig,
    SimStore,
    load_demo_seed,
)
from reconciler.sim.everlytic.xmlrpc import create_xmlrpc_app as create_app

__all__ = ["DEMO_CUSTOM_FIELDS", "ConnectionDropped", "SimConfig", "SimStore", "create_app", "load_demo_seed"]
