"""The one HTTP seam: every request reconciler makes to a platform goes through `Transport`.

It owns the base URL, credentials, timeouts, pacing, retries, error classification and
redaction, so providers deal in resources and never in status codes or sockets.

Addressing is explicit, because the v3 API mixes two kinds of reference:

* `request(method, "/contacts")` joins the path onto the base URL's *path*:
  base ``https://api.cc.email/v3`` + ``/contacts`` -> ``https://api.cc.email/v3/contacts``.
* `follow(href)` resolves a link the server returned (``_links.next.href``) the way a browser
  would (RFC 3986) against the base URL: a root-relative ``/v3/contacts?cursor=x`` keeps only
  the base's scheme and host -> ``https://api.cc.email/v3/contacts?cursor=x``.

Either accepts an absolute URL, but only on the base URL's origin: credentials ride on every
request, so a URL pointing elsewhere is refused rather than handed a token.

Retry rules (see `Transport.request`):

* 429 ``quota_exceeded`` -> `QuotaExceeded` at once; the daily quota is spent.
* 429 otherwise (throttled) -> retried for any method; the server refused before acting.
* 500/502/503/504, timeouts, dropped connections -> retried if the request is idempotent.
  A non-idempotent write is not retried: `UncertainWriteError` (``may_have_landed``) lets the
  caller look before re-sending. Failures to *connect* are retried for every method, because
  no byte of the request reached the server.
* 409 -> `ConflictError`; any other unexpected status -> `ApiError`.
"""

from __future__ import annotations

import base64
import binascii
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Final, Self
from urllib.parse import quote, quote_plus, urljoin

import httpx
import structlog
from structlog.typing import EventDict, WrappedLogger

from reconciler.errors import ApiError, ConfigError, ConflictError, QuotaExceeded, TransientApiError
from reconciler.ratelimit import RateLimiter

__all__ = [
    "DEFAULT_TOKEN_URL",
    "IDEMPOTENT_METHODS",
    "BearerAuth",
    "RateLimiter",
    "RequestStats",
    "RetryPolicy",
    "Transport",
    "UncertainWriteError",
    "known_secrets",
    "redact",
    "redact_url",
    "redacting_processor",
    "register_secret",
]

log = structlog.get_logger()

DEFAULT_TOKEN_URL: Final = "https://authz.constantcontact.com/oauth2/default/v1/token"
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUSES: Final = frozenset({500, 502, 503, 504})
MASK: Final = "***"
_REFRESH_TIMEOUT: Final = 30.0


# -- secrets and redaction -------------------------------------------------------------------

# Values shorter than this are not real credentials, and masking them would shred every log
# line that happens to contain those characters.
_MIN_SECRET_LEN: Final = 4
_secrets: set[str] = set()
_secrets_lock = threading.Lock()

_SECRET_NAMES = (
    r"api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|"
    r"client[_-]?secret|secret|password|passwd|sig|signature"
)
_BEARER_RE = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*")
# Basic needs a long run of base64 so that prose such as "basic auth" survives.
_BASIC_RE = re.compile(r"(?i)\b(basic)\s+[A-Za-z0-9+/]{8,}={0,2}")
_PARAM_RE = re.compile(rf"(?i)\b((?:{_SECRET_NAMES})=)[^&\s#\"'<>]+")
_JSON_RE = re.compile(rf"(?i)(\"(?:{_SECRET_NAMES})\"\s*:\s*\")[^\"]*(\")")
_USERINFO_RE = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@")
# Query/default-param names whose values are registered as secrets.
_SECRET_PARAM_NAME_RE = re.compile(r"(?i)(key|token|secret|password|passwd|sig|auth)")


def register_secret(value: str | None) -> None:
    """Remember a credential so logs and errors mask it wherever it turns up."""
    if value and len(value.strip()) >= _MIN_SECRET_LEN:
        with _secrets_lock:
            _secrets.add(value.strip())


