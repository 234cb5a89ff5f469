"""The drift webhook: never fatal, and its URL never reaches a log."""

from __future__ import annotations

import httpx
from structlog.testing import capture_logs

from reconciler.notify import WEBHOOK_ENV, WebhookNotifier
from reconciler.transport import known_secrets

URL = "https://hooks.example.com/services/T000/B000/s3cr3t-path"


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)


def test_unreachable_webhook_is_logged_by_type_without_its_url() -> None:
    notifier = WebhookNotifier(URL, transport=httpx.MockTransport(_refuse))
    with capture_logs() as logs:
        assert notifier.notify({"outcome": "drift"}) is False
    assert [entry["event"] for entry in logs] == ["webhook_failed"]
    assert "s3cr3t" not in repr(logs)


def test_webhook_answering_an_error_is_logged_by_status_and_not_raised() -> None:
    notifier = WebhookNotifier(URL, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    with capture_logs() as logs:
        assert notifier.notify({"outcome": "drift"}) is False
    assert logs[0]["status"] == 500
    assert "s3cr3t" not in repr(logs)


def test_webhook_url_is_registered_as_a_secret_for_redaction() -> None:
    WebhookNotifier(URL, transport=httpx.MockTransport(lambda r: httpx.Response(204)))
    assert URL in known_secrets()


def test_no_webhook_without_the_environment_variable() -> None:
    assert WebhookNotifier.from_env({}) is None
    assert WebhookNotifier.from_env({WEBHOOK_ENV: "  "}) is None
    assert WebhookNotifier.from_env({WEBHOOK_ENV: URL}) is not None
