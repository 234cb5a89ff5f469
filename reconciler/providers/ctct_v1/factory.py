"""Builds the v1 provider from a base URL and the environment.

Credentials (never in manifests): CTCT_V1_API_KEY, CTCT_V1_USERNAME (the Constant Contact
login name) and CTCT_V1_PASSWORD; the key and password may instead be read from the files
that CTCT_V1_API_KEY_FILE / CTCT_V1_PASSWORD_FILE name. HTTP Basic sends them on every
request as "{api key}%{login name}" : password, which is why a non-loopback base URL must be
HTTPS. The base URL (CTCT_V1_BASE_URL) may be the API host, .../ws/customers, or the full
service root .../ws/customers/{login name}; the rest is filled in."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

import httpx

from reconciler.errors import ConfigError
from reconciler.providers.ctct_v1.atom import MEDIA_TYPE
from reconciler.providers.ctct_v1.provider import CtctV1Provider
from reconciler.providers.ctct_v1.settings import V1Settings
from reconciler.providers.env import secret_from_env
from reconciler.transport import RetryPolicy, Transport, register_secret

__all__ = ["BASE_URL_ENV", "DEFAULT_BASE_URL", "build", "service_root"]

DEFAULT_BASE_URL = "https://api.constantcontact.com/ws/customers"
BASE_URL_ENV = "CTCT_V1_BASE_URL"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def service_root(base_url: str, username: str) -> str:
    """`base_url` completed to https://host/ws/customers/{username}."""
    url = httpx.URL(base_url.strip().rstrip("/"))
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(f"{BASE_URL_ENV} must be an absolute https URL, got '{base_url}'")
    if url.scheme != "https" and url.host not in _LOOPBACK:
        raise ConfigError(
            "Constant Contact v1 sends the account password on every request, so it accepts only HTTPS; "
            f"use an https:// base URL (plain http is allowed only for a local simulator), not '{base_url}'"
        )
    user = quote(username, safe="")
    path = url.path.rstrip("/")
    if path.endswith(f"/ws/customers/{user}"):
        pass
    elif path.endswith("/ws/customers"):
        path += f"/{user}"
    else:
        path += f"/ws/customers/{user}"
    return str(url.copy_with(path=path, query=None, fragment=None))


def build(
    base_url: str | None,
    env: Mapping[str, str],
    rate_per_second: float,
    retry: RetryPolicy | None = None,
) -> CtctV1Provider:
    api_key = secret_from_env(env, "CTCT_V1_API_KEY")
    username = (env.get("CTCT_V1_USERNAME") or "").strip()
    password = secret_from_env(env, "CTCT_V1_PASSWORD")
    missing = [
        name
        for name, value in (
            ("CTCT_V1_API_KEY", api_key),
            ("CTCT_V1_USERNAME", username),
            ("CTCT_V1_PASSWORD", password),
        )
        if not value
    ]
    if missing or api_key is None or password is None:
        raise ConfigError(
            f"missing Constant Contact v1 credentials: set {', '.join(missing)} (the API key, the account's "
            "login name and its password; the key and password may also come from *_FILE variables), "
            "or use --sim to run against the embedded simulator"
        )
    register_secret(api_key)
    register_secret(password)
    root = service_root(base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL, username)
    transport = Transport(
        root,
        auth=httpx.BasicAuth(f"{api_key}%{username}", password),
        rate_per_second=rate_per_second,
        retry=retry or RetryPolicy(),
        headers={"Accept": MEDIA_TYPE},
    )
    return CtctV1Provider(transport, root, V1Settings.from_env(env))
