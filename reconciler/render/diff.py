"""How a collection field (phone numbers, street addresses: lists of dicts) changed, item by item.

Whole before/after lists of addresses are long and hard to compare by eye, so items are matched
by their `kind`; a matched pair shows only the parts that differ (found with deepdiff, which
handles nesting), and unmatched items show as removed or added.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import notpresent

from reconciler.render.common import json_value

__all__ = ["ItemChange", "collection_changes", "compact_json"]


@dataclass(frozen=True, slots=True)
class ItemChange:
    glyph: str  # "+", "-" or "~"
    label: str  # "phone_numbers", "street_addresses[home].city"
    op: str  # "=", "+=" or "-="
    value: str  # rendered JSON, already "before -> after" for "~"


def _drop_nulls(value: Any) -> Any:
    # Canonical addresses carry every key, mostly null; the nulls only add noise on screen.
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def compact_json(value: Any) -> str:
    return json_value(_drop_nulls(value))


def _kind(item: Any) -> str | None:
    kind = item.get("kind") if isinstance(item, dict) else None
    return kind if isinstance(kind, str) else None


def _unique_kinds(items: list[Any]) -> set[str]:
    counts = Counter(k for k in map(_kind, items) if k is not None)
    return {k for k, n in counts.items() if n == 1}


def _suffix(path: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _show(value: Any) -> str:
    return "null" if value is notpresent else json_value(value)


def _nested(label: str, old: Any, new: Any) -> list[ItemChange]:
    diff = DeepDiff(old, new, view="tree")
    found: list[tuple[str, Any, Any]] = []
    for report in diff.tree.values():
        for level in report:
            found.append((_suffix(level.path(output_format="list")), level.t1, level.t2))
    return [
        ItemChange("~", label + suffix, "=", f"{_show(t1)} -> {_show(t2)}")
        for suffix, t1, t2 in sorted(found, key=lambda f: f[0])
    ]


def collection_changes(path: str, before: Any, after: Any) -> list[ItemChange]:
    old = list(before or [])
    new = list(after or [])
    if old == new:
        return []
    removed = [item for item in old if item not in new]
    added = [item for item in new if item not in old]
    # A kind pairs two items only when it names one item in each whole list, so that the
    # label `phone_numbers[mobile]` points at exactly one item before and after.
    changed_kinds = {_kind(i) for i in removed} & {_kind(i) for i in added}
    pairable = _unique_kinds(old) & _unique_kinds(new) & {k for k in changed_kinds if k is not None}
    out: list[ItemChange] = []
    for kind in sorted(pairable):
        r = next(i for i in removed if _kind(i) == kind)
        a = next(i for i in added if _kind(i) == kind)
        out += _nested(f"{path}[{kind}]", r, a)
    out += [ItemChange("-", path, "-=", compact_json(i)) for i in removed if _kind(i) not in pairable]
    out += [ItemChange("+", path, "+=", compact_json(i)) for i in added if _kind(i) not in pairable]
    if not out:
        # Only order or duplicates differ: nothing item-wise to point at, so show both whole.
        out.append(ItemChange("~", path, "=", f"{compact_json(old)} -> {compact_json(new)}"))
    return out
