"""Builds the v3 provider from a base URL and the environment (never from manifests).

CTCT_ACCESS_TOKEN    OAuth2 access token (or CTCT_ACCESS_TOKEN_FILE)
CTCT_REFRESH_TOKEN   optional, with CTCT_CLIENT_ID (and CTCT_CLIENT_SECRET): refresh once on a 401
CTCT_TOKEN_URL       token endpoint override
CTCT_BASE_URL        default https://api.cc.email/v3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.errors import ConfigError
from reconciler.providers.ctct_v3.provider import DEFAULT_BASE_URL, CtctV3Provider
from reconciler.providers.env import secret_from_env
from reconciler.transport import BearerAuth, RetryPolicy, Transport

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "build"]

BASE_URL_ENV = "CTCT_BASE_URL"


def build(
    base_url: str | None, env: Mapping[str, str], rate_per_second: float, retry: RetryPolicy | None = None
) -> CtctV3Provider:
    token = secret_from_env(env, "CTCT_ACCESS_TOKEN")
    if not token:
        raise ConfigError(
            "no access token: set CTCT_ACCESS_TOKEN (or CTCT_ACCESS_TOKEN_FILE) to a Constant Contact v3 "
            "OAuth access token, or use --sim to run against the embedded simulator"
        )
    extra: dict[str, Any] = {"token_url": env["CTCT_TOKEN_URL"]} if env.get("CTCT_TOKEN_URL") else {}
    auth = BearerAuth(
        token,
        refresh_token=secret_from_env(env, "CTCT_REFRESH_TOKEN"),
        client_id=env.get("CTCT_CLIENT_ID"),
        client_secret=secret_from_env(env, "CTCT_CLIENT_SECRET"),
        **extra,
    )
    url = (base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    transport = Transport(url, auth=auth, rate_per_second=rate_per_second, retry=retry or RetryPolicy())
    return CtctV3Provider(transport, url)
