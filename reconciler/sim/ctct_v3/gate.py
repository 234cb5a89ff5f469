"""The API gateway in front of /v3: bearer auth, rate limits and Accept negotiation, in v3's
error shapes. Latency, faults, connection drops and the journal are common.gate's."""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import Scope

from reconciler.sim.common.gate import BaseGate, ConnectionDropped, accepts, header, media_types
from reconciler.sim.common.limits import QUOTA_EXCEEDED
from reconciler.sim.ctct_v3.runtime import SimRuntime
from reconciler.sim.ctct_v3.wire import error_response, single_error_response

__all__ = ["ConnectionDropped", "V3Gate", "key_gateway_refusal", "media_types"]

_ACCEPTABLE = ("application/json", "application/*", "*/*")


def key_gateway_refusal(refused: str) -> Response:
    """The API-key gateway's 429s: a spent quota told apart from throttling."""
    if refused == QUOTA_EXCEEDED:
        return single_error_response(429, QUOTA_EXCEEDED, "Limit Exceeded")
    return single_error_response(429, refused, "Too Many Requests")


class V3Gate(BaseGate[SimRuntime]):
    prefix = "/v3"

    def gatekeep(self, scope: Scope, path: str, query: str) -> Response | None:
        config = self.runtime.config
        if header(scope, b"authorization") != f"Bearer {config.token}":
            return single_error_response(
                401, "unauthorized", "Unauthorized", headers={"WWW-Authenticate": "Bearer realm=api.cc.email"}
            )
        return self.admit(config.token)

    def limit_refusal(self, refused: str) -> Response:
        return key_gateway_refusal(refused)

    def fault_throttled(self) -> Response:
        return single_error_response(429, "throttled", "Too Many Requests")

    def fault_server_error(self, status: int, reason: str) -> Response:
        return error_response(status, "server_error", reason)

    def negotiate(self, scope: Scope, path: str) -> Response | None:
        # Content-Type (415) is checked where a body is read (routes.json_body), so that a
        # wrong method or path still gets its 405/404 first.
        if not accepts(scope, _ACCEPTABLE):
            return error_response(406, "not_acceptable", "The Accept header must allow application/json.")
        return None
