"""Terraform-like text: what a person reads before typing `apply`.

Lines are laid out here (alignment, wrapping) and rich only adds colour, so the same plan and
width give the same bytes whatever the terminal or environment.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from reconciler.consent import OptInPath
from reconciler.model import COLLECTION_FIELDS
from reconciler.plan import GLYPHS, AccountChange, Action, Change, ConsentChange, FieldChange, Plan
from reconciler.render.common import (
    is_refused,
    json_value,
    no_changes_sentence,
    plural,
    summary_phrase,
    would_have,
)
from reconciler.render.diff import ItemChange, collection_changes, compact_json

__all__ = ["render_text"]

_ACTION_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REVIVE: "cyan",
    Action.REFUSE: "red",
    Action.NOOP: "",
}
_GLYPH_STYLE = {"+": "green", "~": "yellow", "-": "red"}
_ACTION_PHRASE = {
    Action.CREATE: "will be created",
    Action.UPDATE: "will be updated in place",
    Action.REVIVE: "will be revived (it was deleted)",
}
_HEAD = "  "
_BODY = "      "
_LABEL_WIDTH = 14
_MIN_WRAP = 20
# Control characters (ESC starts terminal escape sequences) and bidi overrides in plan data
# could repaint or reorder what the reviewer sees; they are shown as escapes instead.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
Part = str | tuple[str, str]


def _safe(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _text(*parts: Part) -> Text:
    return Text.assemble(*((_safe(p[0]), p[1]) if isinstance(p, tuple) else _safe(p) for p in parts))


def _item(glyph: str, label: str, op: str, value: str) -> Text:
    rest = f" {label:<{_LABEL_WIDTH}} {op} {value}"
    return _text(_BODY, (glyph, _GLYPH_STYLE.get(glyph, "")), rest)


def _scalar(change: Change, field: FieldChange) -> Text:
    if change.action == Action.CREATE or field.before is None:
        return _item("+", field.path, "=", json_value(field.after))
    if field.after is None:
        return _item("-", field.path, "=", f"{json_value(field.before)} -> null")
    return _item("~", field.path, "=", f"{json_value(field.before)} -> {json_value(field.after)}")


def _field_lines(change: Change, field: FieldChange) -> list[Text]:
    if field.path not in COLLECTION_FIELDS:
        return [_scalar(change, field)]
    if change.action == Action.CREATE:
        return [_item("+", field.path, "=", compact_json(field.after))]
    changes: list[ItemChange] = collection_changes(field.path, field.before, field.after)
    return [_item(c.glyph, c.label, c.op, c.value) for c in changes]


def _consent_line(consent: ConsentChange) -> Text:
    if consent.path == OptInPath.ACCOUNT:
        why = " (account may re-add)"
    elif consent.path == OptInPath.CONTACT_EVIDENCE:
        evidence = consent.evidence or "recorded evidence"
        at = f" at {consent.evidence_at}" if consent.evidence_at else ""
        why = f" (contact's own opt-in: {evidence}{at})"
    else:
        why = ""
    change = f"{json_value(consent.before)} -> {json_value(consent.after)}"
    return _item("~", "subscription", "=", change + why)


def _body(change: Change) -> list[Text]:
    lines = [line for field in change.fields for line in _field_lines(change, field)]
    if change.action == Action.CREATE:
        if change.lists_add:
            lines.append(_item("+", "lists", "=", json_value(list(change.lists_add))))
    else:
        if change.lists_add:
            lines.append(_item("+", "lists", "+=", json_value(list(change.lists_add))))
        if change.lists_remove:
            lines.append(_item("-", "lists", "-=", json_value(list(change.lists_remove))))
    if change.consent is not None:
        lines.append(_consent_line(change.consent))
    return lines


def _wrapped(text: str, width: int, style: str = "") -> list[Text]:
    wrap_at = max(width - len(_BODY), _MIN_WRAP)
    return [_text((_BODY + line, style)) for line in textwrap.wrap(_safe(text), wrap_at)]


def _header_words(change: Change) -> str:
    if is_refused(change):
        return _safe(f"contact {change.email} is refused: {change.rule or 'unknown rule'}")
    return _safe(f"contact {change.email} {_ACTION_PHRASE[change.action]}")


def _header(change: Change, source_column: int) -> Text:
    style = _ACTION_STYLE[change.action]
    words = _header_words(change)
    line = _text(_HEAD, (GLYPHS[change.action], style), " ", (words, style))
    if not change.source:
        return line
    gap = max(source_column - len(line.plain), 2)
    line.append(" " * gap)
    line.append(_safe(f"({change.source})"), style="dim")
    return line


def _source_column(changes: Sequence[Change], width: int) -> int:
    # One column for all sources, as far right as the widest header needs but still inside the
    # width; a header too long for it just pushes its own source along.
    widest = max((len(_HEAD) + 2 + len(_header_words(c)) for c in changes), default=0)
    longest_source = max((len(c.source) + 2 for c in changes), default=0)
    return min(widest + 2, width - longest_source)


def _contact_block(change: Change, source_column: int, width: int) -> list[Text]:
    lines = [_header(change, source_column)]
    if is_refused(change):
        lines += _wrapped(change.reason or "no reason recorded", width)
        would = would_have(change)
        if would:
            lines += _wrapped(would, width, style="dim")
    else:
        lines += _body(change)
    return lines


def _account_line(change: AccountChange) -> Text:
    what = "list" if change.kind == "create_list" else "custom field"
    typ = f" ({change.type})" if change.type else ""
    line = _text(_HEAD, ("+", "green"), f" {what} {json_value(change.name)}{typ} will be created")
    if change.description:
        line.append(_safe(f" — {change.description}"), style="dim")
    return line


def _lines(plan: Plan, width: int) -> list[Text]:
    where = f"{plan.provider} {plan.target}"
    if not plan.has_changes and not plan.has_refusals:
        return [_text(no_changes_sentence(plan))]
    refused = [c for c in plan.changes if is_refused(c)]
    doing = [c for c in plan.changes if not is_refused(c)]
    if plan.has_changes:
        lines = [_text(f"reconciler will perform the following actions on {where}:")]
    else:
        lines = [_text(f"No changes will be made on {where}; {plural(len(refused), 'contact')} refused:")]
    column = _source_column(plan.changes, width)
    if plan.account_changes:
        lines += [Text(""), *(_account_line(a) for a in plan.account_changes)]
    for block in (doing, refused):
        if block:
            lines.append(Text(""))
            for change in block:
                lines += _contact_block(change, column, width)
    lines += [Text(""), _text((f"Plan: {summary_phrase(plan)}.", "bold"))]
    return lines


def render_text(plan: Plan, *, color: bool = False, width: int = 100) -> str:
    buffer = io.StringIO()
    # Everything explicit (no_color, jupyter, markup...) so environment variables such as
    # NO_COLOR or FORCE_COLOR cannot make two runs of the same plan differ.
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        width=width,
        highlight=False,
        markup=False,
        emoji=False,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        soft_wrap=True,
    )
    for line in _lines(plan, width):
        console.print(line)
    return buffer.getvalue()
