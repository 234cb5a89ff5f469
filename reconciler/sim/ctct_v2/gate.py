"""The gateway in front of /v2 (Mashery in the real service): latency, the api_key query
parameter plus the Bearer token, the per-key rate limit and daily quota (both refused with a
403, ctct-v2 §2.8), injected faults, Accept negotiation, and the request journal.

The parts that are not v2-specific come from the v3 simulator: the fault plan, the response
capture that feeds the journal, and the connection drop."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from reconciler.sim.ctct_v2.runtime import SimRuntime
from reconciler.sim.ctct_v2.wire import error_response
from reconciler.sim.ctct_v3.faults import Fault
from reconciler.sim.ctct_v3.gate import ConnectionDropped, V3Gate, _Capture, _Dropped, media_types
from reconciler.sim.ctct_v3.limits import QUOTA_EXCEEDED

__all__ = ["PREFIX", "V2Gate", "throttled"]

PREFIX = "/v2"
_ACCEPTABLE = ("application/json", "application/*", "*/*")
_SERVER_ERRORS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
                  504: "Gateway Timeout"}


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


def _header(scope: Scope, name: bytes) -> str | None:
    values = (bytes(v).decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == name)
    return next(values, None)


def _masked_query(query: str) -> str:
    """The journal is served over HTTP: never the api_key in it."""
    parts = (p.partition("=") for p in query.split("&") if p)
    return "&".join(f"{k}{sep}{'***' if k == 'api_key' else v}" for k, sep, v in parts)


class V2Gate:
    def __init__(self, app: ASGIApp, runtime: SimRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        capture, fault = _Capture(send), None
        try:
            if self.runtime.config.latency > 0:
                await asyncio.sleep(self.runtime.config.latency)
            refusal = self._admit(scope, query)
            if refusal is None:
                fault = self.runtime.faults.take(scope["method"], path)
                refusal = await self._fault(fault, scope, receive) if fault else None
            if refusal is None:
                refusal = self._negotiate(scope)
            await (refusal or self.app)(scope, receive, capture)
        except _Dropped:
            pass  # the connection is gone: nothing more to send
        except ConnectionDropped:
            raise
        except Exception:
            capture.status = capture.status or 500  # a simulator bug: Starlette answers 500
            raise
        finally:
            self.runtime.journal.record(
                scope["method"], path, _masked_query(query), capture.status, fault.label if fault else None,
                capture.error,
            )

    def _admit(self, scope: Scope, query: str) -> Response | None:
        config = self.runtime.config
        key = dict(parse_qsl(query)).get("api_key")
        if key != config.api_key or _header(scope, b"authorization") != f"Bearer {config.token}":
            return _unauthorized()
        refused = self.runtime.limiter.admit(key)
        if refused == QUOTA_EXCEEDED:
            return _over_quota()
        return throttled() if refused is not None else None

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive) -> Response | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if fault.apply_before_drop:
                await self.app(scope, receive, _Capture(None))
            V3Gate._drop(receive)
        if fault.status == 429:
            return throttled()  # "throttled" in the admin API's words; v2's gateway says it with a 403
        if fault.status is not None:
            reason = _SERVER_ERRORS.get(fault.status, "Server Error")
            return error_response(fault.status, "http.status.internal_server_error", reason)
        return None

    @staticmethod
    def _negotiate(scope: Scope) -> Response | None:
        accept = _header(scope, b"accept")
        if accept and not any(t in _ACCEPTABLE for t in media_types(accept)):
            return error_response(
                406, "http.status.not_acceptable", "Unsupported Accept header value; must be application/json"
            )
        return None
