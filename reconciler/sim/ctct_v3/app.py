"""Assembles the simulator: the /v3 API behind its gateway, plus the /__sim__ admin API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reconciler.sim.common.app import assemble, load_json_resource
from reconciler.sim.ctct_v3.admin import admin_routes
from reconciler.sim.ctct_v3.gate import V3Gate
from reconciler.sim.ctct_v3.routes import v3_routes
from reconciler.sim.ctct_v3.runtime import SimConfig, SimRuntime
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import SimError, error_response

__all__ = ["create_app", "load_demo_seed"]

_HTTP_KEYS = {
    404: ("not_found", "The requested resource was not found."),
    405: ("method_not_allowed", "Method Not Allowed"),
}


async def _sim_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimError)
    return error_response(exc.status, exc.error_key, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Router 404/405s, in the v3 error shape on /v3 and a plain object elsewhere."""
    assert isinstance(exc, HTTPException)
    key, message = _HTTP_KEYS.get(exc.status_code, ("error", exc.detail))
    if request.url.path.startswith("/v3"):
        return error_response(exc.status_code, key, message, headers=exc.headers)
    return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)


def create_app(config: SimConfig, store: SimStore, state_path: Path | None = None) -> Starlette:
    """`state_path` is where POST /__sim__/save writes (the caller saves on shutdown)."""
    runtime = SimRuntime(config=config, store=store, state_path=state_path)
    handlers = {SimError: _sim_error, HTTPException: _http_error}
    return assemble(runtime, [*v3_routes(), *admin_routes()], V3Gate, handlers)


def load_demo_seed() -> dict[str, Any]:
    """The demo account the README's first command runs against."""
    return load_json_resource("reconciler.sim.ctct_v3", "demo_seed.json")
