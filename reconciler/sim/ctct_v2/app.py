"""Assembles the v2 simulator: the /v2 API behind its gateway, plus the /__sim__ admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.sim.common.app import assemble, load_json_resource
from reconciler.sim.ctct_v2.admin import admin_routes
from reconciler.sim.ctct_v2.gate import PREFIX, V2Gate
from reconciler.sim.ctct_v2.routes import v2_routes
from reconciler.sim.ctct_v2.runtime import SimConfig, SimRuntime
from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v2.wire import SimError, error_response

__all__ = ["create_app", "load_demo_seed"]

_HTTP_KEYS = {404: "http.status.not_found", 405: "http.status.method_not_allowed"}


async def _sim_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimError)
    return error_response(exc.status, exc.error_key, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Router 404/405s: the v2 error array on /v2, a plain object on the admin API."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(PREFIX):
        key = _HTTP_KEYS.get(exc.status_code, "http.status.error")
        return error_response(exc.status_code, key, str(exc.detail), headers=exc.headers)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def create_app(config: SimConfig, store: SimStore, state_path: Path | None = None) -> Starlette:
    """`state_path` is where POST /__sim__/save writes (the caller saves on shutdown)."""
    runtime = SimRuntime(config=config, store=store, state_path=state_path)
    handlers = {SimError: _sim_error, HTTPException: _http_error}
    return assemble(runtime, [*v2_routes(), *admin_routes()], V2Gate, handlers)


def load_demo_seed() -> dict[str, Any]:
    """The demo account: the v3 demo's people in v2 form (see demo_seed.json)."""
    return load_json_resource("reconciler.sim.ctct_v2", "demo_seed.json")
