"""The REST front-end, /api/2.0 (everlytic §4.2): thin adapters over contacts.py and
subscriptions.py. Auth, limits, faults and Accept already happened in gate.py."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common.app import assemble
from reconciler.sim.common.routes import by_method
from reconciler.sim.ctct_v3 import routes as v3_routes
from reconciler.sim.ctct_v3.wire import SimError
from reconciler.sim.everlytic import contacts, subscriptions
from reconciler.sim.everlytic.admin import admin_routes
from reconciler.sim.everlytic.gate import EverlyticGate
from reconciler.sim.everlytic.runtime import SimConfig, SimRuntime
from reconciler.sim.everlytic.store import SimStore
from reconciler.sim.everlytic.wire import (
    PREFIX,
    EvError,
    collection_response,
    error_response,
    item_response,
    page_params,
)

__all__ = ["create_app", "runtime_of"]


def runtime_of(request: Request) -> SimRuntime:
    runtime: SimRuntime = request.app.state.runtime
    return runtime


async def _json_body(request: Request) -> Mapping[str, Any]:
    value = await v3_routes.json_body(request)  # 415 / 400 as v3 words them
    request.scope.setdefault("sim", {})["body"] = value  # for the journal
    return value


def _page(request: Request) -> tuple[int, int]:
    q = request.query_params
    return page_params(q.get("page"), q.get("count"), runtime_of(request).config.max_page_size)


async def list_contacts(request: Request) -> Response:
    number, count = _page(request)
    items, more = contacts.page(runtime_of(request).store, number, count, dict(request.query_params))
    return collection_response(request, items, number, count, more)


async def create_contact(request: Request) -> Response:
    record, _created = contacts.create(runtime_of(request).store, await _json_body(request), "REST")
    return item_response(request, record, status=201)  # 201 for an on_duplicate update as well


async def get_contact(request: Request) -> Response:
    return item_response(request, contacts.get(runtime_of(request).store, request.path_params["id"]))


async def put_contact(request: Request) -> Response:
    store = runtime_of(request).store
    body = await _json_body(request)
    return item_response(request, contacts.update(store, request.path_params["id"], body, "REST"))


async def delete_contact(request: Request) -> Response:
    return item_response(request, contacts.delete(runtime_of(request).store, request.path_params["id"]))


async def list_lists(request: Request) -> Response:
    number, count = _page(request)
    items, more = subscriptions.page_lists(runtime_of(request).store, number, count)
    return collection_response(request, items, number, count, more)


async def create_list(request: Request) -> Response:
    record = subscriptions.create_list(runtime_of(request).store, await _json_body(request))
    return item_response(request, record, status=201)


async def get_list(request: Request) -> Response:
    return item_response(
        request, subscriptions.get_list(runtime_of(request).store, request.path_params["id"])
    )


async def list_subscriptions(request: Request) -> Response:
    number, count = _page(request)
    store = runtime_of(request).store
    items, more = subscriptions.page_subscriptions(store, request.path_params["id"], number, count)
    return collection_response(request, items, number, count, more)


async def write_subscription(request: Request) -> Response:
    store = runtime_of(request).store
    result = subscriptions.write(store, request.path_params["id"], await _json_body(request), "REST")
    return JSONResponse({"boolean": result})


def rest_routes() -> list[BaseRoute]:
    return [
        by_method(f"{PREFIX}/contacts", {"GET": list_contacts, "POST": create_contact}),
        by_method(
            f"{PREFIX}/contacts/{{id}}", {"GET": get_contact, "PUT": put_contact, "DELETE": delete_contact}
        ),
        by_method(f"{PREFIX}/lists", {"GET": list_lists, "POST": create_list}),
        by_method(f"{PREFIX}/lists/{{id}}", {"GET": get_list}),
        by_method(
            f"{PREFIX}/list_subscriptions/{{id}}", {"GET": list_subscriptions, "POST": write_subscription}
        ),
    ]


async def _ev_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EvError | SimError)
    return error_response(exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Router 404/405s, in the API's error shape."""
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def build_app(
    routes: list[BaseRoute], config: SimConfig, store: SimStore, state_path: Path | None
) -> Starlette:
    runtime = SimRuntime(config=config, store=store, state_path=state_path)
    handlers = {EvError: _ev_error, SimError: _ev_error, HTTPException: _http_error}
    return assemble(runtime, [*routes, *admin_routes()], EverlyticGate, handlers)


def create_app(config: SimConfig, store: SimStore, state_path: Path | None = None) -> Starlette:
    """The REST API under /api/2.0 plus /__sim__/. `state_path` is where POST /__sim__/save
    writes. Give the XML-RPC app the same `store` to serve one account through both."""
    return build_app(rest_routes(), config, store, state_path)
