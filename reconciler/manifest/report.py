"""How manifest problems are worded: suggestions for misspelt keys, type names, secret keys."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from typing import Any

__all__ = ["describe", "is_secret_key", "secret_message", "suggest", "unknown_key"]

# Compared against the key lowercased with separators removed, so that access_token,
# accessToken, ACCESS-TOKEN and "api key" are all caught.
_SECRET_WORDS = ("token", "password", "passwd", "secret", "apikey")
_secret_cache: dict[str, bool] = {}


def suggest(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(options)}"


def unknown_key(key: str, options: Sequence[str]) -> str:
    return f"unknown key '{key}'" + suggest(key, options)


def describe(value: Any) -> str:
    """What the user wrote, as a type name for 'must be X, not Y' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def is_secret_key(key: str) -> bool:
    """Keys are few and repeat for every contact, so the answer is cached per key."""
    known = _secret_cache.get(key)
    if known is None:
        compact = "".join(ch for ch in key.lower() if ch.isalnum())
        known = any(word in compact for word in _SECRET_WORDS)
        if len(_secret_cache) < 10_000:
            _secret_cache[key] = known
    return known


def _variable(key: str) -> str:
    compact = "".join(ch for ch in key.lower() if ch.isalnum())
    if "refresh" in compact:
        return "CTCT_REFRESH_TOKEN"
    if "secret" in compact:
        return "CTCT_CLIENT_SECRET"
    return "CTCT_ACCESS_TOKEN"


def secret_message(key: str) -> str:
    variable = _variable(key)
    return (
        f"secrets must come from environment variables, not manifests: remove '{key}' "
        f"and set {variable} (or {variable}_FILE) instead"
    )
