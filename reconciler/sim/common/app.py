"""Assembling a simulator app: its API routes behind its gate, plus the /__sim__ admin API,
with the runtime on `app.state` where every endpoint finds it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ExceptionHandler

from reconciler.sim.common.gate import BaseGate
from reconciler.sim.common.runtime import BaseRuntime

__all__ = ["assemble", "load_json_resource"]


def assemble(
    runtime: BaseRuntime[Any, Any],
    routes: Sequence[BaseRoute],
    gate: type[BaseGate[Any]],
    exception_handlers: Mapping[Any, ExceptionHandler],
) -> Starlette:
    app = Starlette(
        routes=list(routes),
        middleware=[Middleware(gate, runtime=runtime)],
        exception_handlers=dict(exception_handlers),
    )
    app.state.runtime = runtime
    return app


def load_json_resource(package: str, name: str) -> dict[str, Any]:
    """A JSON object shipped inside `package` (the demo seeds)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    value: dict[str, Any] = json.loads(text)
    return value
