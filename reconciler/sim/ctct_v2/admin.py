"""The simulator-only admin API under /__sim__/, common.admin's where it applies (faults,
request and refusal logs, illegal and consent logs, reset, quota reset, save). No auth and no
rate limits: gate.py only guards /v2.

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

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common import admin as common
from reconciler.sim.ctct_v2 import self_service
from reconciler.sim.ctct_v2.query import list_status
from reconciler.sim.ctct_v2.records import render
from reconciler.sim.ctct_v2.routes import runtime_of
from reconciler.sim.ctct_v2.store import SimStore
from reconciler.sim.ctct_v2.wire import not_found

__all__ = ["admin_routes"]


def _counts(store: SimStore) -> dict[str, int]:
    return {"lists": len(store.lists), "contacts": len(store.records)}


state = common.state_endpoint(_counts)


def _contact_id(request: Request) -> str:
    return common.contact_id(request, "id", not_found)


def _rendered(request: Request, record: Mapping[str, Any]) -> JSONResponse:
    store = runtime_of(request).store
    with store.lock:
        return JSONResponse(render(record, list_status(store)))


async def unsubscribe(request: Request) -> Response:
    return _rendered(request, self_service.unsubscribe(runtime_of(request).store, _contact_id(request)))


async def edit(request: Request) -> Response:
    body = await common.read_body(request)
    if not isinstance(body, Mapping):
        return common.problem(400, "the body must be a partial v2 contact object")
    return _rendered(request, self_service.edit(runtime_of(request).store, _contact_id(request), body))


async def config(request: Request) -> Response:
    # v2's own: its limits are counted per API key, and it words a bad value differently.
    runtime = runtime_of(request)
    if request.method == "POST":
        changes = await common.read_body(request)
        if not isinstance(changes, Mapping) or set(changes) - set(common.TUNABLE):
            return common.problem(400, f"only {sorted(common.TUNABLE)} can be changed")
        if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in changes.values()):
            return common.problem(400, "every value must be a non-negative number")
        for key, value in changes.items():
            setattr(runtime.config, key, common.TUNABLE[key](value))
    return common.config_view(runtime, runtime.config.api_key)


def admin_routes() -> list[BaseRoute]:
    own: list[common.AdminRoute] = [
        ("/__sim__/state", state, ["GET", "POST"]),
        ("/__sim__/config", config, ["GET", "POST"]),
    ]
    for action, endpoint in (("unsubscribe", unsubscribe), ("edit", edit)):
        own.append((f"/__sim__/contacts/{{contact_id}}/{action}", endpoint, ["POST"]))
        own.append((f"/__sim__/contacts/by-email/{{email}}/{action}", endpoint, ["POST"]))
    return common.admin_routes(own)
