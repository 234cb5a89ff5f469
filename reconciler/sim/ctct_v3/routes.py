"""The /v3 endpoints: thin HTTP adapters over contacts.py, query.py and account.py. Auth,
limits, faults and content negotiation already happened in gate.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from reconciler.sim.common.gate import media_types
from reconciler.sim.common.routes import by_method
from reconciler.sim.ctct_v3 import account, contacts, self_service
from reconciler.sim.ctct_v3.query import parse_include, query_contacts
from reconciler.sim.ctct_v3.records import render
from reconciler.sim.ctct_v3.rules import SUBRESOURCES
from reconciler.sim.ctct_v3.runtime import SimRuntime
from reconciler.sim.ctct_v3.wire import SimError, invalid

__all__ = ["json_body", "runtime_of", "v3_routes"]


def runtime_of(request: Request) -> SimRuntime:
    runtime: SimRuntime = request.app.state.runtime
    return runtime


async def json_body(request: Request) -> Mapping[str, Any]:
    if media_types(request.headers.get("content-type", ""))[:1] != ["application/json"]:
        raise SimError(415, "unsupported_media_type", "Content-Type must be application/json.")
    raw = await request.body()
    try:
        value = json.loads(raw)
    except ValueError as err:
        raise invalid(f"The request body is not valid JSON: {err}.") from err
    if not isinstance(value, dict):
        raise invalid("The request body must be a JSON object.")
    return value


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


async def list_contacts(request: Request) -> Response:
    runtime = runtime_of(request)
    return JSONResponse(query_contacts(runtime.store, _params(request), runtime.config.max_page_size))


async def create_contact(request: Request) -> Response:
    record = contacts.create(runtime_of(request).store, await json_body(request))
    return JSONResponse(render(record, SUBRESOURCES), status_code=201)


async def get_contact(request: Request) -> Response:
    store = runtime_of(request).store
    include = parse_include(request.query_params.get("include"))
    with store.lock:
        record = contacts.require(store, request.path_params["contact_id"])
    return JSONResponse(render(record, include))


async def put_contact(request: Request) -> Response:
    store = runtime_of(request).store
    record = contacts.replace(store, request.path_params["contact_id"], await json_body(request))
    return JSONResponse(render(record, SUBRESOURCES))


async def delete_contact(request: Request) -> Response:
    contacts.delete(runtime_of(request).store, request.path_params["contact_id"])
    return Response(status_code=204)


async def sign_up_form(request: Request) -> Response:
    contact_id, action = self_service.sign_up(runtime_of(request).store, await json_body(request))
    return JSONResponse(
        {"contact_id": contact_id, "action": action}, status_code=201 if action == "created" else 200
    )


async def list_lists(request: Request) -> Response:
    return JSONResponse(account.page_lists(runtime_of(request).store, _params(request)))


async def create_list(request: Request) -> Response:
    return JSONResponse(
        account.create_list(runtime_of(request).store, await json_body(request)), status_code=201
    )


async def get_list(request: Request) -> Response:
    store = runtime_of(request).store
    return JSONResponse(account.get_list(store, request.path_params["list_id"], _params(request)))


async def put_list(request: Request) -> Response:
    store = runtime_of(request).store
    return JSONResponse(account.update_list(store, request.path_params["list_id"], await json_body(request)))


async def delete_list(request: Request) -> Response:
    activity = account.delete_list(runtime_of(request).store, request.path_params["list_id"])
    return JSONResponse(activity, status_code=202, headers={"Location": activity["_links"]["self"]["href"]})


async def list_fields(request: Request) -> Response:
    return JSONResponse(account.page_fields(runtime_of(request).store, _params(request)))


async def create_field(request: Request) -> Response:
    return JSONResponse(
        account.create_field(runtime_of(request).store, await json_body(request)), status_code=201
    )


async def get_field(request: Request) -> Response:
    return JSONResponse(account.get_field(runtime_of(request).store, request.path_params["custom_field_id"]))


async def put_field(request: Request) -> Response:
    store = runtime_of(request).store
    field_id = request.path_params["custom_field_id"]
    return JSONResponse(account.update_field(store, field_id, await json_body(request)))


async def delete_field(request: Request) -> Response:
    account.delete_field(runtime_of(request).store, request.path_params["custom_field_id"])
    return Response(status_code=204)


def v3_routes() -> list[BaseRoute]:
    return [
        by_method("/v3/contacts", {"GET": list_contacts, "POST": create_contact}),
        # Before /contacts/{contact_id}, which would otherwise take "sign_up_form" as an id.
        by_method("/v3/contacts/sign_up_form", {"POST": sign_up_form}),
        by_method(
            "/v3/contacts/{contact_id}", {"GET": get_contact, "PUT": put_contact, "DELETE": delete_contact}
        ),
        by_method("/v3/contact_lists", {"GET": list_lists, "POST": create_list}),
        by_method("/v3/contact_lists/{list_id}", {"GET": get_list, "PUT": put_list, "DELETE": delete_list}),
        by_method("/v3/contact_custom_fields", {"GET": list_fields, "POST": create_field}),
        by_method(
            "/v3/contact_custom_fields/{custom_field_id}",
            {"GET": get_field, "PUT": put_field, "DELETE": delete_field},
        ),
    ]
