"""Constant Contact v1, the legacy XML/Atom API (see ../shared/api/ctct-v1-xml.md).

`build(base_url, env, rate_per_second)` makes a provider from environment credentials:
CTCT_V1_API_KEY, CTCT_V1_USERNAME, CTCT_V1_PASSWORD (or *_FILE), base URL CTCT_V1_BASE_URL,
custom-field slot names RECONCILER_CTCT_V1_CUSTOM_FIELDS."""

from reconciler.providers.ctct_v1.factory import BASE_URL_ENV, DEFAULT_BASE_URL, build, service_root
from reconciler.providers.ctct_v1.provider import CAPABILITIES, CtctV1Provider
from reconciler.providers.ctct_v1.settings import V1Settings

__all__ = [
    "BASE_URL_ENV",
    "CAPABILITIES",
    "DEFAULT_BASE_URL",
    "CtctV1Provider",
    "V1Settings",
    "build",
    "service_root",
]
