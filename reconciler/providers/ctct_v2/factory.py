"""Builds the v2 provider from a base URL and the environment (never from manifests).

    CTCT_V2_API_KEY       the application's API key, sent as the api_key query parameter
    CTCT_V2_ACCESS_TOKEN  the account's OAuth2 access token, sent as a Bearer header
                          (either may instead be read from the file CTCT_V2_*_FILE names)
    CTCT_V2_BASE_URL      default https://api.constantcontact.com/v2
    RECONCILER_CTCT_V2_CUSTOM_FIELDS   custom-field names for the CustomField1..15 slots

v2 tokens are issued for about ten years and v2 has no refresh flow, so none is configured."""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.errors import ConfigError
from reconciler.providers.ctct_v2.provider import CtctV2Provider
from reconciler.providers.ctct_v2.settings import SlotNames
from reconciler.providers.env import secret_from_env
from reconciler.transport import BearerAuth, RetryPolicy, Transport, register_secret

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "DEFAULT_BASE_URL", "TOKEN_ENV", "build"]

DEFAULT_BASE_URL = "https://api.constantcontact.com/v2"
BASE_URL_ENV = "CTCT_V2_BASE_URL"
API_KEY_ENV = "CTCT_V2_API_KEY"
TOKEN_ENV = "CTCT_V2_ACCESS_TOKEN"


def build(
    base_url: str | None,
    env: Mapping[str, str],
    rate_per_second: float,
    retry: RetryPolicy | None = None,
) -> CtctV2Provider:
    api_key, token = secret_from_env(env, API_KEY_ENV), secret_from_env(env, TOKEN_ENV)
    if api_key is None or token is None:
        missing = [n for n, v in ((API_KEY_ENV, api_key), (TOKEN_ENV, token)) if v is None]
        raise ConfigError(
            f"missing Constant Contact v2 credentials: set {' and '.join(missing)} (or the *_FILE "
            "variant) to the application's API key and the account's access token, or use --sim to "
            "run against the embedded simulator"
        )
    register_secret(api_key)
    url = (base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    transport = Transport(
        url,
        auth=BearerAuth(token),
        rate_per_second=rate_per_second,  # v2 allows 4 calls/second per key
        retry=retry or RetryPolicy(),
        default_params={"api_key": api_key},
        headers={"Content-Type": "application/json"},
    )
    return CtctV2Provider(transport, url, SlotNames.from_env(env))
