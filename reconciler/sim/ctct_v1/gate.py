"""The gateway in front of /ws/customers/: latency, HTTP Basic auth (and the username in the
URI), rate limits, injected faults, and the request journal. Like the v3 gate it is a pure
ASGI middleware, so it can drop the raw connection and journal answers it makes itself; the
capture and connection-dropping machinery is the v3 gate's."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reconciler.sim.ctct_v1.runtime import SimRuntime
from reconciler.sim.ctct_v1.wire import text_error
from reconciler.sim.ctct_v3.faults import Fault
from reconciler.sim.ctct_v3.gate import ConnectionDropped, V3Gate, _Capture, _Dropped
from reconciler.sim.ctct_v3.limits import QUOTA_EXCEEDED
from reconciler.sim.ctct_v3.wire import single_error_response

__all__ = ["API_PREFIX", "V1Gate"]

API_PREFIX = "/ws/customers/"
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Constant Contact API"'}  # realm UNCONFIRMED
_SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _credentials(scope: Scope) -> tuple[str, str] | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == b"authorization":
            scheme, _, encoded = bytes(value).decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            return (user, password) if sep else None
    return None


class V1Gate:
    def __init__(self, app: ASGIApp, runtime: SimRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        capture = _Capture(send)
        fault: Fault | None = None
        try:
            if self.runtime.config.latency > 0:
                await asyncio.sleep(self.runtime.config.latency)
            refusal = self._gatekeep(scope, path)
            if refusal is None:
                fault = self.runtime.faults.take(method, path)
                refusal = await self._fault(fault, scope, receive) if fault else None
            await (refusal or self.app)(scope, receive, capture)
        except _Dropped:
            pass  # the connection is gone: nothing more to send
        except ConnectionDropped:
            raise
        except Exception:
            capture.status = capture.status or 500  # a simulator bug; Starlette answers 500
            raise
        finally:
            query = bytes(scope.get("query_string", b"")).decode("latin-1")
            self.runtime.journal.record(
                method, path, query, capture.status, fault.label if fault else None, capture.error
            )

    def _gatekeep(self, scope: Scope, path: str) -> Response | None:
        config = self.runtime.config
        given = _credentials(scope)
        valid = given is not None and all(
            hmac.compare_digest(a.encode(), b.encode())
            for a, b in zip(given, (config.basic_user, config.password), strict=True)
        )
        if not valid:
            return text_error(401, "Unauthorized", headers=_CHALLENGE)
        # Credentials are for one username; a URI naming another is refused the same way.
        if path[len(API_PREFIX) :].partition("/")[0].lower() != config.username.lower():
            return text_error(401, "The URI's username does not match the credentials.", headers=_CHALLENGE)
        refused = self.runtime.limiter.admit(config.token)
        # The key gateway's refusals keep its JSON shape: a spent quota must be told apart from
        # throttling, and the v1 API's own format for them is UNCONFIRMED.
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
            V3Gate._drop(receive)
        if fault.status == 429:
            return single_error_response(429, "throttled", "Too Many Requests")
        if fault.status is not None:
            return text_error(fault.status, _SERVER_ERRORS.get(fault.status, "Server Error"))
        return None
