"""Everlytic API 2.0 (see ../shared/api/everlytic.md), REST ("everlytic") and XML-RPC
("everlytic-xmlrpc") over one mapping and one provider class.

`build(base_url, env, rate_per_second)` / `build_xmlrpc(...)` make a provider from
EVERLYTIC_USERNAME and EVERLYTIC_API_KEY (or EVERLYTIC_API_KEY_FILE), base URL
EVERLYTIC_BASE_URL; optional settings RECONCILER_EVERLYTIC_CUSTOM_FIELDS,
RECONCILER_EVERLYTIC_ADDRESS_KIND and RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL (settings.py)."""

from reconciler.providers.everlytic.factory import BASE_URL_ENV, DEFAULT_BASE_URL, api_root, build
from reconciler.providers.everlytic.mapping import SUPPORTED_FIELDS
from reconciler.providers.everlytic.provider import CAPABILITIES, EverlyticProvider
from reconciler.providers.everlytic.settings import EverlyticSettings
from reconciler.providers.everlytic.xmlrpc import XMLRPC_CAPABILITIES, build_xmlrpc

__all__ = [
    "BASE_URL_ENV",
    "CAPABILITIES",
    "DEFAULT_BASE_URL",
    "SUPPORTED_FIELDS",
    "XMLRPC_CAPABILITIES",
    "EverlyticProvider",
    "EverlyticSettings",
    "api_root",
    "build",
    "build_xmlrpc",
]
