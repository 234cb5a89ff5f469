"""Pieces every renderer shares, so the formats can never disagree about counts or values."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan import Action, Change, Plan

__all__ = [
    "contacts_checked",
    "is_refused",
    "json_value",
    "no_changes_sentence",
    "plural",
    "summary",
    "summary_phrase",
    "would_have",
]


def summary(plan: Plan) -> dict[str, int]:
    """The counts, in the order every format shows them (the JSON summary keeps this order)."""
    return {
        "create": plan.count(Action.CREATE),
        "update": plan.count(Action.UPDATE),
        "revive": plan.count(Action.REVIVE),
        "refuse": plan.count(Action.REFUSE),
        "unchanged": plan.unchanged,
        "account_changes": len(plan.account_changes),
    }


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_phrase(plan: Plan) -> str:
    counts = summary(plan)
    # Contact counts are always shown, even at zero, so scripts and eyes find them in one place.
    parts = [
        f"{counts['create']} to create",
        f"{counts['update']} to update",
        f"{counts['revive']} to revive",
        f"{counts['refuse']} refused",
        f"{counts['unchanged']} unchanged",
    ]
    if counts["account_changes"]:
        parts.insert(0, plural(counts["account_changes"], "account change"))
    return ", ".join(parts)


def contacts_checked(plan: Plan) -> int:
    return plan.unchanged + len(plan.changes)


def no_changes_sentence(plan: Plan) -> str:
    checked = plural(contacts_checked(plan), "contact")
    return f"No changes. The account matches the manifests ({checked} checked)."


def json_value(value: Any) -> str:
    # default=str: plans built by hand (tests, callers) may hold values JSON cannot encode;
    # showing them beats crashing the renderer.
    return json.dumps(value, ensure_ascii=False, default=str)


def is_refused(change: Change) -> bool:
    return change.action == Action.REFUSE


def would_have(change: Change) -> str | None:
    """What a refused change would have done, so the user sees what they are missing."""
    parts: list[str] = []
    if change.lists_add:
        parts.append(f"added lists {json_value(list(change.lists_add))}")
    if change.lists_remove:
        parts.append(f"removed lists {json_value(list(change.lists_remove))}")
    if change.fields:
        parts.append("changed " + ", ".join(f.path for f in change.fields))
    return f"(would have {', '.join(parts)})" if parts else None
