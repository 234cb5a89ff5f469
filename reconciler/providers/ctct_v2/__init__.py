"""Constant Contact v2, the JSON API of api.constantcontact.com/v2 (see ../shared/api/ctct-v2.md).

`build(base_url, env, rate_per_second)` makes a provider from environment credentials:
CTCT_V2_API_KEY and CTCT_V2_ACCESS_TOKEN (or *_FILE), base URL CTCT_V2_BASE_URL, custom-field
slot names RECONCILER_CTCT_V2_CUSTOM_FIELDS."""

from reconciler.providers.ctct_v2.factory import BASE_URL_ENV, DEFAULT_BASE_URL, build
from reconciler.providers.ctct_v2.provider import CAPABILITIES, CtctV2Provider
from reconciler.providers.ctct_v2.settings import SlotNames

__all__ = ["BASE_URL_ENV", "CAPABILITIES", "DEFAULT_BASE_URL", "CtctV2Provider", "SlotNames", "build"]
