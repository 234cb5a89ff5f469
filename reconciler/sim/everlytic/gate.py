"""The gateway in front of /api/2.0, REST and XML-RPC alike: latency, HTTP Basic auth
(username : API key), rate limits, injected faults, content negotiation and the journal.
A pure ASGI middleware so it can see (and drop) the raw connection and record every answer,
including the ones it makes itself."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reconciler.sim.ctct_v3 import gate as v3_gate
from reconciler.sim.ctct_v3.faults import Fault
from reconciler.sim.ctct_v3.limits import QUOTA_EXCEEDED
from reconciler.sim.everlytic.runtime import SimRuntime
from reconciler.sim.everlytic.wire import PREFIX, XMLRPC_PATH, error_response

__all__ = ["EverlyticGate"]

_JSON_TYPES = ("application/json", "application/*", "*/*")
_XML_TYPES = ("text/xml", "text/*", "application/xml", "*/*")
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Everlytic API"'}


def _seconds_to_midnight() -> int:
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, int((midnight - now).total_seconds()))


class _Capture(v3_gate._Capture):
    """v3's response capture, reading this API's {"error": {"message"}} bodies."""

    @property
    def error(self) -> tuple[str | None, str | None] | None:
        if not self._body:
            return None
        try:
            payload: Any = json.loads(bytes(self._body))
        except ValueError:
            return None, self._body.decode("utf-8", "replace")
        error = payload.get("error") if isinstance(payload, dict) else None
        return None, error.get("message") if isinstance(error, dict) else None


class EverlyticGate:
    def __init__(self, app: ASGIApp, runtime: SimRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        holder: dict[str, Any] = {}
        scope["sim"] = holder  # the endpoints leave the request body (and any fault) here
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
                refusal = self._negotiate(scope, path)
            await (refusal or self.app)(scope, receive, capture)
        except v3_gate._Dropped:
            pass  # the connection is gone: nothing more to send
        except v3_gate.ConnectionDropped:
            raise
        except Exception:
            capture.status = capture.status or 500  # a simulator bug; Starlette answers 500
            raise
        finally:
            self.runtime.journal.record_call(
                method,
                path,
                bytes(scope.get("query_string", b"")).decode("latin-1"),
                capture.status,
                fault.label if fault else None,
                capture.error,
                holder.get("body"),
                holder.get("rpc_fault"),
            )

    def _authorized(self, scope: Scope) -> bool:
        scheme, _, encoded = (v3_gate._header(scope, b"authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        user, sep, key = decoded.partition(b":")
        config = self.runtime.config
        # `&`, not `and`: both comparisons always run, so timing does not tell which one failed.
        return bool(sep) and (
            hmac.compare_digest(user, config.username.encode())
            & hmac.compare_digest(key, config.api_key.encode())
        )

    def _gatekeep(self, scope: Scope) -> Response | None:
        if not self._authorized(scope):
            return error_response(401, "Unauthorized: check the username and API key.", headers=_CHALLENGE)
        refused = self.runtime.limiter.admit(self.runtime.config.token)
        if refused == QUOTA_EXCEEDED:
            return error_response(
                429, "Daily API request quota exceeded.", headers={"Retry-After": str(_seconds_to_midnight())}
            )
        if refused is not None:
            return error_response(429, "Too many requests.", headers={"Retry-After": "1"})
        return None

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive) -> Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if fault.apply_before_drop:
                await self.app(scope, receive, _Capture(None))
            v3_gate.V3Gate._drop(receive)
        if fault.status == 429:
            return error_response(429, "Too many requests.")
        if fault.status is not None:
            return error_response(fault.status, v3_gate._SERVER_ERRORS.get(fault.status, "Server Error"))
        return None

    @staticmethod
    def _negotiate(scope: Scope, path: str) -> Response | None:
        # Content-Type (415) is checked where a body is read, so a wrong method or path still
        # gets its 405/404 first.
        accept = v3_gate._header(scope, b"accept")
        wanted = _XML_TYPES if path == XMLRPC_PATH else _JSON_TYPES
        if accept and not any(t in wanted for t in v3_gate.media_types(accept)):
            return error_response(406, f"The Accept header must allow {wanted[0]}.")
        return None
