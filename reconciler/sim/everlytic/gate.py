"""The gateway in front of /api/2.0, REST and XML-RPC alike: HTTP Basic auth (username : API
key), rate limits and content negotiation, in this API's error shape. Latency, faults,
connection drops and the journal are common.gate's; the journal also keeps each request's
body and any XML-RPC fault, which the endpoints leave in scope["sim"]."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.responses import Response
from starlette.types import Scope

from reconciler.sim.common.faults import Fault
from reconciler.sim.common.gate import BaseGate, Capture, accepts, header
from reconciler.sim.common.limits import QUOTA_EXCEEDED
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


class _Capture(Capture):
    """The common capture, reading this API's {"error": {"message"}} bodies."""

    @property
    def error(self) -> tuple[str | None, str | None] | None:
        if not self.body:
            return None
        try:
            payload: Any = json.loads(self.body)
        except ValueError:
            return None, self.body.decode("utf-8", "replace")
        error = payload.get("error") if isinstance(payload, dict) else None
        return None, error.get("message") if isinstance(error, dict) else None


class EverlyticGate(BaseGate[SimRuntime]):
    prefix = PREFIX
    capture_type = _Capture

    def prepare(self, scope: Scope) -> None:
        scope["sim"] = {}  # the endpoints leave the request body (and any fault) here

    def record(
        self, scope: Scope, method: str, path: str, query: str, capture: Capture, fault: Fault | None
    ) -> None:
        holder = scope["sim"]
        self.runtime.journal.record_call(
            method,
            path,
            query,
            capture.status,
            fault.label if fault else None,
            capture.error,
            holder.get("body"),
            holder.get("rpc_fault"),
        )

    def _authorized(self, scope: Scope) -> bool:
        scheme, _, encoded = (header(scope, b"authorization") or "").partition(" ")
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

    def gatekeep(self, scope: Scope, path: str, query: str) -> Response | None:
        if not self._authorized(scope):
            return error_response(401, "Unauthorized: check the username and API key.", headers=_CHALLENGE)
        return self.admit(self.runtime.config.token)

    def limit_refusal(self, refused: str) -> Response:
        if refused == QUOTA_EXCEEDED:
            return error_response(
                429, "Daily API request quota exceeded.", headers={"Retry-After": str(_seconds_to_midnight())}
            )
        return error_response(429, "Too many requests.", headers={"Retry-After": "1"})

    def fault_throttled(self) -> Response:
        return error_response(429, "Too many requests.")

    def fault_server_error(self, status: int, reason: str) -> Response:
        return error_response(status, reason)

    def negotiate(self, scope: Scope, path: str) -> Response | None:
        # Content-Type (415) is checked where a body is read, so a wrong method or path still
        # gets its 405/404 first.
        wanted = _XML_TYPES if path == XMLRPC_PATH else _JSON_TYPES
        if not accepts(scope, wanted):
            return error_response(406, f"The Accept header must allow {wanted[0]}.")
        return None
