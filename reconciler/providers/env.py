"""Credentials from the environment: NAME, or the contents of the file NAME_FILE points to
(Kubernetes and Docker mount secrets as files). Never from manifests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ConfigError

__all__ = ["secret_from_env"]


def secret_from_env(env: Mapping[str, str], name: str) -> str | None:
    if (env.get(name) or "").strip():
        return env[name].strip()
    path = env.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as err:
        raise ConfigError(f"cannot read {name}_FILE ({path}): {err.strerror}") from err
