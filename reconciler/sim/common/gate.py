"""The gateway skeleton every simulator puts in front of its API: latency, auth and limits,
injected faults, content negotiation, and the request journal. A pure ASGI middleware so it
can see (and drop) the raw connection and record every answer, including ones it makes
itself. Subclasses supply what differs between APIs through the hooks on `BaseGate`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, Generic, NoReturn, TypeVar

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.sim.common.faults import Fault
from reconciler.sim.common.runtime import BaseRuntime

__all__ = [
    "SERVER_ERRORS",
    "BaseGate",
    "Capture",
    "ConnectionDropped",
    "Dropped",
    "accepts",
    "drop_connection",
    "header",
    "media_types",
]

SERVER_ERRORS: Mapping[int, str] = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_MAX_CAPTURED = 8_192

RuntimeT = TypeVar("RuntimeT", bound=BaseRuntime[Any, Any])


class ConnectionDropped(Exception):
    """Raised where the connection cannot really be cut (in-process test clients), so the
    caller still sees a failure with no response."""


class Dropped(Exception):
    """Unwinds after a real dropped connection; swallowed by BaseGate.__call__."""


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def media_types(value: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in value.split(",") if part.strip()]


def accepts(scope: Scope, acceptable: tuple[str, ...]) -> bool:
    """Whether the Accept header (if any) allows one of `acceptable`."""
    accept = header(scope, b"accept")
    return not accept or any(t in acceptable for t in media_types(accept))


def drop_connection(receive: Receive) -> NoReturn:
    """Cut the connection without a byte of response. Under uvicorn, `receive` is bound to
    the request cycle that owns the socket; marking that cycle disconnected keeps uvicorn from
    answering 500 on our behalf. Anywhere else, raise instead."""
    cycle: Any = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None or not hasattr(cycle, "disconnected"):
        raise ConnectionDropped("simulated dropped connection")
    transport.close()
    cycle.disconnected = True
    raise Dropped


class Capture:
    """Forwards the response (unless `forward` is None) and remembers its status and, for
    4xx answers, the error it carried. `error` reads the v3 error shape; APIs whose error
    bodies differ override it."""

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
    def body(self) -> bytes:
        return bytes(self._body)

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


class BaseGate(Generic[RuntimeT]):
    """Guards the paths under `prefix` (the exact prefix and everything below it; with a
    trailing slash, only what is below). Everything else, the admin API included, passes
    through untouched."""

    prefix: str = ""
    capture_type: type[Capture] = Capture

    def __init__(self, app: ASGIApp, runtime: RuntimeT) -> None:
        self.app = app
        self.runtime = runtime

    def guards(self, path: str) -> bool:
        if self.prefix.endswith("/"):
            return path.startswith(self.prefix)
        return path == self.prefix or path.startswith(self.prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not self.guards(path):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        self.prepare(scope)
        capture = self.capture_type(send)
        fault: Fault | None = None
        try:
            if self.runtime.config.latency > 0:
                await asyncio.sleep(self.runtime.config.latency)
            refusal = self.gatekeep(scope, path, query)
            if refusal is None:
                fault = self.runtime.faults.take(method, path)
                refusal = await self._fault(fault, scope, receive) if fault else None
            if refusal is None:
                refusal = self.negotiate(scope, path)
            await (refusal or self.app)(scope, receive, capture)
        except Dropped:
            pass  # the connection is gone: nothing more to send
        except ConnectionDropped:
            raise
        except Exception:
            # A simulator bug: Starlette answers 500 outside this middleware; log it as such.
            capture.status = capture.status or 500
            raise
        finally:
            self.record(scope, method, path, query, capture, fault)

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive) -> Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if fault.apply_before_drop:
                await self.app(scope, receive, self.capture_type(None))
            drop_connection(receive)
        if fault.status == 429:
            return self.fault_throttled()
        if fault.status is not None:
            return self.fault_server_error(fault.status, SERVER_ERRORS.get(fault.status, "Server Error"))
        return None

    def admit(self, key: str) -> Response | None:
        """Counts the request against `key`'s limits; the refusal if it is over one."""
        refused = self.runtime.limiter.admit(key)
        return None if refused is None else self.limit_refusal(refused)

    # -- hooks -------------------------------------------------------------------------------

    def prepare(self, scope: Scope) -> None:
        """Called before anything else on a guarded request."""

    def gatekeep(self, scope: Scope, path: str, query: str) -> Response | None:
        """Auth and limits: the refusal, or None to let the request on."""
        raise NotImplementedError

    def negotiate(self, scope: Scope, path: str) -> Response | None:
        """Content negotiation after auth and faults: the refusal, or None."""
        return None

    def limit_refusal(self, refused: str) -> Response:
        """The answer to a request over a limit: `refused` is limits.QUOTA_EXCEEDED or
        limits.THROTTLED."""
        raise NotImplementedError

    def fault_throttled(self) -> Response:
        """The answer to an injected 429 fault."""
        raise NotImplementedError

    def fault_server_error(self, status: int, reason: str) -> Response:
        """The answer to an injected 5xx fault."""
        raise NotImplementedError

    def record(
        self, scope: Scope, method: str, path: str, query: str, capture: Capture, fault: Fault | None
    ) -> None:
        self.runtime.journal.record(
            method, path, query, capture.status, fault.label if fault else None, capture.error
        )
