"""The /ws/customers/{username}/ endpoints: thin HTTP adapters over contacts.py, lists.py and
query.py. Auth, limits and faults already happened in gate.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from reconciler.providers.ctct_v1.atom import MEDIA_TYPE
from reconciler.sim.common.gate import media_types
from reconciler.sim.common.routes import Endpoint, by_method
from reconciler.sim.ctct_v1 import contacts, lists
from reconciler.sim.ctct_v1.query import contacts_feed, lists_feed, member_count, members_feed
from reconciler.sim.ctct_v1.runtime import SimRuntime
from reconciler.sim.ctct_v1.wire import (
    atom_response,
    contact_entry,
    contact_uri,
    list_entry,
    service_document,
)
from reconciler.sim.ctct_v3.wire import SimError

__all__ = ["runtime_of", "v1_routes"]


def runtime_of(request: Request) -> SimRuntime:
    runtime: SimRuntime = request.app.state.runtime
    return runtime


async def atom_body(request: Request) -> bytes:
    if media_types(request.headers.get("content-type", ""))[:1] != [MEDIA_TYPE]:
        raise SimError(415, "unsupported_media_type", f"Content-Type must be {MEDIA_TYPE}.")
    return await request.body()


def _params(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        out.setdefault(key, []).append(value)
    return out


def _user(request: Request) -> str:
    return runtime_of(request).config.username


async def service(request: Request) -> Response:
    return atom_response(service_document(_user(request), ("contacts", "lists", "activities", "campaigns")))


async def list_contacts(request: Request) -> Response:
    runtime = runtime_of(request)
    feed = contacts_feed(runtime.store, _user(request), _params(request), runtime.config.max_page_size)
    return atom_response(feed)


async def create_contact(request: Request) -> Response:
    record = contacts.create(runtime_of(request).store, _user(request), await atom_body(request))
    location = contact_uri(_user(request), record["id"])
    return atom_response(contact_entry(record, _user(request), full=True), 201, {"Location": location})


async def get_contact(request: Request) -> Response:
    store = runtime_of(request).store
    with store.lock:
        record = contacts.require(store, request.path_params["contact_id"])
    return atom_response(contact_entry(record, _user(request), full=True))


async def put_contact(request: Request) -> Response:
    store = runtime_of(request).store
    contacts.replace(store, _user(request), request.path_params["contact_id"], await atom_body(request))
    return Response(status_code=204)  # "Updated (Success)"


async def delete_contact(request: Request) -> Response:
    contacts.opt_out(runtime_of(request).store, request.path_params["contact_id"])
    return Response(status_code=204)


async def get_lists(request: Request) -> Response:
    runtime = runtime_of(request)
    return atom_response(
        lists_feed(runtime.store, _user(request), _params(request), runtime.config.max_page_size)
    )


async def create_list(request: Request) -> Response:
    store = runtime_of(request).store
    item = lists.create_list(store, await atom_body(request))
    return atom_response(list_entry(item, _user(request), 0), 201)


async def get_list(request: Request) -> Response:
    store = runtime_of(request).store
    item = lists.get_list(store, request.path_params["list_id"])
    with store.lock:
        members = member_count(store, item["id"])
    return atom_response(list_entry(item, _user(request), members))


async def put_list(request: Request) -> Response:
    lists.update_list(runtime_of(request).store, request.path_params["list_id"], await atom_body(request))
    return Response(status_code=204)


async def delete_list(request: Request) -> Response:
    lists.delete_list(runtime_of(request).store, request.path_params["list_id"])
    return Response(status_code=204)


async def get_members(request: Request) -> Response:
    runtime = runtime_of(request)
    feed = members_feed(
        runtime.store,
        _user(request),
        request.path_params["list_id"],
        _params(request),
        runtime.config.max_page_size,
    )
    return atom_response(feed)


def _by_method(path: str, handlers: dict[str, Endpoint]) -> Route:
    return by_method("/ws/customers/{username}" + path, handlers)


def v1_routes() -> list[BaseRoute]:
    return [
        _by_method("", {"GET": service}),
        _by_method("/", {"GET": service}),
        _by_method("/contacts", {"GET": list_contacts, "POST": create_contact}),
        _by_method(
            "/contacts/{contact_id}", {"GET": get_contact, "PUT": put_contact, "DELETE": delete_contact}
        ),
        _by_method("/lists", {"GET": get_lists, "POST": create_list}),
        _by_method("/lists/{list_id}", {"GET": get_list, "PUT": put_list, "DELETE": delete_list}),
        _by_method("/lists/{list_id}/members", {"GET": get_members}),
    ]
