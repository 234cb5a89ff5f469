"""Helpers for the simulators' endpoint modules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reconciler.sim.common.runtime import BaseRuntime

__all__ = ["Endpoint", "by_method", "runtime_of"]

Endpoint = Callable[[Request], Awaitable[Response]]


def runtime_of(request: Request) -> BaseRuntime[Any, Any]:
    runtime: BaseRuntime[Any, Any] = request.app.state.runtime
    return runtime


def by_method(path: str, handlers: dict[str, Endpoint]) -> Route:
    """One route per path, so a wrong method gets a 405 whose Allow lists every method."""

    async def dispatch(request: Request) -> Response:
        return await handlers["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, dispatch, methods=list(handlers))
