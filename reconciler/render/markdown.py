"""Markdown for a pull-request comment: the summary first, details a click away when long.

Every value from the plan goes through `_esc` or `_code`, so a contact's data can neither
break the table nor inject markup or HTML into the comment.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.consent import OptInPath
from reconciler.model import COLLECTION_FIELDS
from reconciler.plan import GLYPHS, AccountChange, Action, Change, Plan
from reconciler.render.common import (
    is_refused,
    json_value,
    no_changes_sentence,
    plural,
    summary_phrase,
    would_have,
)

__all__ = ["COLLAPSE_OVER", "render_markdown"]

COLLAPSE_OVER = 20  # more rows than this and a section folds into <details>
_VALUE_MAX = 40  # table cells stay short; the text plan has the full values

_OPT_IN = {
    OptInPath.ACCOUNT: "account re-adds",
    OptInPath.CONTACT_EVIDENCE: "contact's own opt-in",
    OptInPath.NONE: "no opt-in needed",
}
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def _esc(text: str) -> str:
    """Inline-safe text: markdown specials backslash-escaped, HTML neutralised, one line.

    Only characters that matter mid-line are escaped (`$` is GitHub math); values never start
    a line here, so `#`, `+`, `-` and `1.` need nothing.
    """
    text = re.sub(r"[&<>]", lambda m: _HTML[m.group(0)], text)
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    # Backslashes do not escape inside code spans, so a fence longer than any backtick run inside
    # keeps the span closed. Not for table cells: a `|` would still end the cell there.
    text = " ".join(text.split())
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _short(value: Any) -> str:
    shown = json_value(value)
    return shown if len(shown) <= _VALUE_MAX else shown[: _VALUE_MAX - 1] + "…"


def _what(change: Change) -> str:
    parts: list[str] = []
    if change.action == Action.REVIVE:
        parts.append("revive deleted contact")
    for field in change.fields:
        if field.path in COLLECTION_FIELDS:
            parts.append(f"{field.path} {'set' if change.action == Action.CREATE else 'changed'}")
        elif field.after is None:
            parts.append(f"{field.path} cleared")
        else:
            parts.append(f"{field.path} → {_short(field.after)}")
    if change.lists_add:
        parts.append("+lists " + ", ".join(change.lists_add))
    if change.lists_remove:
        parts.append("−lists " + ", ".join(change.lists_remove))
    if change.consent is not None:
        parts.append(f"subscription → {change.consent.after.value} ({_OPT_IN[change.consent.path]})")
    return "; ".join(_esc(p) for p in parts) or "—"


def _action_cell(action: Action) -> str:
    return f"{_code(GLYPHS[action])} {action.value}"


def _table(changes: list[Change]) -> list[str]:
    rows = [f"| {_action_cell(c.action)} | {_esc(c.email)} | {_what(c)} |" for c in changes]
    return ["| Action | Contact | Changes |", "| --- | --- | --- |", *rows]


def _refusal(change: Change) -> str:
    rule = _code(change.rule or "unknown rule")
    reason = _esc(change.reason or "no reason recorded")
    would = would_have(change)
    tail = f" {_esc(would)}" if would else ""
    return f"- **{_esc(change.email)}** ({_code(change.source)}): {rule}: {reason}{tail}"


def _account(change: AccountChange) -> str:
    what = "list" if change.kind == "create_list" else "custom field"
    typ = f" ({_esc(change.type)})" if change.type else ""
    return f"- {_code('+')} create {what} **{_esc(change.name)}**{typ}"


def _maybe_folded(summary: str, body: list[str], rows: int) -> list[str]:
    if rows <= COLLAPSE_OVER:
        return body
    # The blank lines matter: without them GitHub renders the markdown inside as plain text.
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>"]


def render_markdown(plan: Plan, *, color: bool = False, width: int = 100) -> str:
    del color, width  # the comment's reader decides both
    out = [f"### reconciler plan for {_esc(plan.provider)} {_code(plan.target)}", ""]
    if not plan.has_changes and not plan.has_refusals:
        out.append(f"**Plan:** {no_changes_sentence(plan)}")
        return "\n".join(out) + "\n"
    prefix = "" if plan.has_changes else "no changes will be made; "
    out += [f"**Plan:** {prefix}{summary_phrase(plan)}", ""]
    if plan.account_changes:
        out += ["#### Account changes", "", *(_account(a) for a in plan.account_changes), ""]
    doing = [c for c in plan.changes if not is_refused(c)]
    refused = [c for c in plan.changes if is_refused(c)]
    if doing:
        out += ["#### Contact changes", ""]
        out += _maybe_folded(f"Show {plural(len(doing), 'contact change')}", _table(doing), len(doing))
        out.append("")
    if refused:
        out += [
            f"#### Refused ({len(refused)})",
            "",
            "These contacts will not be changed: the consent rules forbid it.",
            "",
        ]
        body = [_refusal(c) for c in refused]
        out += _maybe_folded(f"Show {plural(len(refused), 'refusal')}", body, len(refused))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
