"""The /v2 endpoints: thin HTTP adapters over contacts.py, query.py and lists.py. Auth,
limits, faults and Accept negotiation already happened in gate.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common.gate import media_types
from reconciler.sim.common.routes import by_method
from reconciler.sim.ctct_v2 import contacts, lists
from reconciler.sim.ctct_v2.query import contact_uuid, include_contact_id, list_status, query_contacts
from reconciler.sim.ctct_v2.records import render
from reconciler.sim.ctct_v2.runtime import SimRuntime
from reconciler.sim.ctct_v2.wire import SimError, bad_request

__all__ = ["json_body", "runtime_of", "v2_routes"]


def runtime_of(request: Request) -> SimRuntime:
    runtime: SimRuntime = request.app.state.runtime
    return runtime


async def json_body(request: Request) -> Mapping[str, Any]:
    if media_types(request.headers.get("content-type", ""))[:1] != ["application/json"]:
        raise SimError(415, "http.status.unsupported_media_type", "Unsupported content-type in header.")
    try:
        value = json.loads(await request.body())
    except ValueError as err:
        raise bad_request("json.parse.error", f"Unable to parse the JSON request body: {err}.") from err
    if not isinstance(value, dict):
        raise bad_request("json.type.invalid", "#: Instance type does not match the allowed type (object).")
    return value


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def _contact(runtime: SimRuntime, record: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    with runtime.store.lock:
        statuses = list_status(runtime.store)
    return render(record, statuses, contact_uuid(record["id"]) if include_contact_id(params) else None)


async def list_contacts(request: Request) -> Response:
    runtime = runtime_of(request)
    cfg = runtime.config
    page = query_contacts(
        runtime.store, _params(request), default_limit=cfg.default_page_size, max_limit=cfg.max_page_size
    )
    return JSONResponse(page)


async def create_contact(request: Request) -> Response:
    runtime, params = runtime_of(request), _params(request)
    record = contacts.create(runtime.store, await json_body(request), params)
    return JSONResponse(_contact(runtime, record, params), status_code=201)


async def get_contact(request: Request) -> Response:
    runtime, params = runtime_of(request), _params(request)
    with runtime.store.lock:
        record = contacts.require(runtime.store, request.path_params["contact_id"])
    return JSONResponse(_contact(runtime, record, params))


async def put_contact(request: Request) -> Response:
    runtime, params = runtime_of(request), _params(request)
    body = await json_body(request)
    record = contacts.replace(runtime.store, request.path_params["contact_id"], body, params)
    return JSONResponse(_contact(runtime, record, params))


async def delete_contact(request: Request) -> Response:
    contacts.delete_params(_params(request))
    contacts.opt_out(runtime_of(request).store, request.path_params["contact_id"], by="owner")
    return Response(status_code=204)


async def all_lists(request: Request) -> Response:
    return JSONResponse(lists.all_lists(runtime_of(request).store, _params(request)))


async def create_list(request: Request) -> Response:
    created = lists.create_list(runtime_of(request).store, await json_body(request))
    return JSONResponse(created, status_code=201)


async def get_list(request: Request) -> Response:
    return JSONResponse(lists.get_list(runtime_of(request).store, request.path_params["list_id"]))


async def put_list(request: Request) -> Response:
    store = runtime_of(request).store
    return JSONResponse(lists.update_list(store, request.path_params["list_id"], await json_body(request)))


async def delete_list(request: Request) -> Response:
    lists.delete_list(runtime_of(request).store, request.path_params["list_id"])
    return Response(status_code=204)


async def list_members(request: Request) -> Response:
    runtime, list_id = runtime_of(request), request.path_params["list_id"]
    with runtime.store.lock:
        lists.require_list(runtime.store, list_id)
    cfg = runtime.config
    return JSONResponse(
        query_contacts(
            runtime.store, _params(request), default_limit=cfg.default_page_size, max_limit=cfg.max_page_size,
            path=f"/v2/lists/{list_id}/contacts", list_id=list_id,
        )
    )


def v2_routes() -> list[BaseRoute]:
    return [
        by_method("/v2/contacts", {"GET": list_contacts, "POST": create_contact}),
        by_method(
            "/v2/contacts/{contact_id}", {"GET": get_contact, "PUT": put_contact, "DELETE": delete_contact}
        ),
        by_method("/v2/lists", {"GET": all_lists, "POST": create_list}),
        by_method("/v2/lists/{list_id}", {"GET": get_list, "PUT": put_list, "DELETE": delete_list}),
        by_method("/v2/lists/{list_id}/contacts", {"GET": list_members}),
    ]
