"""The simulator-only admin API under /__sim__/, the same surface as the v3 simulator's. The
endpoints that do not depend on the account's shape (faults, request and refusal logs,
illegal/consent logs, config, quota, save, reset) are the v3 simulator's own; state and the
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
from starlette.routing import BaseRoute, Route

from reconciler.sim.ctct_v1 import self_service
from reconciler.sim.ctct_v1.routes import runtime_of
from reconciler.sim.ctct_v1.store import SimStore
from reconciler.sim.ctct_v3.admin import (
    Endpoint,
    _admin_error,
    _body,
    _problem,
    config,
    consent_log,
    faults,
    illegal_log,
    quota_reset,
    refused_log,
    requests_log,
    reset,
    save,
)
from reconciler.sim.ctct_v3.wire import not_found

__all__ = ["admin_routes"]


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


def _contact_id(store: SimStore, request: Request) -> str:
    if "email" not in request.path_params:
        return str(request.path_params["contact_id"])
    with store.lock:
        record = store.record_by_email(request.path_params["email"])
    if record is None:
        raise not_found(f"No contact has the email {request.path_params['email']}.")
    return str(record["id"])


async def unsubscribe(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _body(request)
    reason = body.get("reason") if isinstance(body, Mapping) else None
    record = self_service.unsubscribe(
        store, _contact_id(store, request), None if reason is None else str(reason)
    )
    return JSONResponse(record)


async def confirm(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _body(request)
    names = body.get("lists", []) if isinstance(body, Mapping) else None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return _problem(400, 'the body may carry {"lists": [list names]}')
    return JSONResponse(self_service.sign_up(store, _contact_id(store, request), names))


async def edit(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _body(request)
    if not isinstance(body, Mapping):
        return _problem(400, 'the body must be an object of v1 element values, e.g. {"FirstName": "Ann"}')
    return JSONResponse(self_service.edit(store, _contact_id(store, request), body))


def admin_routes() -> list[BaseRoute]:
    routes: list[tuple[str, Endpoint, list[str]]] = [
        ("/__sim__/state", state, ["GET", "POST"]),
        ("/__sim__/reset", reset, ["POST"]),
        ("/__sim__/faults", faults, ["GET", "POST", "DELETE"]),
        ("/__sim__/requests", requests_log, ["GET", "DELETE"]),
        ("/__sim__/refused", refused_log, ["GET"]),
        ("/__sim__/illegal", illegal_log, ["GET"]),
        ("/__sim__/consent", consent_log, ["GET"]),
        ("/__sim__/config", config, ["GET", "POST"]),
        ("/__sim__/quota/reset", quota_reset, ["POST"]),
        ("/__sim__/save", save, ["POST"]),
    ]
    for action, endpoint in (("unsubscribe", unsubscribe), ("confirm", confirm), ("edit", edit)):
        routes.append((f"/__sim__/contacts/{{contact_id}}/{action}", endpoint, ["POST"]))
        routes.append((f"/__sim__/contacts/by-email/{{email}}/{action}", endpoint, ["POST"]))
    return [Route(path, _admin_error(endpoint), methods=methods) for path, endpoint, methods in routes]
