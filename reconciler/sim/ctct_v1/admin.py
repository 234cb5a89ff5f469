"""The simulator-only admin API under /__sim__/, the same surface as the v3 simulator's. The
endpoints that do not depend on the account's shape (faults, request and refusal logs,
illegal/consent logs, config, quota, save, reset) are common.admin's; state and the
contact's own actions are v1's:

  GET|POST /__sim__/state                              the state file JSON / replace it
  POST /__sim__/contacts/{id}/unsubscribe              the contact opts out ({"reason"} optional)
  POST /__sim__/contacts/{id}/confirm                  the contact opts in themselves ({"lists": [names]})
  POST /__sim__/contacts/{id}/edit                     the contact edits their details ({"FirstName": ...})
  POST /__sim__/contacts/by-email/{email}/{unsubscribe|confirm|edit}   the same, by email
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common import admin as common
from reconciler.sim.ctct_v1 import self_service
from reconciler.sim.ctct_v1.routes import runtime_of
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v3.wire import not_found

__all__ = ["admin_routes"]


def _counts(store: SimStore) -> dict[str, int]:
    return {"lists": len(store.lists), "contacts": len(store.records)}


state = common.state_endpoint(_counts)


def _contact_id(request: Request) -> str:
    return common.contact_id(request, "id", not_found)


async def unsubscribe(request: Request) -> Response:
    store = runtime_of(request).store
    body = await common.read_body(request)
    reason = body.get("reason") if isinstance(body, Mapping) else None
    record = self_service.unsubscribe(store, _contact_id(request), None if reason is None else str(reason))
    return JSONResponse(record)


async def confirm(request: Request) -> Response:
    store = runtime_of(request).store
    body = await common.read_body(request)
    names = body.get("lists", []) if isinstance(body, Mapping) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return common.problem(400, 'the body may carry {"lists": [list names]}')
    return JSONResponse(self_service.sign_up(store, _contact_id(request), names))


async def edit(request: Request) -> Response:
    store = runtime_of(request).store
    body = await common.read_body(request)
    if not isinstance(body, Mapping):
        message = 'the body must be an object of v1 element values, e.g. {"FirstName": "Ann"}'
        return common.problem(400, message)
    return JSONResponse(self_service.edit(store, _contact_id(request), body))


def admin_routes() -> list[BaseRoute]:
    own: list[common.AdminRoute] = [("/__sim__/state", state, ["GET", "POST"])]
    for action, endpoint in (("unsubscribe", unsubscribe), ("confirm", confirm), ("edit", edit)):
        own.append((f"/__sim__/contacts/{{contact_id}}/{action}", endpoint, ["POST"]))
        own.append((f"/__sim__/contacts/by-email/{{email}}/{action}", endpoint, ["POST"]))
    return common.admin_routes(own)
