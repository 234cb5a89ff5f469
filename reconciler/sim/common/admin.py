"""The parts of the simulator-only admin API under /__sim__/ that do not depend on the
account's shape: reset, faults, the request/refusal/illegal/consent logs, limits, quota and
save. Each simulator adds its own state and contact-side endpoints (`state_endpoint` and
`contact_id` build most of those) and assembles them with `admin_routes`.

  POST /__sim__/reset                 clear state, logs, faults and counters
  GET|POST|DELETE /__sim__/faults     pending faults / add one / clear all
  GET|DELETE /__sim__/requests        every API request and its status / clear
  GET  /__sim__/refused               every API request answered 4xx, with its reason
  GET  /__sim__/illegal               every refused opt-in attempt by the account
  GET  /__sim__/consent               contact-side opt-ins
  GET|POST /__sim__/config            limits; POST any of rate_per_second, daily_quota, latency
  POST /__sim__/quota/reset           reset today's request count
  POST /__sim__/save                  write the state file the app was created with
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sim.common.routes import Endpoint, runtime_of
from reconciler.sim.common.runtime import BaseRuntime

__all__ = [
    "GENERIC",
    "TUNABLE",
    "AdminRoute",
    "admin_error",
    "admin_routes",
    "config",
    "config_view",
    "consent_log",
    "contact_id",
    "faults",
    "illegal_log",
    "problem",
    "quota_reset",
    "read_body",
    "refused_log",
    "requests_log",
    "reset",
    "save",
    "state_endpoint",
]

AdminRoute = tuple[str, Endpoint, list[str]]
TUNABLE = {"rate_per_second": float, "daily_quota": int, "latency": float}


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_body(request: Request) -> Any:
    """The JSON body, or {} when there is none (admin bodies are all optional somewhere)."""
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def state_endpoint(counts: Callable[[Any], Mapping[str, int]]) -> Endpoint:
    """GET the state JSON / POST to replace all of it (seeding), answering `counts(store)`,
    which is called holding the store's lock."""

    async def state(request: Request) -> Response:
        store = runtime_of(request).store
        if request.method == "GET":
            return JSONResponse(store.to_state())
        try:
            new_state = await read_body(request)
            if not isinstance(new_state, dict):
                raise ValueError("the state must be a JSON object")
            store.load_state(new_state)
        except (ValueError, KeyError, TypeError) as err:
            return problem(400, f"invalid state: {err!r}")
        with store.lock:
            return JSONResponse(dict(counts(store)))

    return state


def contact_id(request: Request, id_key: str, not_found: Callable[[str], Exception]) -> str:
    """The contact a /__sim__/contacts/{contact_id}/... or .../by-email/{email}/... path names
    (as a string); `not_found` makes the API's own 404 for an unknown email."""
    if "email" not in request.path_params:
        return str(request.path_params["contact_id"])
    store = runtime_of(request).store
    with store.lock:
        record = store.record_by_email(request.path_params["email"])
    if record is None:
        raise not_found(f"No contact has the email {request.path_params['email']}.")
    return str(record[id_key])


async def reset(request: Request) -> Response:
    runtime_of(request).reset()
    return JSONResponse({"reset": True})


async def faults(request: Request) -> Response:
    plan = runtime_of(request).faults
    if request.method == "DELETE":
        plan.clear()
        return JSONResponse({"cleared": True})
    if request.method == "POST":
        spec = await read_body(request)
        try:
            if not isinstance(spec, Mapping):
                raise ValueError("the body must be a fault object")
            created = plan.add(spec)
        except ValueError as err:
            return problem(400, str(err))
        return JSONResponse(asdict(created), status_code=201)
    return JSONResponse(plan.pending())


async def requests_log(request: Request) -> Response:
    journal = runtime_of(request).journal
    if request.method == "DELETE":
        journal.clear_requests()
        return JSONResponse({"cleared": True})
    return JSONResponse(journal.requests())


async def refused_log(request: Request) -> Response:
    return JSONResponse(runtime_of(request).journal.refused())


async def illegal_log(request: Request) -> Response:
    store = runtime_of(request).store
    with store.lock:
        return JSONResponse(list(store.illegal_log))


async def consent_log(request: Request) -> Response:
    store = runtime_of(request).store
    with store.lock:
        return JSONResponse(list(store.consent_log))


def config_view(runtime: BaseRuntime[Any, Any], limit_key: str) -> JSONResponse:
    cfg = runtime.config
    return JSONResponse(
        {
            "rate_per_second": cfg.rate_per_second,
            "daily_quota": cfg.daily_quota,
            "latency": cfg.latency,
            "max_page_size": cfg.max_page_size,
            "used_today": runtime.limiter.used_today(limit_key),
        }
    )


async def config(request: Request) -> Response:
    runtime = runtime_of(request)
    if request.method == "POST":
        changes = await read_body(request)
        if not isinstance(changes, Mapping) or set(changes) - set(TUNABLE):
            return problem(400, f"only {sorted(TUNABLE)} can be changed")
        for key, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                return problem(400, f"{key} must be a non-negative number")
        for key, value in changes.items():
            setattr(runtime.config, key, TUNABLE[key](value))
    return config_view(runtime, runtime.config.token)


async def quota_reset(request: Request) -> Response:
    runtime_of(request).limiter.reset_quota()
    return JSONResponse({"reset": True})


async def save(request: Request) -> Response:
    runtime = runtime_of(request)
    if runtime.state_path is None:
        return problem(409, "the simulator was started without a state file")
    runtime.store.save(runtime.state_path)
    return JSONResponse({"saved": str(runtime.state_path)})


def admin_error(endpoint: Endpoint) -> Endpoint:
    """A malformed admin body is the caller's mistake, not a server error."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except json.JSONDecodeError as err:
            return problem(400, f"the body is not valid JSON: {err}")

    return guarded


GENERIC: Sequence[AdminRoute] = (
    ("/__sim__/reset", reset, ["POST"]),
    ("/__sim__/faults", faults, ["GET", "POST", "DELETE"]),
    ("/__sim__/requests", requests_log, ["GET", "DELETE"]),
    ("/__sim__/refused", refused_log, ["GET"]),
    ("/__sim__/illegal", illegal_log, ["GET"]),
    ("/__sim__/consent", consent_log, ["GET"]),
    ("/__sim__/config", config, ["GET", "POST"]),
    ("/__sim__/quota/reset", quota_reset, ["POST"]),
    ("/__sim__/save", save, ["POST"]),
)


def admin_routes(own: Sequence[AdminRoute]) -> list[BaseRoute]:
    """The generic endpoints plus a simulator's `own`; an own path replaces a generic one."""
    mine = {path for path, _, _ in own}
    routes = [*own, *(route for route in GENERIC if route[0] not in mine)]
    return [Route(path, admin_error(endpoint), methods=methods) for path, endpoint, methods in routes]
