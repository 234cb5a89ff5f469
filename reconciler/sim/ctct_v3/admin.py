"""The simulator-only admin API under /__sim__/: seeding and inspecting state, playing the
contact's side, injecting faults, changing limits, and reading the logs. No auth and no
rate limits: gate.py only guards /v3.

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

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from reconciler.sim.ctct_v3 import self_service
from reconciler.sim.ctct_v3.records import render
from reconciler.sim.ctct_v3.routes import runtime_of
from reconciler.sim.ctct_v3.rules import SUBRESOURCES
from reconciler.sim.ctct_v3.store import SimStore
from reconciler.sim.ctct_v3.wire import not_found

__all__ = ["admin_routes"]


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
        counts = {
            "lists": len(store.lists),
            "custom_fields": len(store.fields),
            "contacts": len(store.records),
        }
    return JSONResponse(counts)


async def reset(request: Request) -> Response:
    runtime_of(request).reset()
    return JSONResponse({"reset": True})


def _contact_id(store: SimStore, request: Request) -> str:
    if "email" in request.path_params:
        with store.lock:
            record = store.record_by_email(request.path_params["email"])
        if record is None:
            raise not_found(f"No contact has the email {request.path_params['email']}.")
        return str(record["contact_id"])
    return str(request.path_params["contact_id"])


async def unsubscribe(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _body(request)
    reason = body.get("reason") if isinstance(body, Mapping) else None
    record = self_service.unsubscribe(
        store, _contact_id(store, request), str(reason) if reason is not None else None
    )
    return JSONResponse(render(record, SUBRESOURCES))


async def confirm(request: Request) -> Response:
    store = runtime_of(request).store
    return JSONResponse(render(self_service.confirm(store, _contact_id(store, request)), SUBRESOURCES))


async def edit(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _body(request)
    if not isinstance(body, Mapping):
        return _problem(400, "the body must be a partial v3 contact object")
    return JSONResponse(render(self_service.edit(store, _contact_id(store, request), body), SUBRESOURCES))


async def faults(request: Request) -> Response:
    plan = runtime_of(request).faults
    if request.method == "DELETE":
        plan.clear()
        return JSONResponse({"cleared": True})
    if request.method == "POST":
        spec = await _body(request)
        try:
            if not isinstance(spec, Mapping):
                raise ValueError("the body must be a fault object")
            created = plan.add(spec)
        except ValueError as err:
            return _problem(400, str(err))
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


_TUNABLE = {"rate_per_second": float, "daily_quota": int, "latency": float}


async def config(request: Request) -> Response:
    runtime = runtime_of(request)
    if request.method == "POST":
        changes = await _body(request)
        if not isinstance(changes, Mapping) or set(changes) - set(_TUNABLE):
            return _problem(400, f"only {sorted(_TUNABLE)} can be changed")
        for key, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                return _problem(400, f"{key} must be a non-negative number")
        for key, value in changes.items():
            setattr(runtime.config, key, _TUNABLE[key](value))
    cfg = runtime.config
    return JSONResponse(
        {
            "rate_per_second": cfg.rate_per_second,
            "daily_quota": cfg.daily_quota,
            "latency": cfg.latency,
            "max_page_size": cfg.max_page_size,
            "used_today": runtime.limiter.used_today(cfg.token),
        }
    )


async def quota_reset(request: Request) -> Response:
    runtime_of(request).limiter.reset_quota()
    return JSONResponse({"reset": True})


async def save(request: Request) -> Response:
    runtime = runtime_of(request)
    if runtime.state_path is None:
        return _problem(409, "the simulator was started without a state file")
    runtime.store.save(runtime.state_path)
    return JSONResponse({"saved": str(runtime.state_path)})


Endpoint = Callable[[Request], Awaitable[Response]]


def _admin_error(endpoint: Endpoint) -> Endpoint:
    """A malformed admin body is the caller's mistake, not a server error."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except json.JSONDecodeError as err:
            return _problem(400, f"the body is not valid JSON: {err}")

    return guarded


def admin_routes() -> list[BaseRoute]:
    routes: list[tuple[str, Endpoint, list[str]]] = [
        ("/__sim__/state", state, ["GET", "POST"]),
        ("/__sim__/reset", reset, ["POST"]),
        ("/__sim__/contacts/{contact_id}/unsubscribe", unsubscribe, ["POST"]),
        ("/__sim__/contacts/{contact_id}/confirm", confirm, ["POST"]),
        ("/__sim__/contacts/{contact_id}/edit", edit, ["POST"]),
        ("/__sim__/contacts/by-email/{email}/unsubscribe", unsubscribe, ["POST"]),
        ("/__sim__/contacts/by-email/{email}/confirm", confirm, ["POST"]),
        ("/__sim__/contacts/by-email/{email}/edit", edit, ["POST"]),
        ("/__sim__/faults", faults, ["GET", "POST", "DELETE"]),
        ("/__sim__/requests", requests_log, ["GET", "DELETE"]),
        ("/__sim__/refused", refused_log, ["GET"]),
        ("/__sim__/illegal", illegal_log, ["GET"]),
        ("/__sim__/consent", consent_log, ["GET"]),
        ("/__sim__/config", config, ["GET", "POST"]),
        ("/__sim__/quota/reset", quota_reset, ["POST"]),
        ("/__sim__/save", save, ["POST"]),
    ]
    return [Route(path, _admin_error(endpoint), methods=methods) for path, endpoint, methods in routes]