def known_secrets() -> frozenset[str]:
    """Every credential registered so far (for `redacting_processor`)."""
    with _secrets_lock:
        return frozenset(_secrets)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask each known secret in `text`, plus anything shaped like a credential
    (``Bearer x``, ``Basic x``, ``api_key=x``, ``"access_token": "x"``, ``user:pass@``)."""
    values = {s for s in secrets if s}
    # A secret can reach text percent-encoded (it went through a query string), so mask those
    # spellings too; longest first so a secret containing another is masked whole.
    variants = values | {quote(s, safe="") for s in values} | {quote_plus(s) for s in values}
    for value in sorted(variants, key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _BEARER_RE.sub(rf"\1 {MASK}", text)
    text = _BASIC_RE.sub(rf"\1 {MASK}", text)
    text = _PARAM_RE.sub(rf"\g<1>{MASK}", text)
    text = _JSON_RE.sub(rf"\g<1>{MASK}\g<2>", text)
    return _USERINFO_RE.sub(rf"\g<1>{MASK}@", text)


def redact_url(url: str | httpx.URL, secrets: Iterable[str] | None = None) -> str:
    """`url` as safe to show: secret-named query values, passwords and known secrets masked."""
    return redact(str(url), known_secrets() if secrets is None else secrets)


def _redact_value(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v, secrets) for v in value)
    return value


def redacting_processor(
    secrets: Callable[[], Iterable[str]],
) -> Callable[[WrappedLogger, str, EventDict], EventDict]:
    """A structlog processor masking secrets in every string value (nested too) of each event.

    `secrets` is called per event, so credentials registered after logging was configured
    (a refreshed token) are covered. Place it after `format_exc_info` if tracebacks are
    rendered, so their text is masked as well.
    """

    def processor(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        current = frozenset(secrets())
        return {key: _redact_value(value, current) for key, value in event_dict.items()}

    return processor


# -- errors ----------------------------------------------------------------------------------


class UncertainWriteError(TransientApiError):
    """A non-idempotent write failed after it may have reached the server (5xx, a dropped
    connection, a read timeout). Re-sending could duplicate it: look it up first."""

    may_have_landed: bool = True


# -- auth ------------------------------------------------------------------------------------


class BearerAuth(httpx.Auth):
    """OAuth2 bearer token, refreshed once on a 401 when a refresh token is configured.

    Refresh tokens may rotate (each works once), so the newest one is kept. A lock makes sure
    one refresh is in flight at a time: two concurrent refreshes with a rotating token would
    make the second one fail and lose the session.
    """

    requires_response_body = True  # the token endpoint's JSON answer must be readable

    def __init__(
        self,
        access_token: str,
        *,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
    ) -> None:
        if not access_token or not access_token.strip():
            raise ConfigError("the access token is empty; set it to an OAuth2 access token for the API")
        if refresh_token and not client_id:
            raise ConfigError(
                "a refresh token was given without the app's client id, which the token endpoint "
                "needs to refresh (for Constant Contact set CTCT_CLIENT_ID)"
            )
        self._access_token = access_token.strip()
        self._refresh_token = refresh_token
        self._client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self.refreshes = 0
        self._lock = threading.Lock()
        for value in self.secrets():
            register_secret(value)

    @property
    def can_refresh(self) -> bool:
        return bool(self._refresh_token and self._client_id)

    @property
    def access_token(self) -> str:
        return self._access_token

    @property
    def refresh_token(self) -> str | None:
        """The newest refresh token: persist it if the app issues rotating tokens."""
        return self._refresh_token

    def secrets(self) -> list[str]:
        return [s for s in (self._access_token, self._refresh_token, self._client_secret) if s]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        sent_with = self._access_token
        request.headers["Authorization"] = f"Bearer {sent_with}"
        response = yield request
        if response.status_code != 401 or not self.can_refresh:
            return
        with self._lock:
            # Another request may have refreshed while this one was in flight: reuse its token
            # rather than spend (and, if rotating, invalidate) the refresh token again.
            if self._access_token == sent_with:
                token_response = yield self._refresh_request()
                self._take_tokens(token_response)
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        yield request

    def _refresh_request(self) -> httpx.Request:
        assert self._refresh_token is not None and self._client_id is not None
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
        headers = {"Accept": "application/json"}
        if self._client_secret:
            pair = f"{self._client_id}:{self._client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            # Public (PKCE) clients have no secret and identify themselves in the form.
            form["client_id"] = self._client_id
        # Requests built here skip the client's defaults, timeout included; without one a hung
        # token endpoint would hang the run.
        timeout = httpx.Timeout(_REFRESH_TIMEOUT).as_dict()
        return httpx.Request(
            "POST", self.token_url, data=form, headers=headers, extensions={"timeout": timeout}
        )

    def _take_tokens(self, response: httpx.Response) -> None:
        body = redact(response.text, known_secrets())
        url = redact_url(self.token_url)
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientApiError(
                "the token endpoint could not refresh the access token right now; rerun shortly",
                status=response.status_code,
                method="POST",
                url=url,
                body=body,
            )
        payload = _json_or_none(response)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            problem = payload.get("error") if isinstance(payload, dict) else None
            raise ConfigError(
                f"refreshing the access token failed ({response.status_code}"
                + (f" {problem}" if problem else "")
                + "): authorize the app again and set a new access token and refresh token"
                + (f"; the token endpoint said: {body[:300]}" if body else "")
            )
        register_secret(token)
        rotated = payload.get("refresh_token") if isinstance(payload, dict) else None
        if isinstance(rotated, str) and rotated:
            register_secret(rotated)
            self._refresh_token = rotated
        self._access_token = token
        self.refreshes += 1
        log.info("oauth_token_refreshed", rotated_refresh_token=bool(rotated))


# -- policy and stats ------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts include the first try. Delays grow as base * 2**n with full jitter, capped."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("retry delays must be >= 0")

    def backoff(self, attempt: int, rand: Callable[[], float]) -> float:
        """Delay after failed attempt number `attempt` (1-based)."""
        # Full jitter, so clients that failed together do not retry together. The exponent is
        # clamped because 2**32 half-seconds is past any sensible cap and avoids float overflow.
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 32))
        return rand() * ceiling


@dataclass
class RequestStats:
    """What the transport did; read by benchmarks and metrics. Attempts, not logical calls."""

    requests: int = 0
    by_method: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    throttled: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    quota_hits: int = 0
    uncertain_writes: int = 0
    paced_seconds: float = 0.0
    backoff_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_method": dict(self.by_method),
            "by_status": dict(self.by_status),
            "retries": self.retries,
            "throttled": self.throttled,
            "server_errors": self.server_errors,
            "connection_errors": self.connection_errors,
            "quota_hits": self.quota_hits,
            "uncertain_writes": self.uncertain_writes,
            "paced_seconds": round(self.paced_seconds, 3),
            "backoff_seconds": round(self.backoff_seconds, 3),
        }


# -- the transport ---------------------------------------------------------------------------

# Raised before any byte of the request left this machine: safe to retry even a POST.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
# Our own bugs or configuration, not the network's: retrying cannot help.
_NOT_TRANSIENT = (httpx.LocalProtocolError, httpx.UnsupportedProtocol)


@dataclass(frozen=True)
class _Failure:
    """Why an attempt failed, kept so the final error can name the last answer."""

    reason: str
    status: int | None = None
    body: str = ""
    retry_after: float | None = None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _error_entries(response: httpx.Response) -> list[dict[str, Any]]:
    """The v3 error body is documented as an array but 429s come as a single object."""
    payload = _json_or_none(response)
    items = payload if isinstance(payload, list) else [payload]
    return [item for item in items if isinstance(item, dict)]


def _is_quota(response: httpx.Response) -> bool:
    return any(str(e.get("error_key", "")).lower() == "quota_exceeded" for e in _error_entries(response))


def _server_message(response: httpx.Response) -> str | None:
    for entry in _error_entries(response):
        message = entry.get("error_message")
        if isinstance(message, str) and message:
            return message
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default_port = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default_port


def _basic_auth_secrets(auth: httpx.BasicAuth) -> list[str]:
    # httpx keeps only the encoded header, so recover the password from it.
    header: str = getattr(auth, "_auth_header", "")
    encoded = header.partition(" ")[2]
    try:
        _user, _, password = base64.b64decode(encoded).decode("latin-1").partition(":")
    except (binascii.Error, ValueError):
        return [encoded]
    return [encoded, password]


class Transport:
    """Owns base URL, auth, timeouts, pacing, retries and redaction. Providers call it; nothing
    else does HTTP. One `httpx.Client`, so connections are kept alive and pooled."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None,
        rate_per_second: float = 4.0,
        retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is harmless
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        user_agent: str = "reconciler/0.1",
        default_params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        base = httpx.URL(base_url.rstrip("/"))
        if base.scheme not in ("http", "https") or not base.host:
            raise ConfigError(f"the base URL must be an absolute http(s) URL, got '{redact_url(base_url)}'")
        self.base_url = str(base)
        self._origin = _origin(base)
        self.retry = retry
        self.stats = RequestStats()
        self._sleep = sleep
        self._clock = clock
        self._rand = rand
        self._limiter = RateLimiter(rate_per_second, clock=clock, sleep=sleep)
        self._register_secrets(auth, default_params or {})
        self._client = httpx.Client(
            auth=auth,
            params=dict(default_params or {}),
            headers={"User-Agent": user_agent, "Accept": "application/json", **(headers or {})},
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,  # a redirect could carry credentials elsewhere; never needed
        )

    @staticmethod
    def _register_secrets(auth: httpx.Auth | None, default_params: Mapping[str, str]) -> None:
        if isinstance(auth, httpx.BasicAuth):
            for value in _basic_auth_secrets(auth):
                register_secret(value)
        secrets = getattr(auth, "secrets", None)
        if callable(secrets):
            for value in secrets():
                register_secret(str(value))
        for name, value in default_params.items():
            if _SECRET_PARAM_NAME_RE.search(name):
                register_secret(value)

    # -- addressing ------------------------------------------------------------------------

    def url_for(self, path_or_url: str) -> str:
        """A path joined onto the base URL's path ("/contacts" and "contacts" alike), or an
        absolute URL on the base origin as is."""
        if "://" in path_or_url:
            return self._same_origin(path_or_url)
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def resolve_href(self, href: str) -> str:
        """A link from a response, resolved per RFC 3986 against the base URL: root-relative
        ("/v3/contacts?cursor=x") keeps only scheme and host, a bare relative path is taken
        relative to the base path, an absolute URL must be on the base origin."""
        return self._same_origin(urljoin(self.base_url + "/", href))

    def _same_origin(self, url: str) -> str:
        if _origin(httpx.URL(url)) != self._origin:
            raise ValueError(
                f"refusing to send credentials to {redact_url(url)}: it is not on {self.base_url}"
            )
        return url

    # -- requests --------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        expected: tuple[int, ...] = (200, 201, 202, 204),
    ) -> httpx.Response:
        """Send `method` to `path_or_url` (joined onto the base path; see `url_for`).

        Returns the response when its status is in `expected`, else raises `QuotaExceeded`,
        `ConflictError`, `UncertainWriteError`, `TransientApiError` (retries spent) or
        `ApiError`. `idempotent` overrides the method's default (GET/HEAD/OPTIONS/PUT/DELETE):
        only idempotent requests are retried after a 5xx, a timeout or a dropped connection.
        Parameters whose value is None are left out.
        """
        return self._send(
            method,
            self.url_for(path_or_url),
            params=params,
            json=json,
            content=content,
            headers=headers,
            idempotent=idempotent,
            expected=expected,
        )

    def follow(self, href: str, *, expected: tuple[int, ...] = (200,)) -> httpx.Response:
        """GET a link the server returned, e.g. ``_links.next.href`` (see `resolve_href`)."""
        return self._send(
            "GET",
            self.resolve_href(href),
            params=None,
            json=None,
            content=None,
            headers=None,
            idempotent=True,
            expected=expected,
        )

    def get_json(self, path_or_url: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path_or_url, params=params, expected=(200,)).json()

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        content: bytes | str | None,
        headers: Mapping[str, str] | None,
        idempotent: bool | None,
        expected: tuple[int, ...],
    ) -> httpx.Response:
        method = method.upper()
        may_repeat = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        # httpx replaces a URL's own query with the client's default params instead of merging
        # them, which would drop a paging link's cursor: carry the link's query over explicitly.
        parsed = httpx.URL(url)
        query = [*parsed.params.multi_items(), *((k, v) for k, v in (params or {}).items() if v is not None)]
        request = self._client.build_request(
            method,
            str(parsed.copy_with(query=None)),
            params=query or None,
            json=json,
            content=content,
            headers=headers,
        )
        shown = redact_url(request.url)
        failure = _Failure("no attempt")
        for attempt in range(1, self.retry.max_attempts + 1):
            outcome = self._attempt(request, method, shown, attempt, may_repeat, expected)
            if isinstance(outcome, httpx.Response):
                return outcome
            failure = outcome
            if attempt == self.retry.max_attempts:
                break
            delay = self._delay(attempt, failure, method, shown)
            self.stats.retries += 1
            self.stats.backoff_seconds += delay
            log.info(
                "http_retry",
                method=method,
                url=shown,
                attempt=attempt,
                reason=failure.reason,
                delay=round(delay, 3),
            )
            self._sleep(delay)
        raise TransientApiError(
            f"gave up after {self.retry.max_attempts} attempts; the last answer was {failure.reason}; "
            "the platform may be degraded, rerun later",
            status=failure.status,
            method=method,
            url=shown,
            body=failure.body,
        )

    def _attempt(
        self,
        request: httpx.Request,
        method: str,
        shown: str,
        attempt: int,
        may_repeat: bool,
        expected: tuple[int, ...],
    ) -> httpx.Response | _Failure:
        """One paced send. Returns the response when expected, a `_Failure` worth retrying,
        or raises."""
        self.stats.paced_seconds += self._limiter.acquire()
        self.stats.requests += 1
        self.stats.by_method[method] += 1
        started = self._clock()
        try:
            response = self._client.send(request)
        except httpx.TransportError as exc:
            elapsed_ms = round((self._clock() - started) * 1000, 1)
            reason = f"{type(exc).__name__}: {redact(str(exc), known_secrets())}".rstrip(": ")
            log.debug(
                "http_request",
                method=method,
                url=shown,
                status=None,
                attempt=attempt,
                elapsed_ms=elapsed_ms,
                error=type(exc).__name__,
            )
            self.stats.connection_errors += 1
            if isinstance(exc, _NOT_TRANSIENT):
                raise ApiError(f"the request could not be sent ({reason})", method=method, url=shown) from exc
            if not may_repeat and not isinstance(exc, _NOT_SENT):
                self.stats.uncertain_writes += 1
                raise UncertainWriteError(
                    f"the connection failed during a write ({reason}); it may have been applied, "
                    "so check before sending it again",
                    method=method,
                    url=shown,
                ) from exc
            return _Failure(reason)
        except httpx.HTTPError as exc:
            raise ApiError(
                f"the answer could not be read ({type(exc).__name__})", method=method, url=shown
            ) from exc

        status = response.status_code
        log.debug(
            "http_request",
            method=method,
            url=shown,
            status=status,
            attempt=attempt,
            elapsed_ms=round((self._clock() - started) * 1000, 1),
        )
        self.stats.by_status[status] += 1
        if status in expected:
            return response
        body = redact(response.text, known_secrets())
        answer = f"{status} {response.reason_phrase}".strip()
        if status == 429:
            if _is_quota(response):
                self.stats.quota_hits += 1
                raise QuotaExceeded(
                    f"daily request quota exceeded ({_server_message(response) or answer})",
                    status=status,
                    method=method,
                    url=shown,
                    body=body,
                )
            self.stats.throttled += 1
            return _Failure(f"{answer} (throttled)", status, body, _retry_after(response))
        if status >= 500:
            self.stats.server_errors += 1
        if status in RETRYABLE_STATUSES:
            if may_repeat:
                return _Failure(answer, status, body, _retry_after(response))
            self.stats.uncertain_writes += 1
            raise UncertainWriteError(
                f"the server failed ({answer}) while handling a write; it may have been applied, "
                "so check before sending it again",
                status=status,
                method=method,
                url=shown,
                body=body,
            )
        raise self._error_for(status, answer, method, shown, body)

    def _delay(self, attempt: int, failure: _Failure, method: str, shown: str) -> float:
        if failure.retry_after is None:
            return self.retry.backoff(attempt, self._rand)
        if failure.retry_after > self.retry.max_delay:
            # Sleeping for however long the server names could hang the run for hours; stop
            # cleanly and let the user choose when to rerun.
            raise TransientApiError(
                f"the server answered {failure.reason} and asked to wait {failure.retry_after:.0f}s, "
                f"longer than the retry policy allows ({self.retry.max_delay:.0f}s); rerun later",
                status=failure.status,
                method=method,
                url=shown,
                body=failure.body,
            )
        return failure.retry_after

    @staticmethod
    def _error_for(status: int, answer: str, method: str, url: str, body: str) -> ApiError:
        if status == 409:
            return ConflictError(
                f"the resource already exists ({answer})", status=status, method=method, url=url, body=body
            )
        if status == 401:
            message = (
                f"the credentials were rejected ({answer}): the access token is invalid or expired; "
                "get a new one, or configure a refresh token and client id"
            )
        elif status == 403:
            message = (
                f"permission denied ({answer}): check the app's scopes and the user's privileges "
                "for this account"
            )
        elif status == 404:
            message = f"not found ({answer})"
        elif status < 500:
            message = f"the platform rejected the request ({answer})"
        else:
            message = f"the platform failed ({answer})"
        return ApiError(message, status=status, method=method, url=url, body=body)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
