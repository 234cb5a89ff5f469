"""Wire conventions of Everlytic API 2.0 shared by both simulated front-ends: the error
object, the item/collection envelopes with their `links`, page parameters and unix times."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

__all__ = [
    "PREFIX",
    "XMLRPC_PATH",
    "EvError",
    "collection_response",
    "conflict",
    "error_response",
    "invalid",
    "item_response",
    "not_found",
    "page_params",
]

PREFIX = "/api/2.0"
XMLRPC_PATH = f"{PREFIX}/xmlrpc/"
DEFAULT_PAGE_SIZE = 20  # the real default is undocumented; clients should always send count


class EvError(Exception):
    """A request the simulated API refuses. REST renders it as {"error": {"message"}} with
    `status`; XML-RPC as a fault whose faultCode is that same status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def invalid(message: str) -> EvError:
    return EvError(400, message)


def not_found(message: str) -> EvError:
    return EvError(404, message)


def conflict(message: str) -> EvError:
    return EvError(409, message)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=status, headers=headers)


def _int_param(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool):
        raise invalid(f"{name} must be an integer >= {minimum}.")
    try:
        number = int(value)
    except (TypeError, ValueError) as err:
        raise invalid(f"{name} must be an integer >= {minimum}.") from err
    if number < minimum:
        raise invalid(f"{name} must be an integer >= {minimum}.")
    return number


def page_params(page: Any, count: Any, max_count: int) -> tuple[int, int]:
    """Validated (page, count). Asking for more than the maximum is refused rather than quietly
    clamped, so a client that assumes a bigger page than the server gives is caught here."""
    number = _int_param(1 if page is None else page, "page", 1)
    size = _int_param(DEFAULT_PAGE_SIZE if count is None else count, "count", 1)
    if size > max_count:
        raise invalid(f"count must be at most {max_count}.")
    return number, size


def _link(rel: str, href: str) -> dict[str, str]:
    return {"title": rel, "rel": rel, "href": href}


def item_response(request: Request, item: Any, status: int = 200) -> JSONResponse:
    return JSONResponse({"links": [_link("self", str(request.url))], "item": item}, status_code=status)


def collection_response(
    request: Request, items: Sequence[Mapping[str, Any]], page: int, count: int, more: bool
) -> JSONResponse:
    """Links are absolute, as in the documented example; `next` appears only when another
    page exists, which is how clients know they are done."""
    links = [_link("self", str(request.url))]
    if page > 1:
        links.append(_link("prev", str(request.url.include_query_params(page=page - 1, count=count))))
    if more:
        links.append(_link("next", str(request.url.include_query_params(page=page + 1, count=count))))
    return JSONResponse({"links": links, "collection": [{"data": dict(item)} for item in items]})
