"""The XML-RPC front-end, POST /api/2.0/xmlrpc/ (everlytic §4.9): the 2.0 methods over the
same operations (and the same store) as REST. Requests are parsed with defusedxml, DTDs
forbidden. API errors come back as XML-RPC faults whose faultCode is the HTTP status REST
would have used; malformed calls get the conventional -32700/-32601/-32602 codes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reconciler.providers.everlytic.codec import XmlRpcDecodeError, dumps_fault, dumps_result, loads
from reconciler.sim.common.gate import media_types
from reconciler.sim.everlytic import contacts, subscriptions
from reconciler.sim.everlytic.rest import build_app, runtime_of
from reconciler.sim.everlytic.runtime import SimConfig, SimRuntime
from reconciler.sim.everlytic.store import SimStore, public
from reconciler.sim.everlytic.wire import XMLRPC_PATH, EvError, not_found, page_params

__all__ = ["METHODS", "create_xmlrpc_app"]

PARSE_ERROR, NO_SUCH_METHOD, BAD_PARAMS = -32700, -32601, -32602
_MAX_REQUEST = 1024 * 1024
_XML = "text/xml"

Handler = Callable[..., Any]


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_KINDS: Mapping[str, Callable[[Any], bool]] = {
    "int": _int,
    "string": lambda v: isinstance(v, str),
    "struct": lambda v: isinstance(v, dict),
    "id": lambda v: _int(v) or isinstance(v, str),
}


def _page(rt: SimRuntime, page: int, count: int) -> tuple[int, int]:
    return page_params(page, count, rt.config.max_page_size)


def _create_contact(rt: SimRuntime, props: dict[str, Any]) -> int:
    record, _created = contacts.create(rt.store, props, "XML-RPC")
    return int(record["id"])


def _update_contact(rt: SimRuntime, contact_id: Any, props: dict[str, Any]) -> int:
    return int(contacts.update(rt.store, contact_id, props, "XML-RPC")["id"])


def _list_contacts(
    rt: SimRuntime, page: int, count: int, order: str, direction: str, filters: dict[str, Any]
) -> list[dict[str, Any]]:
    number, size = _page(rt, page, count)
    return contacts.page(rt.store, number, size, filters, order or "id", direction or "asc")[0]


def _list_lists(
    rt: SimRuntime, page: int, count: int, order: str, direction: str, filters: dict[str, Any]
) -> list[dict[str, Any]]:
    return subscriptions.page_lists(rt.store, *_page(rt, page, count))[0]


def _create_list(rt: SimRuntime, props: dict[str, Any]) -> int:
    return int(subscriptions.create_list(rt.store, props)["id"])


def _write_subscription(rt: SimRuntime, list_id: int, props: dict[str, Any]) -> bool:
    return subscriptions.write(rt.store, list_id, props, "XML-RPC")


def _get_subscription(rt: SimRuntime, list_id: int, contact_id: int) -> dict[str, Any]:
    with rt.store.lock:
        subs = rt.store.subscriptions[subscriptions.require_list(rt.store, list_id)["id"]]
        if contact_id not in subs:
            raise not_found(f"Contact {contact_id} has no subscription to list {list_id}.")
        return public(subs[contact_id])


def _list_subscriptions(
    rt: SimRuntime, list_id: int, page: int, count: int, order: str, direction: str, filters: dict[str, Any]
) -> list[dict[str, Any]]:
    return subscriptions.page_subscriptions(rt.store, list_id, *_page(rt, page, count))[0]


_PAGING = ("int", "int", "string", "string", "struct")
METHODS: Mapping[str, tuple[Handler, tuple[str, ...]]] = {
    "contacts.CreateContact": (_create_contact, ("struct",)),
    "contacts.UpdateContact": (_update_contact, ("id", "struct")),
    "contacts.GetContact": (lambda rt, ref: contacts.get(rt.store, ref), ("id",)),
    "contacts.ListContacts": (_list_contacts, _PAGING),
    "lists.ListLists": (_list_lists, _PAGING),
    "lists.GetList": (lambda rt, ref: subscriptions.get_list(rt.store, ref), ("int",)),
    "lists.CreateList": (_create_list, ("struct",)),
    "list._subscriptions.ListSubscription": (_write_subscription, ("int", "struct")),
    "list._subscriptions.CreateListSubscription": (_write_subscription, ("int", "struct")),
    "list._subscriptions.GetListSubscription": (_get_subscription, ("int", "int")),
    "list._subscriptions.ListSubscriptions": (_list_subscriptions, ("int", *_PAGING)),
}
_INTROSPECTION = ("system.listMethods", "system.methodSignature")


def _introspect(name: str, params: tuple[Any, ...]) -> Any:
    if name == "system.listMethods":
        return sorted([*METHODS, *_INTROSPECTION])
    if not params or params[0] not in METHODS:
        raise EvError(NO_SUCH_METHOD, "Unknown method.")
    return [["any", *METHODS[params[0]][1]]]


def _call(rt: SimRuntime, name: str, params: tuple[Any, ...]) -> Any:
    if name in _INTROSPECTION:
        return _introspect(name, params)
    if name not in METHODS:
        raise EvError(NO_SUCH_METHOD, f"Method {name} does not exist.")
    handler, kinds = METHODS[name]
    if len(params) != len(kinds) or not all(_KINDS[k](p) for k, p in zip(kinds, params, strict=True)):
        raise EvError(BAD_PARAMS, f"{name} takes ({', '.join(kinds)}).")
    return handler(rt, *params)


def _xml(body: bytes) -> Response:
    return Response(body, media_type=_XML)


async def endpoint(request: Request) -> Response:
    holder = request.scope.setdefault("sim", {})
    if media_types(request.headers.get("content-type", ""))[:1] != [_XML]:
        return Response(b"Content-Type must be text/xml.", status_code=415, media_type="text/plain")
    raw = await request.body()
    try:
        if len(raw) > _MAX_REQUEST:
            raise XmlRpcDecodeError("the request is too large")
        params, name = loads(raw)
        if not name:
            raise XmlRpcDecodeError("the document is not a methodCall")
        holder["body"] = {"method": name, "params": list(params)}
        result = _call(runtime_of(request), name, params)
    except XmlRpcDecodeError as err:
        holder["rpc_fault"] = (PARSE_ERROR, str(err))
        return _xml(dumps_fault(PARSE_ERROR, f"Parse error: {err}"))
    except EvError as err:
        holder["rpc_fault"] = (err.status, err.message)
        return _xml(dumps_fault(err.status, err.message))
    return _xml(dumps_result(result))


def create_xmlrpc_app(config: SimConfig, store: SimStore, state_path: Path | None = None) -> Starlette:
    """The XML-RPC API at /api/2.0/xmlrpc/ plus /__sim__/, over `store` (which a REST app
    from `create_app` may share)."""
    return build_app([Route(XMLRPC_PATH, endpoint, methods=["POST"])], config, store, state_path)
