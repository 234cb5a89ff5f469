"""Assembles the v1 simulator: the /ws/customers/{username}/ API behind its gateway, plus the
/__sim__ admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.sim.common.app import assemble, load_json_resource
from reconciler.sim.ctct_v1.admin import admin_routes
from reconciler.sim.ctct_v1.gate import API_PREFIX, V1Gate
from reconciler.sim.ctct_v1.routes import v1_routes
from reconciler.sim.ctct_v1.runtime import SimConfig, SimRuntime
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v1.wire import text_error
from reconciler.sim.ctct_v3.wire import SimError

__all__ = ["create_app", "load_demo_seed"]


async def _sim_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimError)
    if request.url.path.startswith("/__sim__/"):
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return text_error(exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Router errors. v1 answers a method a resource does not support with 415, not 405."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(API_PREFIX):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    if exc.status_code == 405:
        return text_error(415, f"The method {request.method} is not supported by this resource.")
    if exc.status_code == 404:
        return text_error(404, "The URI does not name a resource.")
    return text_error(exc.status_code, str(exc.detail))


def create_app(config: SimConfig, store: SimStore, state_path: Path | None = None) -> Starlette:
    """`state_path` is where POST /__sim__/save writes (the caller saves on shutdown)."""
    runtime = SimRuntime(config=config, store=store, state_path=state_path)
    handlers = {SimError: _sim_error, HTTPException: _http_error}
    return assemble(runtime, [*v1_routes(), *admin_routes()], V1Gate, handlers)


def load_demo_seed() -> dict[str, Any]:
    """The demo account: the v3 demo's people, lists and custom fields, in v1's shape."""
    return load_json_resource("reconciler.sim.ctct_v1", "demo_seed.json")
