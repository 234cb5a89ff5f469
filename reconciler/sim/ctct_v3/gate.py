"""The API gateway in front of /v3: latency, bearer auth, rate limits, injected faults,
content negotiation, and the request journal. A pure ASGI middleware so it can see (and
drop) the raw connection and record every answer, including ones it makes itself."""

from __future__ import annotations

import asyncio
import json
from typing import Any, NoReturn

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.sim.ctct_v3.faults import Fault
from reconciler.sim.ctct_v3.limits import QUOTA_EXCEEDED
from reconciler.sim.ctct_v3.runtime import SimRuntime
from reconciler.sim.ctct_v3.wire import error_response, single_error_response

__all__ = ["ConnectionDropped", "V3Gate", "media_types"]

_SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_ACCEPTABLE = ("application/json", "application/*", "*/*")
_MAX_CAPTURED = 8_192


class ConnectionDropped(Exception):
    """Raised where the connection cannot really be cut (in-process test clients), so the
    caller still sees a failure with no response."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def media_types(value: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in value.split(",") if part.strip()]


class _Dropped(Exception):
    """Internal: unwinds after a real dropped connection; swallowed by V3Gate.__call__."""


class _Capture:
    """Forwards the response (unless `forward` is None) and remembers its status and, for
    4xx answers, the error it carried."""

    def __init__(self, forward: Send | None) -> None:
        self.forward = forward
        self.status: int | None = None
        self._body = bytearray()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
        elif message["type"] == "http.response.body" and self.status is not None and 400 <= self.status < 500:
            self._body += bytes(message.get("body", b""))[: _MAX_CAPTURED - len(self._body)]
        if self.forward is not None:
            await self.forward(message)

    @property
    def error(self) -> tuple[str | None, str | None] | None:
        if not self._body:
            return None
        try:
            payload: Any = json.loads(bytes(self._body))
        except ValueError:
            return None, self._body.decode("utf-8", "replace")
        first = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(first, dict):
            return first.get("error_key"), first.get("error_message")
        return None, None


class V3Gate:
    def __init__(self, app: ASGIApp, runtime: SimRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/v3" or path.startswith("/v3/")):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        capture = _Capture(send)
        fault: Fault | None = None
        try:
            if self.runtime.config.latency > 0:
                await asyncio.sleep(self.runtime.config.latency)
            refusal = self._gatekeep(scope)
            if refusal is None:
                fault = self.runtime.faults.take(method, path)
                refusal = await self._fault(fault, scope, receive) if fault else None
            if refusal is None:
                refusal = self._negotiate(scope)
            if refusal is not None:
                await refusal(scope, receive, capture)
            else:
                await self.app(scope, receive, capture)
        except _Dropped:
            pass  # the connection is gone: nothing more to send
        except ConnectionDropped:
            raise
        except Exception:
            # A simulator bug: Starlette answers 500 outside this middleware; log it as such.
            capture.status = capture.status or 500
            raise
        finally:
            query = bytes(scope.get("query_string", b"")).decode("latin-1")
            self.runtime.journal.record(
                method, path, query, capture.status, fault.label if fault else None, capture.error
            )

    def _gatekeep(self, scope: Scope) -> Response | None:
        config = self.runtime.config
        if _header(scope, b"authorization") != f"Bearer {config.token}":
            return single_error_response(
                401, "unauthorized", "Unauthorized", headers={"WWW-Authenticate": "Bearer realm=api.cc.email"}
            )
        refused = self.runtime.limiter.admit(config.token)
        if refused == QUOTA_EXCEEDED:
            return single_error_response(429, QUOTA_EXCEEDED, "Limit Exceeded")
        if refused is not None:
            return single_error_response(429, refused, "Too Many Requests")
        return None

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive) -> Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if fault.apply_before_drop:
                await self.app(scope, receive, _Capture(None))
            self._drop(receive)
        if fault.status == 429:
            return single_error_response(429, "throttled", "Too Many Requests")
        if fault.status is not None:
            return error_response(
                fault.status, "server_error", _SERVER_ERRORS.get(fault.status, "Server Error")
            )
        return None

    @staticmethod
    def _drop(receive: Receive) -> NoReturn:
        """Cut the connection without a byte of response. Under uvicorn, `receive` is bound
        to the request cycle that owns the socket; marking that cycle disconnected keeps
        uvicorn from answering 500 on our behalf. Anywhere else, raise instead."""
        cycle: Any = getattr(receive, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if cycle is None or transport is None or not hasattr(cycle, "disconnected"):
            raise ConnectionDropped("simulated dropped connection")
        transport.close()
        cycle.disconnected = True
        raise _Dropped

    @staticmethod
    def _negotiate(scope: Scope) -> Response | None:
        # Content-Type (415) is checked where a body is read (routes.json_body), so that a
        # wrong method or path still gets its 405/404 first.
        accept = _header(scope, b"accept")
        if accept and not any(t in _ACCEPTABLE for t in media_types(accept)):
            return error_response(406, "not_acceptable", "The Accept header must allow application/json.")
        return None
