"""Blast-radius limits: stop a plan that changes far more than a manifest edit usually does.

A typo in `defaults:`, a list renamed in one file but not the others, a checkout that lost
half the manifests: each produces a plan that is valid and very large. The guards look only at
the plan and its inputs (pure); each violation says what tripped, the numbers, and the flag
that lets the run go ahead anyway.

The last-run state file (JSON, by target) remembers how many contacts the previous run
managed, so that an empty manifest set can be told apart from a first run.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ConfigError
from reconciler.model import Desired, Observed
from reconciler.plan import Action, Plan

__all__ = [
    "DEFAULT_LAST_RUN",
    "GuardLimits",
    "GuardStateError",
    "GuardViolation",
    "LastRun",
    "check_guards",
    "load_last_run",
    "save_last_run",
]

DEFAULT_LAST_RUN = Path(".reconciler/last-run.json")
_STATE_VERSION = 1
_ANY_TARGET = "*"  # the key used when the caller does not say which target a run was for


@dataclass(frozen=True, slots=True)
class GuardLimits:
    max_list_removals: int = 10  # (contact, list) pairs removed, over the whole plan
    max_changed_percent: float = 25.0  # of the managed contacts that exist on the account
    # Below this many existing managed contacts the percentage guard is off: changing 3 of 4
    # contacts is 75% and entirely ordinary for a small account.
    min_managed_for_percent: int = 20
    allow_mass_removal: bool = False
    allow_mass_change: bool = False
    allow_empty: bool = False


@dataclass(frozen=True, slots=True)
class GuardViolation:
    guard: str  # "mass-removal", "mass-change", "empty-manifests"
    message: str  # a sentence: what tripped, the numbers, the override flag
    override: str  # the CLI flag that lets the run go ahead
    actual: float
    limit: float

    def __str__(self) -> str:
        return self.message


def _applied(plan: Plan) -> list[Action]:
    # A refused change sends nothing, so it cannot do damage.
    return [c.action for c in plan.changes if c.action != Action.REFUSE]


def _mass_removal(plan: Plan, limits: GuardLimits) -> GuardViolation | None:
    per_list: Counter[str] = Counter()
    for change in plan.changes:
        if change.action != Action.REFUSE:
            per_list.update(change.lists_remove)
    total = sum(per_list.values())
    if total <= limits.max_list_removals:
        return None
    biggest = ", ".join(
        f"{name} {n}" for name, n in sorted(per_list.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    )
    return GuardViolation(
        guard="mass-removal",
        message=(
            f"The plan removes {total} list memberships ({biggest}), more than the limit of "
            f"{limits.max_list_removals}. If that is intended, re-run with --allow-mass-removal."
        ),
        override="--allow-mass-removal",
        actual=total,
        limit=limits.max_list_removals,
    )


def _mass_change(
    plan: Plan, desired: Desired, observed: Observed, limits: GuardLimits
) -> GuardViolation | None:
    # Creates are left out: adding contacts that do not exist yet overwrites nothing.
    existing = sum(1 for c in desired.contacts if c.key in observed.contacts)
    if existing < max(1, limits.min_managed_for_percent):
        return None
    changed = sum(1 for a in _applied(plan) if a in (Action.UPDATE, Action.REVIVE))
    percent = 100.0 * changed / existing
    if percent <= limits.max_changed_percent:
        return None
    return GuardViolation(
        guard="mass-change",
        message=(
            f"The plan changes {changed} of the {existing} managed contacts on the account "
            f"({percent:.1f}%), more than the limit of {limits.max_changed_percent:g}%. "
            "If that is intended, re-run with --allow-mass-change."
        ),
        override="--allow-mass-change",
        actual=round(percent, 1),
        limit=limits.max_changed_percent,
    )


def _empty(desired: Desired, previous_managed: int | None) -> GuardViolation | None:
    if desired.contacts or not previous_managed:
        return None
    return GuardViolation(
        guard="empty-manifests",
        message=(
            f"The manifests declare no contacts, but the last run managed {previous_managed}. "
            "Check that the manifest directory is the right one and complete; if emptying it is "
            "intended, re-run with --allow-empty."
        ),
        override="--allow-empty",
        actual=0,
        limit=previous_managed,
    )


def check_guards(
    plan: Plan,
    desired: Desired,
    observed: Observed,
    limits: GuardLimits,
    previous_managed: int | None = None,
) -> list[GuardViolation]:
    """Every guard the plan trips and the user has not overridden; empty means go ahead."""
    found = [
        None if limits.allow_mass_removal else _mass_removal(plan, limits),
        None if limits.allow_mass_change else _mass_change(plan, desired, observed, limits),
        None if limits.allow_empty else _empty(desired, previous_managed),
    ]
    return [v for v in found if v is not None]


# -- the last-run state file ---------------------------------------------------------------------


class GuardStateError(ConfigError):
    pass


@dataclass(frozen=True, slots=True)
class LastRun:
    managed_count: int
    digest: str


def _read_state(path: Path) -> dict[str, dict[str, object]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise GuardStateError(f"{path} cannot be read ({e}); delete it to start afresh") from e
    runs = doc.get("runs") if isinstance(doc, dict) and doc.get("version") == _STATE_VERSION else None
    if not isinstance(runs, dict):
        raise GuardStateError(f"{path} is not a last-run file this version understands; delete it")
    return runs


def load_last_run(path: Path = DEFAULT_LAST_RUN, *, target: str | None = None) -> LastRun | None:
    """The previous run against `target`, or None when there was none (or no file)."""
    entry = _read_state(path).get(target or _ANY_TARGET)
    if entry is None:
        return None
    count, digest = entry.get("managed_count"), entry.get("digest")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0 or not isinstance(digest, str):
        raise GuardStateError(f"{path} holds a malformed entry; delete it to start afresh")
    return LastRun(count, digest)


def save_last_run(path: Path, managed_count: int, digest: str, *, target: str | None = None) -> None:
    """Record a run; other targets' entries are kept. Written atomically."""
    try:
        runs = _read_state(path)
    except GuardStateError:
        runs = {}  # a broken file is replaced: the run just made is the better record
    runs[target or _ANY_TARGET] = {"managed_count": managed_count, "digest": digest}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"version": _STATE_VERSION, "runs": runs}, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
