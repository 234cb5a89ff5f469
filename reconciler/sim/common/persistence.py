"""The state file every simulator reads and writes: a versioned JSON object, saved
atomically. Each store decides what goes in the state; this module owns the file."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

__all__ = ["PRETTY_LIMIT", "STATE_VERSION", "PersistentStore", "check_version", "utcnow", "write_state"]

STATE_VERSION = 1
# Above this many contacts the state file is written compactly: json's indenting encoder is
# pure Python and would make saving a large benchmark account slow.
PRETTY_LIMIT = 5_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_version(state: Mapping[str, Any]) -> None:
    if state.get("version", STATE_VERSION) != STATE_VERSION:
        raise ValueError(f"unsupported state version {state.get('version')!r}")


def write_state(path: str | os.PathLike[str], state: Mapping[str, Any], *, pretty: bool = True) -> None:
    """Atomic: written beside the target, then renamed over it, so a crash mid-save leaves
    the previous file intact."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    # json.dumps, not json.dump: only the one-shot path uses the C encoder.
    text = json.dumps(state, indent=1 if pretty else None)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, target)


class PersistentStore:
    """The lock, clock and state-file constructors every simulator's store has. Subclasses
    implement `load_state` (replacing everything, or nothing on a bad state)."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        # Re-entrant: the app may be served from a thread while a test or benchmark seeds the
        # same store directly, and the service modules nest store calls.
        self.lock = threading.RLock()
        self.clock = clock or utcnow

    @classmethod
    def from_state(cls, state: Mapping[str, Any], clock: Callable[[], datetime] | None = None) -> Self:
        store = cls(clock)
        store.load_state(state)
        return store

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Self:
        with open(path, encoding="utf-8") as fh:
            return cls.from_state(json.load(fh))

    def load_state(self, state: Mapping[str, Any]) -> None:
        raise NotImplementedError
