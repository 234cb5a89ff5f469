"""Builds the Everlytic providers from a base URL and the environment.

Credentials (never in manifests): EVERLYTIC_USERNAME and EVERLYTIC_API_KEY (or
EVERLYTIC_API_KEY_FILE naming a file that holds the key), sent as HTTP Basic on every
request, REST and XML-RPC alike; hence a non-loopback base URL must be HTTPS. The base URL
(EVERLYTIC_BASE_URL) is the customer's own install: https://{install}/api/2.0, given either
in full or as just the host; the XML-RPC variant posts to {base}/xmlrpc/."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from reconciler.errors import ConfigError
from reconciler.providers.env import secret_from_env
from reconciler.providers.everlytic.api import RestApi
from reconciler.providers.everlytic.provider import CAPABILITIES, EverlyticProvider
from reconciler.providers.everlytic.settings import EverlyticSettings
from reconciler.transport import RetryPolicy, Transport, register_secret

__all__ = ["API_KEY_ENV", "BASE_URL_ENV", "DEFAULT_BASE_URL", "USERNAME_ENV", "api_root", "build", "connect"]

# The documented example install; most customers have their own host, so set EVERLYTIC_BASE_URL.
DEFAULT_BASE_URL = "https://live.everlytic.net/api/2.0"
BASE_URL_ENV = "EVERLYTIC_BASE_URL"
USERNAME_ENV = "EVERLYTIC_USERNAME"
API_KEY_ENV = "EVERLYTIC_API_KEY"
_API_PATH = "/api/2.0"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def api_root(base_url: str) -> str:
    """`base_url` completed to https://host/api/2.0 (a trailing /xmlrpc/ is dropped)."""
    url = httpx.URL(base_url.strip().rstrip("/"))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"{BASE_URL_ENV} must be an absolute https URL such as {DEFAULT_BASE_URL}, got '{base_url}'"
        )
    if url.scheme != "https" and url.host not in _LOOPBACK:
        raise ConfigError(
            "Everlytic sends the API key on every request, so only HTTPS is accepted; use an https:// base "
            f"URL (plain http is allowed only for a local simulator), not '{base_url}'"
        )
    path = url.path.rstrip("/").removesuffix("/xmlrpc")
    if not path.endswith(_API_PATH):
        path += _API_PATH
    return str(url.copy_with(path=path, query=None, fragment=None))


def connect(
    base_url: str | None,
    env: Mapping[str, str],
    rate_per_second: float,
    retry: RetryPolicy | None,
    headers: Mapping[str, str] | None = None,
) -> tuple[Transport, str, EverlyticSettings]:
    """(transport, API root, settings) for either variant; raises ConfigError naming what is missing."""
    username = (env.get(USERNAME_ENV) or "").strip()
    api_key = secret_from_env(env, API_KEY_ENV)
    missing = [name for name, value in ((USERNAME_ENV, username), (API_KEY_ENV, api_key)) if not value]
    if missing or api_key is None:
        raise ConfigError(
            f"missing Everlytic credentials: set {' and '.join(missing)} (the API user's name and its API "
            f"key; the key may also come from {API_KEY_ENV}_FILE), or use --sim to run against the simulator"
        )
    register_secret(api_key)
    settings = EverlyticSettings.from_env(env)
    root = api_root(base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    transport = Transport(
        root,
        auth=httpx.BasicAuth(username, api_key),
        rate_per_second=rate_per_second,
        retry=retry or RetryPolicy(),
        headers=headers,
    )
    return transport, root, settings


def build(
    base_url: str | None, env: Mapping[str, str], rate_per_second: float, retry: RetryPolicy | None = None
) -> EverlyticProvider:
    """The REST variant (provider name "everlytic")."""
    transport, root, settings = connect(base_url, env, rate_per_second, retry)
    return EverlyticProvider(RestApi(transport), CAPABILITIES, root, settings)
