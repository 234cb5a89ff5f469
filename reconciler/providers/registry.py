"""Builds a provider from a name, a base URL and credentials from the environment.

Credentials are read from environment variables (or files they point to), never from manifests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.providers.ctct_v3.provider import DEFAULT_BASE_URL as CTCT_V3_URL
from reconciler.providers.ctct_v3.provider import CtctV3Provider
from reconciler.transport import BearerAuth, RetryPolicy, Transport

__all__ = ["PROVIDERS", "ProviderOptions", "build_provider", "default_base_url"]

PROVIDERS = ("ctct-v3",)
_DEFAULT_URLS = {"ctct-v3": CTCT_V3_URL}
_BASE_URL_ENV = {"ctct-v3": "CTCT_BASE_URL"}


@dataclass(frozen=True, slots=True)
class ProviderOptions:
    name: str = "ctct-v3"
    base_url: str | None = None
    rate_per_second: float = 4.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    target: str | None = None  # a stable name for plans when the URL is not (the embedded simulator)


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """NAME, or the contents of the file NAME_FILE points to (for mounted secrets)."""
    if env.get(name):
        return env[name].strip()
    path = env.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as err:
            raise ConfigError(f"cannot read {name}_FILE ({path}): {err.strerror}") from err
    return None


def default_base_url(name: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(_BASE_URL_ENV.get(name, ""), "") or _DEFAULT_URLS[name]


def build_provider(options: ProviderOptions, env: Mapping[str, str] | None = None) -> CtctV3Provider:
    env = os.environ if env is None else env
    if options.name not in PROVIDERS:
        raise ConfigError(f"unknown provider '{options.name}'; this version supports: {', '.join(PROVIDERS)}")
    base_url = (options.base_url or default_base_url(options.name, env)).rstrip("/")
    token = _secret(env, "CTCT_ACCESS_TOKEN")
    if not token:
        raise ConfigError(
            "no access token: set CTCT_ACCESS_TOKEN (or CTCT_ACCESS_TOKEN_FILE) to a Constant Contact v3 "
            "OAuth access token, or use --sim to run against the embedded simulator"
        )
    auth = BearerAuth(
        token,
        refresh_token=_secret(env, "CTCT_REFRESH_TOKEN"),
        client_id=env.get("CTCT_CLIENT_ID"),
        client_secret=_secret(env, "CTCT_CLIENT_SECRET"),
        **({"token_url": env["CTCT_TOKEN_URL"]} if env.get("CTCT_TOKEN_URL") else {}),
    )
    transport = Transport(base_url, auth=auth, rate_per_second=options.rate_per_second, retry=options.retry)
    return CtctV3Provider(transport, base_url, target=options.target)
