"""Every platform reconciler speaks, by the name used in `--provider` and `settings.provider`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reconciler.errors import ConfigError
from reconciler.providers import ctct_v1, ctct_v2, everlytic
from reconciler.providers.base import ReconcilingProvider
from reconciler.providers.ctct_v3 import factory as ctct_v3

__all__ = ["PROVIDERS", "ProviderEntry", "build_provider"]

Factory = Callable[[str | None, Mapping[str, str], float], ReconcilingProvider]


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    name: str
    build: Factory
    default_base_url: str
    base_url_env: str


PROVIDERS: dict[str, ProviderEntry] = {
    "ctct-v3": ProviderEntry("ctct-v3", ctct_v3.build, ctct_v3.DEFAULT_BASE_URL, ctct_v3.BASE_URL_ENV),
    "ctct-v2": ProviderEntry("ctct-v2", ctct_v2.build, ctct_v2.DEFAULT_BASE_URL, ctct_v2.BASE_URL_ENV),
    "ctct-v1": ProviderEntry("ctct-v1", ctct_v1.build, ctct_v1.DEFAULT_BASE_URL, ctct_v1.BASE_URL_ENV),
    "everlytic": ProviderEntry(
        "everlytic", everlytic.build, everlytic.DEFAULT_BASE_URL, everlytic.BASE_URL_ENV
    ),
    "everlytic-xmlrpc": ProviderEntry(
        "everlytic-xmlrpc", everlytic.build_xmlrpc, everlytic.DEFAULT_BASE_URL, everlytic.BASE_URL_ENV
    ),
}


def build_provider(
    name: str, base_url: str | None, *, rate_per_second: float = 4.0, env: Mapping[str, str] | None = None
) -> ReconcilingProvider:
    entry = PROVIDERS.get(name)
    if entry is None:
        raise ConfigError(f"unknown provider '{name}'; choose one of: {', '.join(PROVIDERS)}")
    return entry.build(base_url, os.environ if env is None else env, rate_per_second)
