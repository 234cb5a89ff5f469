"""Webhook notifications of drift runs.

The URL comes from the environment (`RECONCILER_WEBHOOK_URL`) and is treated as a secret:
chat webhooks carry their credential in the path, so it is registered with the log redactor
and never logged, not even inside an error message (failures are logged by type and status).
A webhook that fails is logged and forgotten: it never fails a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import structlog

from reconciler.transport import register_secret

__all__ = ["WEBHOOK_ENV", "WebhookNotifier"]

WEBHOOK_ENV = "RECONCILER_WEBHOOK_URL"
_TIMEOUT = 10.0

log = structlog.get_logger()


class WebhookNotifier:
    def __init__(self, url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        register_secret(url)
        self._url = url
        self._client = httpx.Client(timeout=_TIMEOUT, transport=transport, follow_redirects=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookNotifier | None:
        url = env.get(WEBHOOK_ENV, "").strip()
        return cls(url) if url else None

    def notify(self, payload: Mapping[str, Any]) -> bool:
        """POST `payload` as JSON; whether the receiver accepted it (2xx). Never raises."""
        try:
            response = self._client.post(self._url, json=dict(payload))
        except httpx.HTTPError as exc:
            log.warning("webhook_failed", error=type(exc).__name__)
            return False
        if not response.is_success:
            log.warning("webhook_failed", status=response.status_code)
            return False
        log.info("webhook_sent", status=response.status_code)
        return True

    def close(self) -> None:
        self._client.close()
