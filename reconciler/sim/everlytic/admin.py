"""The simulator-only admin API under /__sim__/ (no auth, no limits: the gate guards only
/api/2.0). The same paths and bodies as the other simulators'; the generic ones are
common.admin's, which only need the runtime's config, limiter, faults, journal and logs.

  GET|POST /__sim__/state             the state JSON / replace all state with the body
  POST /__sim__/reset                 clear state, logs, faults and counters
  POST /__sim__/contacts/by-email/{email}/unsubscribe   the contact's own opt-out
                                      ({"list": name} for one list, {"reason"} optional)
  POST /__sim__/contacts/by-email/{email}/confirm       the contact opts back in themselves
  POST /__sim__/contacts/by-email/{email}/edit          the contact edits their own profile
  GET|POST|DELETE /__sim__/faults     pending faults / add one / clear all
  GET|DELETE /__sim__/requests        every API request, with the body it carried / clear
  GET  /__sim__/refused               every request refused with a 4xx or an XML-RPC fault
  GET  /__sim__/illegal               every refused opt-in attempt by the account
  GET  /__sim__/consent               the contacts' own opt-ins
  GET|POST /__sim__/config            limits; POST any of rate_per_second, daily_quota, latency
  POST /__sim__/quota/reset           reset today's request count
  POST /__sim__/save                  write the state file the app was created with
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common import admin as common
from reconciler.sim.everlytic import self_service
from reconciler.sim.everlytic.store import SimStore

__all__ = ["admin_routes"]


def _store(request: Request) -> SimStore:
    store: SimStore = request.app.state.runtime.store
    return store


def _counts(store: SimStore) -> dict[str, int]:
    return {
        "lists": len(store.lists),
        "contacts": len(store.contacts),
        "subscriptions": sum(len(s) for s in store.subscriptions.values()),
    }


state = common.state_endpoint(_counts)


def _text(body: Any, key: str) -> str | None:
    value = body.get(key) if isinstance(body, Mapping) else None
    return None if value is None else str(value)


async def unsubscribe(request: Request) -> Response:
    body = await common.read_body(request)
    email = request.path_params["email"]
    return JSONResponse(
        self_service.unsubscribe(_store(request), email, _text(body, "list"), _text(body, "reason"))
    )


async def confirm(request: Request) -> Response:
    return JSONResponse(self_service.confirm(_store(request), request.path_params["email"]))


async def edit(request: Request) -> Response:
    body = await common.read_body(request)
    if not isinstance(body, Mapping):
        return common.problem(400, "the body must be an object of contact properties")
    return JSONResponse(self_service.edit(_store(request), request.path_params["email"], body))


def admin_routes() -> list[BaseRoute]:
    own: list[common.AdminRoute] = [("/__sim__/state", state, ["GET", "POST"])]
    for action, endpoint in (("unsubscribe", unsubscribe), ("confirm", confirm), ("edit", edit)):
        own.append((f"/__sim__/contacts/by-email/{{email}}/{action}", endpoint, ["POST"]))
    return common.admin_routes(own)
