"""The simulator-only admin API under /__sim__/, the v3 simulator's where it applies (faults,
request and refusal logs, illegal and consent logs, reset, quota reset, save are its very
handlers). No auth and no rate limits: gate.py only guards /v2.

  GET|POST /__sim__/state             the state file JSON / replace all state (seeding)
  POST /__sim__/reset                 clear state, logs, faults and counters
  POST /__sim__/contacts/{id}/unsubscribe            the contact's own opt-out
  POST /__sim__/contacts/{id}/edit                   the contact edits their details
  POST /__sim__/contacts/by-email/{email}/{unsubscribe|edit}   the same, by email
  GET|POST|DELETE /__sim__/faults     pending faults / add one / clear all
  GET|DELETE /__sim__/requests        every /v2 request (api_key masked) and its status
  GET  /__sim__/refused               every /v2 request answered 4xx, with its reason
  GET  /__sim__/illegal               every refused owner opt-in of an OPTOUT contact
  GET  /__sim__/consent               contact-side opt-ins (ACTION_BY_VISITOR writes)
  GET|POST /__sim__/config            limits; POST any of rate_per_second, daily_quota, latency
  POST /__sim__/quota/reset, POST /__sim__/save
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sim.ctct_v2 import self_service
from reconciler.sim.ctct_v2.query import list_status
from reconciler.sim.ctct_v2.records import render
from reconciler.sim.ctct_v2.routes import runtime_of
from reconciler.sim.ctct_v2.wire import not_found
from reconciler.sim.ctct_v3 import admin as v3_admin

__all__ = ["admin_routes"]

_TUNABLE = {"rate_per_second": float, "daily_quota": int, "latency": float}


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> Any:
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


async def state(request: Request) -> Response:
    store = runtime_of(request).store
    if request.method == "GET":
        return JSONResponse(store.to_state())
    try:
        new_state = await _body(request)
        if not isinstance(new_state, dict):
            raise ValueError("the state must be a JSON object")
        store.load_state(new_state)
    except (ValueError, KeyError, TypeError) as err:
        return _problem(400, f"invalid state: {err!r}")
    with store.lock:
        return JSONResponse({"lists": len(store.lists), "contacts": len(store.records)})


def _contact_id(request: Request) -> str:
    if "email" not in request.path_params:
        return str(request.path_params["contact_id"])
    store = runtime_of(request).store
    with store.lock:
        record = store.record_by_email(request.path_params["email"])
    if record is None:
        raise not_found(f"No contact has the email {request.path_params['email']}.")
    return str(record["id"])


def _rendered(request: Request, record: Mapping[str, Any]) -> JSONResponse:
    store = runtime_of(request).store
    with store.lock:
        return JSONResponse(render(record, list_status(store)))


async def unsubscribe(request: Request) -> Response:
    return _rendered(request, self_service.unsubscribe(runtime_of(request).store, _contact_id(request)))


async def edit(request: Request) -> Response:
    body = await _body(request)
    if not isinstance(body, Mapping):
        return _problem(400, "the body must be a partial v2 contact object")
    return _rendered(request, self_service.edit(runtime_of(request).store, _contact_id(request), body))


async def config(request: Request) -> Response:
    runtime = runtime_of(request)
    if request.method == "POST":
        changes = await _body(request)
        if not isinstance(changes, Mapping) or set(changes) - set(_TUNABLE):
            return _problem(400, f"only {sorted(_TUNABLE)} can be changed")
        if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in changes.values()):
            return _problem(400, "every value must be a non-negative number")
        for key, value in changes.items():
            setattr(runtime.config, key, _TUNABLE[key](value))
    cfg = runtime.config
    return JSONResponse(
        {
            "rate_per_second": cfg.rate_per_second,
            "daily_quota": cfg.daily_quota,
            "latency": cfg.latency,
            "max_page_size": cfg.max_page_size,
            "used_today": runtime.limiter.used_today(cfg.api_key),
        }
    )


def admin_routes() -> list[BaseRoute]:
    own = v3_admin
    routes = [
        ("/__sim__/state", state, ["GET", "POST"]),
        ("/__sim__/reset", own.reset, ["POST"]),
        ("/__sim__/contacts/{contact_id}/unsubscribe", unsubscribe, ["POST"]),
        ("/__sim__/contacts/{contact_id}/edit", edit, ["POST"]),
        ("/__sim__/contacts/by-email/{email}/unsubscribe", unsubscribe, ["POST"]),
        ("/__sim__/contacts/by-email/{email}/edit", edit, ["POST"]),
        ("/__sim__/faults", own.faults, ["GET", "POST", "DELETE"]),
        ("/__sim__/requests", own.requests_log, ["GET", "DELETE"]),
        ("/__sim__/refused", own.refused_log, ["GET"]),
        ("/__sim__/illegal", own.illegal_log, ["GET"]),
        ("/__sim__/consent", own.consent_log, ["GET"]),
        ("/__sim__/config", config, ["GET", "POST"]),
        ("/__sim__/quota/reset", own.quota_reset, ["POST"]),
        ("/__sim__/save", own.save, ["POST"]),
    ]
    return [Route(path, own._admin_error(endpoint), methods=methods) for path, endpoint, methods in routes]
