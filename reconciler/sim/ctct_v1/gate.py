"""The gateway in front of /ws/customers/: HTTP Basic auth (and the username in the URI) and
rate limits. Latency, faults, connection drops and the journal are common.gate's; v1 does no
Accept negotiation."""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.responses import Response
from starlette.types import Scope

from reconciler.sim.common.gate import BaseGate
from reconciler.sim.ctct_v1.runtime import SimRuntime
from reconciler.sim.ctct_v1.wire import text_error
from reconciler.sim.ctct_v3.gate import key_gateway_refusal
from reconciler.sim.ctct_v3.wire import single_error_response

__all__ = ["API_PREFIX", "V1Gate"]

API_PREFIX = "/ws/customers/"
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Constant Contact API"'}  # realm UNCONFIRMED


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


class V1Gate(BaseGate[SimRuntime]):
    prefix = API_PREFIX

    def gatekeep(self, scope: Scope, path: str, query: str) -> Response | None:
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
        return self.admit(config.token)

    def limit_refusal(self, refused: str) -> Response:
        # The key gateway's refusals keep its JSON shape: a spent quota must be told apart from
        # throttling, and the v1 API's own format for them is UNCONFIRMED.
        return key_gateway_refusal(refused)

    def fault_throttled(self) -> Response:
        return single_error_response(429, "throttled", "Too Many Requests")

    def fault_server_error(self, status: int, reason: str) -> Response:
        return text_error(status, reason)
