"""The simulator-only admin API under /__sim__/: seeding and inspecting state, playing the
contact's side, injecting faults, changing limits, and reading the logs. No auth and no
rate limits: gate.py only guards /v3. The endpoints that do not depend on the account's
shape are common.admin's.

  GET  /__sim__/state                 the state file JSON
  POST /__sim__/state                 replace all state with the body (seeding)
  POST /__sim__/reset                 clear state, logs, faults and counters
  POST /__sim__/contacts/{id}/unsubscribe   the contact clicks Unsubscribe ({"reason"} optional)
  POST /__sim__/contacts/{id}/confirm       the contact confirms / opts back in (-> explicit)
  POST /__sim__/contacts/{id}/edit          the contact edits their own details (partial body)
  POST /__sim__/contacts/by-email/{email}/{unsubscribe|confirm|edit}   the same, by email
  GET|POST|DELETE /__sim__/faults     pending faults / add one / clear all
  GET|DELETE /__sim__/requests        every /v3 request and its status / clear
  GET  /__sim__/refused               every /v3 request answered 4xx, with its reason
  GET  /__sim__/illegal               every refused opt-in attempt by the account
  GET  /__sim__/consent               contact-side opt-ins (sign_up_form, confirm, Contact PUT)
  GET|POST /__sim__/config            limits; POST any of rate_per_second, daily_quota, latency
  POST /__sim__/quota/reset           reset today's request count
  POST /__sim__/save                  write the state file the app was created with
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common.admin import AdminRoute, problem, read_body, state_endpoint
from reconciler.sim.common.admin import admin_routes as common_admin_routes
from reconciler.sim.common.admin import contact_id as _contact_id
from reconciler.sim.ctct_v3 import self_service
from reconciler.sim.ctct_v3.records import render
from reconciler.sim.ctct_v3.routes import runtime_of
from reconciler.sim.ctct_v3.rules import SUBRESOURCES
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import not_found

__all__ = ["admin_routes"]


def _counts(store: SimStore) -> dict[str, int]:
    return {"lists": len(store.lists), "custom_fields": len(store.fields), "contacts": len(store.records)}


state = state_endpoint(_counts)


def _contact(request: Request) -> str:
    return _contact_id(request, "contact_id", not_found)


async def unsubscribe(request: Request) -> Response:
    store = runtime_of(request).store
    body = await read_body(request)
    reason = body.get("reason") if isinstance(body, Mapping) else None
    record = self_service.unsubscribe(store, _contact(request), str(reason) if reason is not None else None)
    return JSONResponse(render(record, SUBRESOURCES))


async def confirm(request: Request) -> Response:
    store = runtime_of(request).store
    return JSONResponse(render(self_service.confirm(store, _contact(request)), SUBRESOURCES))


async def edit(request: Request) -> Response:
    store = runtime_of(request).store
    body = await read_body(request)
    if not isinstance(body, Mapping):
        return problem(400, "the body must be a partial v3 contact object")
    return JSONResponse(render(self_service.edit(store, _contact(request), body), SUBRESOURCES))


def admin_routes() -> list[BaseRoute]:
    own: list[AdminRoute] = [("/__sim__/state", state, ["GET", "POST"])]
    for action, endpoint in (("unsubscribe", unsubscribe), ("confirm", confirm), ("edit", edit)):
        own.append((f"/__sim__/contacts/{{contact_id}}/{action}", endpoint, ["POST"]))
        own.append((f"/__sim__/contacts/by-email/{{email}}/{action}", endpoint, ["POST"]))
    return common_admin_routes(own)
