"""The gateway in front of /v2 (Mashery in the real service): the api_key query parameter
plus the Bearer token, the per-key rate limit and daily quota (both refused with a 403,
ctct-v2 §2.8) and Accept negotiation, in v2's error shape. Latency, faults, connection drops
and the journal are common.gate's."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import Scope

from reconciler.sim.common.faults import Fault
from reconciler.sim.common.gate import BaseGate, Capture, accepts, header
from reconciler.sim.common.limits import QUOTA_EXCEEDED
from reconciler.sim.ctct_v2.runtime import SimRuntime
from reconciler.sim.ctct_v2.wire import error_response

__all__ = ["PREFIX", "V2Gate", "throttled"]

PREFIX = "/v2"
_ACCEPTABLE = ("application/json", "application/*", "*/*")


def throttled() -> Response:
    return error_response(
        403,
        "mashery.not.authorized.over.qps",
        "The Mashery account associated with this request is over its queries-per-second quota.",
    )


def _over_quota() -> Response:
    # That the daily refusal is a 403 like the per-second one is unconfirmed (§2.8).
    return error_response(
        403,
        "mashery.not.authorized.over.ratelimit",
        "The Mashery account associated with this request is over its rate limit quota.",
    )


def _unauthorized() -> Response:
    return error_response(401, "http.status.unauthorized", "Unauthorized")


def _masked_query(query: str) -> str:
    """The journal is served over HTTP: never the api_key in it."""
    parts = (p.partition("=") for p in query.split("&") if p)
    return "&".join(f"{k}{sep}{'***' if k == 'api_key' else v}" for k, sep, v in parts)


class V2Gate(BaseGate[SimRuntime]):
    prefix = PREFIX

    def gatekeep(self, scope: Scope, path: str, query: str) -> Response | None:
        config = self.runtime.config
        key = dict(parse_qsl(query)).get("api_key")
        if key != config.api_key or header(scope, b"authorization") != f"Bearer {config.token}":
            return _unauthorized()
        return self.admit(config.api_key)

    def limit_refusal(self, refused: str) -> Response:
        return _over_quota() if refused == QUOTA_EXCEEDED else throttled()

    def fault_throttled(self) -> Response:
        return throttled()  # "throttled" in the admin API's words; v2's gateway says it with a 403

    def fault_server_error(self, status: int, reason: str) -> Response:
        return error_response(status, "http.status.internal_server_error", reason)

    def negotiate(self, scope: Scope, path: str) -> Response | None:
        if not accepts(scope, _ACCEPTABLE):
            return error_response(
                406, "http.status.not_acceptable", "Unsupported Accept header value; must be application/json"
            )
        return None

    def record(
        self, scope: Scope, method: str, path: str, query: str, capture: Capture, fault: Fault | None
    ) -> None:
        super().record(scope, method, path, _masked_query(query), capture, fault)
