"""The HTTP seam, driven through httpx.MockTransport with a fake clock: no sockets, no sleeping."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from reconciler.errors import ApiError, ConfigError, ConflictError, QuotaExceeded, TransientApiError
from reconciler.ratelimit import RateLimiter
from reconciler.transport import (
    BearerAuth,
    RetryPolicy,
    Transport,
    UncertainWriteError,
    known_secrets,
    redact,
    redacting_processor,
    register_secret,
)

BASE = "http://127.0.0.1:8080/v3"
TOKEN = "tok-access-SECRET-1111"
REFRESH = "tok-refresh-SECRET-2222"
CLIENT_SECRET = "client-SECRET-3333"
API_KEY = "apikey-SECRET-4444"

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """A MockTransport handler that replays scripted answers and records what was sent."""

    def __init__(self, *answers: httpx.Response | Exception | Handler, time: FakeTime | None = None) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sent_at: list[float] = []
        self.time = time

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.time:
            self.sent_at.append(self.time.now)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def ok(payload: Any = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={} if payload is None else payload)


def make(
    recorder: Recorder,
    fake: FakeTime | None = None,
    *,
    auth: httpx.Auth | None = None,
    rate: float = 0.0,
    retry: RetryPolicy | None = None,
    **kwargs: Any,
) -> Transport:
    fake = fake or FakeTime()
    return Transport(
        BASE,
        auth=auth,
        rate_per_second=rate,
        retry=retry or RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=30.0),
        transport=httpx.MockTransport(recorder),
        sleep=fake.sleep,
        clock=fake.clock,
        rand=lambda: 1.0,
        **kwargs,
    )


@pytest.fixture(autouse=True)
def _log_everything() -> Iterator[None]:
    """capture_logs keeps the configured level filter; reset it so debug events are seen."""
    saved = structlog.get_config()
    structlog.reset_defaults()
    yield
    structlog.configure(**saved)


# -- pacing ----------------------------------------------------------------------------------


def test_pacing_keeps_requests_at_or_under_configured_rate() -> None:
    fake = FakeTime()
    recorder = Recorder(ok(), time=fake)
    with make(recorder, fake, rate=4.0) as http:
        for _ in range(12):
            http.request("GET", "/contacts")
    times = recorder.sent_at
    assert all(b - a >= 0.25 - 1e-9 for a, b in itertools.pairwise(times))
    for start in times:
        assert sum(1 for t in times if start <= t < start + 1.0) <= 4
    assert http.stats.paced_seconds == pytest.approx(11 * 0.25)


def test_pacing_rate_zero_never_waits() -> None:
    fake = FakeTime()
    with make(Recorder(ok()), fake, rate=0.0) as http:
        for _ in range(20):
            http.request("GET", "/contacts")
    assert fake.sleeps == []


def test_rate_limiter_waits_only_for_the_remaining_gap() -> None:
    fake = FakeTime()
    limiter = RateLimiter(2.0, clock=fake.clock, sleep=fake.sleep)
    limiter.acquire()
    fake.now += 0.3
    assert limiter.acquire() == pytest.approx(0.2)


# -- 429 -------------------------------------------------------------------------------------


def test_throttled_429_is_retried_then_succeeds() -> None:
    throttled = httpx.Response(429, json={"error_key": "throttled", "error_message": "Too Many Requests"})
    recorder = Recorder(throttled, throttled, ok({"contacts": []}))
    with make(recorder) as http:
        assert http.get_json("/contacts") == {"contacts": []}
    assert len(recorder.requests) == 3
    assert http.stats.throttled == 2 and http.stats.retries == 2


def test_throttled_429_honours_retry_after() -> None:
    fake = FakeTime()
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "7"}), ok())
    with make(recorder, fake) as http:
        http.request("GET", "/contacts")
    assert fake.sleeps == [7.0]


def test_retry_after_longer_than_max_delay_stops_instead_of_hanging() -> None:
    fake = FakeTime()
    recorder = Recorder(httpx.Response(429, headers={"Retry-After": "3600"}), ok())
    with make(recorder, fake) as http, pytest.raises(TransientApiError, match="3600s"):
        http.request("GET", "/contacts")
    assert fake.sleeps == [] and len(recorder.requests) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"error_key": "quota_exceeded", "error_message": "Limit Exceeded"},
        [{"error_key": "quota_exceeded", "error_message": "Limit Exceeded"}],
    ],
)
def test_quota_429_raises_quota_exceeded_without_retry(body: Any) -> None:
    recorder = Recorder(httpx.Response(429, json=body), ok())
    with make(recorder) as http, pytest.raises(QuotaExceeded) as caught:
        http.request("GET", "/contacts")
    assert len(recorder.requests) == 1
    assert caught.value.status == 429 and "Limit Exceeded" in str(caught.value)
    assert http.stats.quota_hits == 1 and http.stats.retries == 0


def test_post_throttled_429_is_retried_because_the_server_did_nothing() -> None:
    recorder = Recorder(httpx.Response(429, json={"error_key": "throttled"}), ok({"contact_id": "c1"}, 201))
    with make(recorder) as http:
        response = http.request("POST", "/contacts", json={"email_address": {"address": "a@x.org"}})
    assert response.status_code == 201 and len(recorder.requests) == 2


# -- 5xx and connection failures -------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_idempotent_request_is_retried(method: str, status: int) -> None:
    recorder = Recorder(httpx.Response(status, text="boom"), ok())
    with make(recorder) as http:
        assert http.request(method, "/contacts/c1").status_code == 200
    assert len(recorder.requests) == 2
    assert http.stats.server_errors == 1


def test_5xx_on_post_is_not_retried_and_flagged_may_have_landed() -> None:
    recorder = Recorder(httpx.Response(503, text="upstream hiccup"), ok())
    with make(recorder) as http, pytest.raises(UncertainWriteError) as caught:
        http.request("POST", "/contacts", json={})
    assert len(recorder.requests) == 1
    assert caught.value.may_have_landed is True
    assert isinstance(caught.value, TransientApiError)
    assert caught.value.status == 503 and "upstream hiccup" in str(caught.value)


def test_dropped_connection_on_post_is_not_retried_and_flagged_may_have_landed() -> None:
    dropped = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    recorder = Recorder(dropped, ok())
    with make(recorder) as http, pytest.raises(UncertainWriteError) as caught:
        http.request("POST", "/contacts", json={})
    assert len(recorder.requests) == 1
    assert caught.value.may_have_landed
    assert http.stats.uncertain_writes == 1


def test_read_timeout_on_post_is_flagged_may_have_landed() -> None:
    recorder = Recorder(httpx.ReadTimeout("timed out"), ok())
    with make(recorder) as http, pytest.raises(UncertainWriteError):
        http.request("POST", "/contacts", json={})


def test_connect_error_on_post_is_retried_because_nothing_was_sent() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"), ok({}, 201))
    with make(recorder) as http:
        assert http.request("POST", "/contacts", json={}).status_code == 201
    assert len(recorder.requests) == 2


def test_dropped_connection_on_get_is_retried() -> None:
    recorder = Recorder(httpx.RemoteProtocolError("Server disconnected"), ok())
    with make(recorder) as http:
        http.request("GET", "/contacts")
    assert len(recorder.requests) == 2 and http.stats.connection_errors == 1


def test_idempotent_true_lets_a_post_be_retried() -> None:
    recorder = Recorder(httpx.Response(500), ok())
    with make(recorder) as http:
        http.request("POST", "/contacts/sign_up_form", json={}, idempotent=True)
    assert len(recorder.requests) == 2


def test_idempotent_false_stops_a_put_being_retried() -> None:
    recorder = Recorder(httpx.Response(500), ok())
    with make(recorder) as http, pytest.raises(UncertainWriteError):
        http.request("PUT", "/contacts/c1", json={}, idempotent=False)


def test_retries_exhausted_raise_transient_error_naming_the_servers_answer() -> None:
    recorder = Recorder(httpx.Response(503, text="maintenance window"))
    http = make(recorder, retry=RetryPolicy(max_attempts=3))
    with http, pytest.raises(TransientApiError) as caught:
        http.request("GET", "/contacts")
    err = caught.value
    assert len(recorder.requests) == 3
    assert not isinstance(err, UncertainWriteError)
    assert err.status == 503 and err.method == "GET" and err.url == f"{BASE}/contacts"
    assert "503 Service Unavailable" in str(err) and "maintenance window" in str(err)


def test_retries_exhausted_after_timeouts_name_the_timeout() -> None:
    recorder = Recorder(httpx.ReadTimeout("read timed out"))
    http = make(recorder, retry=RetryPolicy(max_attempts=2))
    with http, pytest.raises(TransientApiError) as caught:
        http.request("GET", "/contacts")
    assert "ReadTimeout" in str(caught.value) and caught.value.status is None


def test_backoff_is_exponential_and_capped() -> None:
    fake = FakeTime()
    recorder = Recorder(httpx.Response(500))
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=5.0)
    with make(recorder, fake, retry=policy) as http, pytest.raises(TransientApiError):
        http.request("GET", "/contacts")
    # rand() is pinned to 1.0, i.e. the top of each full-jitter range.
    assert fake.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_backoff_uses_full_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    assert policy.backoff(3, lambda: 0.25) == pytest.approx(1.0)
    assert policy.backoff(3, lambda: 0.0) == 0.0


# -- other statuses --------------------------------------------------------------------------


def test_409_raises_conflict_error_carrying_the_body() -> None:
    body = [{"error_key": "contacts.api.conflict", "error_message": "Email already exists for contact abc"}]
    recorder = Recorder(httpx.Response(409, json=body))
    with make(recorder) as http, pytest.raises(ConflictError) as caught:
        http.request("POST", "/contacts", json={})
    assert caught.value.status == 409 and "Email already exists for contact abc" in caught.value.body
    assert len(recorder.requests) == 1


def test_400_raises_api_error_with_the_body_and_no_retry() -> None:
    body = [{"error_key": "contacts.api.validation.error", "error_message": "bad email"}]
    recorder = Recorder(httpx.Response(400, json=body))
    with make(recorder) as http, pytest.raises(ApiError) as caught:
        http.request("PUT", "/contacts/c1", json={})
    err = caught.value
    assert type(err) is ApiError and err.status == 400 and "bad email" in str(err)
    assert len(recorder.requests) == 1


def test_status_listed_in_expected_is_returned() -> None:
    with make(Recorder(httpx.Response(404))) as http:
        assert http.request("GET", "/contacts/gone", expected=(200, 404)).status_code == 404


def test_none_params_are_left_out() -> None:
    recorder = Recorder(ok())
    with make(recorder) as http:
        http.request("GET", "/contacts", params={"limit": 500, "email": None})
    assert parse_qs(recorder.requests[0].url.query.decode()) == {"limit": ["500"]}


# -- addressing ------------------------------------------------------------------------------


def test_request_path_is_joined_onto_the_base_path() -> None:
    recorder = Recorder(ok())
    with make(recorder) as http:
        http.request("GET", "/contacts", params={"limit": 2})
        http.request("GET", "contact_lists")
    assert [str(r.url) for r in recorder.requests] == [f"{BASE}/contacts?limit=2", f"{BASE}/contact_lists"]


def test_follow_resolves_root_relative_href_against_the_origin() -> None:
    recorder = Recorder(ok())
    with make(recorder) as http:
        http.follow("/v3/contacts?cursor=abc")
    assert str(recorder.requests[0].url) == "http://127.0.0.1:8080/v3/contacts?cursor=abc"


def test_follow_uses_an_absolute_href_on_the_same_origin_as_is() -> None:
    with make(Recorder(ok())) as http:
        assert http.resolve_href(f"{BASE}/contacts?cursor=x") == f"{BASE}/contacts?cursor=x"


def test_follow_resolves_a_bare_relative_href_against_the_base_path() -> None:
    with make(Recorder(ok())) as http:
        assert http.resolve_href("contacts?cursor=x") == f"{BASE}/contacts?cursor=x"


def test_a_url_on_another_origin_is_refused_so_credentials_stay_home() -> None:
    recorder = Recorder(ok())
    with make(recorder, auth=BearerAuth(TOKEN)) as http:
        with pytest.raises(ValueError, match="refusing"):
            http.follow("https://evil.example/v3/contacts")
        with pytest.raises(ValueError, match="refusing"):
            http.request("GET", "https://evil.example/x")
    assert recorder.requests == []


def test_base_url_must_be_absolute() -> None:
    with pytest.raises(ConfigError):
        Transport("api.cc.email/v3", auth=None)


# -- secrets ---------------------------------------------------------------------------------


def test_tokens_never_appear_in_error_strings() -> None:
    auth = BearerAuth(TOKEN)
    echo = httpx.Response(400, text=f"you sent Authorization: Bearer {TOKEN} and api_key={API_KEY}")
    http = make(Recorder(echo), auth=auth, default_params={"api_key": API_KEY})
    with http, pytest.raises(ApiError) as caught:
        http.request("GET", "/contacts", params={"access_token": "inline-token-5555"})
    url = caught.value.url or ""
    text = str(caught.value) + url + caught.value.body
    for secret in (TOKEN, API_KEY, "inline-token-5555"):
        assert secret not in text
    assert "api_key=***" in url and "access_token=***" in url


def test_tokens_never_appear_in_captured_logs() -> None:
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="cid", client_secret=CLIENT_SECRET)
    recorder = Recorder(httpx.Response(503), ok())
    with make(recorder, auth=auth, default_params={"api_key": API_KEY}) as http, capture_logs() as logs:
        http.request("GET", "/contacts")
    events = [e["event"] for e in logs]
    assert events == ["http_request", "http_retry", "http_request"]
    dumped = json.dumps(logs, default=str)
    for secret in (TOKEN, REFRESH, CLIENT_SECRET, API_KEY):
        assert secret not in dumped
    first = logs[0]
    assert first["log_level"] == "debug" and first["status"] == 503 and first["attempt"] == 1
    assert "elapsed_ms" in first and first["url"] == f"{BASE}/contacts?api_key=***"
    assert logs[1]["log_level"] == "info" and logs[1]["reason"] == "503 Service Unavailable"
    # The key was still sent: redaction is for display only.
    assert recorder.requests[0].url.params["api_key"] == API_KEY


def test_api_key_default_param_is_registered_as_secret() -> None:
    with make(Recorder(ok()), default_params={"api_key": "apikey-registered-6666", "format": "json"}):
        assert "apikey-registered-6666" in known_secrets()
        assert "json" not in known_secrets()


def test_basic_auth_password_is_registered_and_sent() -> None:
    recorder = Recorder(ok())
    with make(recorder, auth=httpx.BasicAuth("anyuser", "basic-pass-7777")) as http:
        http.request("GET", "/lists")
    assert "basic-pass-7777" in known_secrets()
    expected = "Basic " + base64.b64encode(b"anyuser:basic-pass-7777").decode()
    assert recorder.requests[0].headers["Authorization"] == expected


def test_bearer_token_is_sent_with_user_agent() -> None:
    recorder = Recorder(ok())
    with make(recorder, auth=BearerAuth(TOKEN), user_agent="reconciler/test") as http:
        http.request("GET", "/contacts")
    headers = recorder.requests[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}" and headers["User-Agent"] == "reconciler/test"


def test_redact_masks_known_secrets_including_url_encoded_ones() -> None:
    text = "token a+b/c= then a%2Bb%2Fc%3D and plain"
    assert redact(text, ["a+b/c="]) == "token *** then *** and plain"


def test_redact_masks_credential_shapes_without_being_told_the_value() -> None:
    text = (
        'Authorization: Bearer eyJhbGciOi.abc-def_ghi '
        'url?api_key=k123&cursor=c1 {"refresh_token": "r-999"} Basic dXNlcjpwYXNzd29yZA== '
        "https://user:hunter22@host/x"
    )
    out = redact(text, [])
    for leaked in ("eyJhbGciOi", "k123", "r-999", "dXNlcjpwYXNzd29yZA", "hunter22"):
        assert leaked not in out
    assert "cursor=c1" in out and "Bearer ***" in out and "api_key=***" in out


def test_redact_leaves_ordinary_text_alone() -> None:
    text = 'basic auth setup; error_key=throttled [{"error_key": "quota_exceeded"}]'
    assert redact(text, []) == text


def test_redacting_processor_masks_every_string_value_including_nested_ones() -> None:
    processor = redacting_processor(lambda: ["s3cr3t-value"])
    event = {
        "event": "boom s3cr3t-value",
        "url": "http://h/x?token=abc",
        "nested": {"list": ["s3cr3t-value", 5], "tuple": ("Bearer xyz",)},
        "count": 3,
    }
    out = processor(None, "info", event)
    assert out == {
        "event": "boom ***",
        "url": "http://h/x?token=***",
        "nested": {"list": ["***", 5], "tuple": ("Bearer ***",)},
        "count": 3,
    }


def test_redacting_processor_sees_secrets_registered_after_it_was_made() -> None:
    processor = redacting_processor(known_secrets)
    register_secret("late-secret-8888")
    assert processor(None, "info", {"event": "late-secret-8888"}) == {"event": "***"}


def test_register_secret_ignores_values_too_short_to_be_credentials() -> None:
    register_secret("ab")
    register_secret(None)
    assert "ab" not in known_secrets()


# -- OAuth refresh ---------------------------------------------------------------------------


class TokenServer:
    """The API plus the token endpoint: only the newest access token is accepted."""

    def __init__(self, *, rotate: bool = True) -> None:
        self.valid = "tok-new-1"
        self.refresh = REFRESH
        self.rotate = rotate
        self.token_calls: list[httpx.Request] = []
        # Header values, not requests: the auth flow re-sends the same (mutated) request object.
        self.api_auth: list[str | None] = []
        self.issued = 1

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/v1/token"):
            self.token_calls.append(request)
            form = parse_qs(request.content.decode())
            if form.get("refresh_token") != [self.refresh]:
                return httpx.Response(400, json={"error": "invalid_grant"})
            body = {"access_token": self.valid, "token_type": "Bearer", "expires_in": 86400}
            if self.rotate:
                self.refresh = f"tok-refresh-rotated-{self.issued}"
                body["refresh_token"] = self.refresh
            return httpx.Response(200, json=body)
        self.api_auth.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != f"Bearer {self.valid}":
            return httpx.Response(401, json={"error_key": "unauthorized", "error_message": "Unauthorized"})
        return ok({"contacts": []})

    def expire(self) -> None:
        self.issued += 1
        self.valid = f"tok-new-{self.issued}"


def test_401_triggers_exactly_one_refresh_then_retries_with_the_new_token() -> None:
    server = TokenServer()
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="cid", client_secret=CLIENT_SECRET)
    with make(Recorder(server), auth=auth) as http:
        assert http.get_json("/contacts") == {"contacts": []}
    assert len(server.token_calls) == 1
    assert server.api_auth == [f"Bearer {TOKEN}", "Bearer tok-new-1"]
    assert auth.access_token == "tok-new-1" and auth.refreshes == 1
    assert "tok-new-1" in known_secrets()


def test_rotated_refresh_token_is_kept_for_the_next_refresh() -> None:
    server = TokenServer()
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="cid", client_secret=CLIENT_SECRET)
    with make(Recorder(server), auth=auth) as http:
        http.request("GET", "/contacts")
        server.expire()
        http.request("GET", "/contacts")
    assert len(server.token_calls) == 2
    second_form = parse_qs(server.token_calls[1].content.decode())
    assert second_form["refresh_token"] == ["tok-refresh-rotated-1"]
    assert auth.refresh_token == server.refresh


def test_refresh_uses_basic_auth_when_a_client_secret_is_given() -> None:
    server = TokenServer()
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="cid", client_secret=CLIENT_SECRET)
    with make(Recorder(server), auth=auth) as http:
        http.request("GET", "/contacts")
    call = server.token_calls[0]
    assert str(call.url) == "https://authz.constantcontact.com/oauth2/default/v1/token"
    basic = base64.b64encode(f"cid:{CLIENT_SECRET}".encode()).decode()
    assert call.headers["Authorization"] == f"Basic {basic}"
    form = parse_qs(call.content.decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": [REFRESH]}


def test_refresh_sends_client_id_in_the_form_without_a_secret() -> None:
    server = TokenServer()
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="pkce-app")
    with make(Recorder(server), auth=auth) as http:
        http.request("GET", "/contacts")
    call = server.token_calls[0]
    assert "Authorization" not in call.headers
    assert parse_qs(call.content.decode())["client_id"] == ["pkce-app"]


def test_401_after_a_refresh_is_not_refreshed_again() -> None:
    def always_401(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/v1/token"):
            return httpx.Response(200, json={"access_token": "tok-useless-9999"})
        return httpx.Response(401, json={"error_key": "unauthorized", "error_message": "Unauthorized"})

    recorder = Recorder(always_401)
    auth = BearerAuth(TOKEN, refresh_token=REFRESH, client_id="cid")
    with make(recorder, auth=auth) as http, pytest.raises(ApiError) as caught:
        http.request("GET", "/contacts")
    paths = [r.url.path for r in recorder.requests]
    assert paths == ["/v3/contacts", "/oauth2/default/v1/token", "/v3/contacts"]
    assert caught.value.status == 401 and "access token" in caught.value.message
    assert auth.refresh_token == REFRESH  # no rotation offered, so the old one stays


def test_401_without_a_refresh_token_is_an_api_error() -> None:
    recorder = Recorder(httpx.Response(401))
    with make(recorder, auth=BearerAuth(TOKEN)) as http, pytest.raises(ApiError) as caught:
        http.request("GET", "/contacts")
    assert caught.value.status == 401 and len(recorder.requests) == 1


def test_rejected_refresh_raises_config_error_without_leaking_tokens() -> None:
    server = TokenServer()
    stale = "tok-refresh-stale-0000"
    auth = BearerAuth(TOKEN, refresh_token=stale, client_id="cid", client_secret=CLIENT_SECRET)
    with make(Recorder(server), auth=auth) as http, pytest.raises(ConfigError) as caught:
        http.request("GET", "/contacts")
    assert "invalid_grant" in str(caught.value) and "authorize the app again" in str(caught.value)
    for secret in (TOKEN, stale, CLIENT_SECRET):
        assert secret not in str(caught.value)


def test_refresh_token_without_client_id_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="client id"):
        BearerAuth(TOKEN, refresh_token=REFRESH)


# -- bookkeeping -----------------------------------------------------------------------------


def test_stats_count_methods_retries_and_failures() -> None:
    throttled = httpx.Response(429, json={"error_key": "throttled"})
    recorder = Recorder(throttled, httpx.Response(500), ok(), ok({}, 201))
    with make(recorder) as http:
        http.request("GET", "/contacts")
        http.request("POST", "/contacts", json={})
    stats = http.stats.as_dict()
    assert stats["by_method"] == {"GET": 3, "POST": 1}
    assert stats["requests"] == 4 and stats["retries"] == 2
    assert stats["throttled"] == 1 and stats["server_errors"] == 1 and stats["quota_hits"] == 0


def test_context_manager_closes_the_client() -> None:
    with make(Recorder(ok())) as http:
        assert not http.closed
    assert http.closed


def test_retry_policy_rejects_zero_attempts() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
