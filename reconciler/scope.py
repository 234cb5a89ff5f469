"""Narrowing a run to some contacts (`--target`, `--exclude`), and silencing drift on some fields.

Selectors are an email address (trimmed, case-insensitive, like every contact identity) or
`@List Name`: the contacts on that list, either as the manifest wants them or as they are on
the account, so a contact about to join or leave the list is in scope either way. A selector
that names nothing (an email no manifest declares, a list neither the manifests nor the account
know) is an error: a typo in a scope must not quietly widen or empty a run.

Ignore rules only ever shrink a plan that is being *reported* (drift): they never change what
apply would do, which is why they act on a Plan and not on the desired state.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from reconciler.errors import ConfigError
from reconciler.model import ALL_FIELDS, Desired, DesiredContact, Observed, ObservedContact, email_key
from reconciler.plan import Action, Change, Plan

__all__ = [
    "IgnoreRule",
    "ScopeError",
    "Selector",
    "apply_ignores",
    "parse_ignore_rules",
    "parse_selector",
    "scope_desired",
]

_RULE_KEYS = ("field", "contacts")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")  # a shape check: the address must still match a contact


class ScopeError(ConfigError):
    pass


@dataclass(frozen=True, slots=True)
class Selector:
    kind: Literal["email", "list"]
    value: str  # the email key, or the list name

    def __str__(self) -> str:
        return f"@{self.value}" if self.kind == "list" else self.value


def parse_selector(text: str) -> Selector:
    raw = text.strip()
    if raw.startswith("@"):
        name = raw[1:].strip()
        if not name:
            raise ScopeError(f"'{text}' names no list; write @ followed by the list name, e.g. @Newsletter")
        return Selector("list", name)
    if not _EMAIL.fullmatch(raw):
        raise ScopeError(f"'{text}' is neither an email address nor @list")
    return Selector("email", email_key(raw))


class _Membership:
    """Who is on which list, as the manifests want it or as the account has it."""

    def __init__(self, desired: Desired, observed: Observed) -> None:
        self._desired = {d.key: d for d in desired.contacts}
        self._observed = observed.contacts
        self.known_lists = (
            set(observed.lists)
            | set(desired.managed_lists)
            | {ld.name for ld in desired.lists}
            | {n for d in desired.contacts for n in d.lists or ()}
        )

    def on(self, key: str, name: str) -> bool:
        d: DesiredContact | None = self._desired.get(key)
        o: ObservedContact | None = self._observed.get(key)
        return (d is not None and d.lists is not None and name in d.lists) or (
            o is not None and name in o.lists
        )

    def matches(self, key: str, selector: Selector) -> bool:
        return key == selector.value if selector.kind == "email" else self.on(key, selector.value)

    def check_lists(self, selectors: Iterable[Selector]) -> None:
        for s in selectors:
            if s.kind == "list" and s.value not in self.known_lists:
                raise ScopeError(
                    f"no list named '{s.value}' on the account or in the manifests"
                    + _hint(s.value, self.known_lists)
                )


def _hint(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(options), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def scope_desired(
    desired: Desired, observed: Observed, targets: Sequence[str], excludes: Sequence[str] = ()
) -> Desired:
    """Only the contacts matching any target (all, when there are none) and no exclude.

    Lists and custom fields that only out-of-scope contacts need are dropped, so a scoped run
    creates nothing on the account for them; memberships of in-scope contacts are compared
    against the same managed lists as an unscoped run. The digest is new, so a scoped plan
    never passes for a plan of the whole manifest set.
    """
    chosen = [parse_selector(t) for t in targets]
    dropped = [parse_selector(t) for t in excludes]
    members = _Membership(desired, observed)
    members.check_lists(chosen + dropped)
    declared = {d.key for d in desired.contacts}
    for s in chosen + dropped:
        if s.kind == "email" and s.value not in declared:
            raise ScopeError(f"{s.value} is not declared in the manifests" + _hint(s.value, declared))

    def wanted(key: str) -> bool:
        if chosen and not any(members.matches(key, s) for s in chosen):
            return False
        return not any(members.matches(key, s) for s in dropped)

    kept = tuple(d for d in desired.contacts if wanted(d.key))
    referenced = {n for d in kept for n in d.lists or ()}
    used_fields = {n for d in kept for n in d.custom_fields}
    raw = json.dumps(
        [desired.digest, sorted(map(str, chosen)), sorted(map(str, dropped))], ensure_ascii=False
    )
    return replace(
        desired,
        contacts=kept,
        managed_lists=frozenset(n for n in desired.managed_lists if n in observed.lists or n in referenced),
        lists=tuple(ld for ld in desired.lists if ld.name in observed.lists or ld.name in referenced),
        custom_fields=tuple(
            cf for cf in desired.custom_fields if cf.name in observed.custom_fields or cf.name in used_fields
        ),
        digest="sha256:" + hashlib.sha256(raw.encode()).hexdigest(),
    )


# -- ignore rules ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """`field` is a canonical field, `custom_fields.NAME`, `custom_fields.*`, `lists` or
    `lists.NAME`; `contacts` limits the rule to some contacts (None: everyone)."""

    field: str
    contacts: tuple[Selector, ...] | None = None

    def covers_path(self, path: str) -> bool:
        return path == self.field or (self.field == "custom_fields.*" and path.startswith("custom_fields."))

    def covers_list(self, name: str) -> bool:
        return self.field in ("lists", f"lists.{name}")


def _field_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "needs a 'field': a field name, custom_fields.NAME, custom_fields.*, lists or lists.NAME"
    if name in ALL_FIELDS or name in ("lists", "custom_fields.*"):
        return None
    for prefix in ("custom_fields.", "lists."):
        if name.startswith(prefix) and name[len(prefix) :].strip():
            return None
    hint = _hint(name, [*ALL_FIELDS, "lists", "custom_fields.*"])
    return f"'{name}' is not a field{hint or '; use a field name, custom_fields.NAME or lists'}"


def _parse_rule(i: int, item: Any, problems: list[str]) -> IgnoreRule | None:
    where = f"ignore[{i}]"
    if not isinstance(item, Mapping):
        problems.append(f"{where}: must be a mapping like {{field: job_title}}")
        return None
    for key in sorted(set(item) - set(_RULE_KEYS)):
        problems.append(
            f"{where}: unknown key '{key}'" + (_hint(str(key), _RULE_KEYS) or "; expected field, contacts")
        )
    problem = _field_problem(item.get("field"))
    if problem:
        problems.append(f"{where}: {problem}")
        return None
    contacts = item.get("contacts")
    if contacts is None:
        return IgnoreRule(str(item["field"]).strip())
    if isinstance(contacts, str) or not isinstance(contacts, Sequence) or not contacts:
        problems.append(f"{where}.contacts: must be a non-empty list of emails and @lists")
        return None
    selectors = []
    for j, text in enumerate(contacts):
        try:
            if not isinstance(text, str):
                raise ScopeError("must be an email address or @list")
            selectors.append(parse_selector(text))
        except ScopeError as e:
            problems.append(f"{where}.contacts[{j}]: {e}")
    return IgnoreRule(str(item["field"]).strip(), tuple(selectors))


def parse_ignore_rules(raw: Sequence[Any] | None) -> tuple[IgnoreRule, ...]:
    """Rules from plain data (the manifest's `ignore:` list); every problem reported at once."""
    if raw is None:
        return ()
    if isinstance(raw, str | Mapping) or not isinstance(raw, Sequence):
        raise ScopeError("ignore must be a list of rules like {field: job_title}")
    problems: list[str] = []
    rules = [_parse_rule(i, item, problems) for i, item in enumerate(raw)]
    if problems:
        raise ScopeError("invalid ignore rules:\n  " + "\n  ".join(problems))
    return tuple(r for r in rules if r is not None)


def _filtered(change: Change, rules: list[IgnoreRule]) -> Change | None:
    """The change without what the rules silence; None when nothing is left to report."""
    fields = tuple(f for f in change.fields if not any(r.covers_path(f.path) for r in rules))
    add = tuple(n for n in change.lists_add if not any(r.covers_list(n) for r in rules))
    remove = tuple(n for n in change.lists_remove if not any(r.covers_list(n) for r in rules))
    if (fields, add, remove) == (change.fields, change.lists_add, change.lists_remove):
        return change
    # A missing or deleted contact is drift whatever its fields; an update with nothing left is not.
    if change.action in (Action.UPDATE, Action.REFUSE) and not (fields or add or remove):
        return None
    update: dict[str, Any] = {"fields": fields, "lists_add": add, "lists_remove": remove}
    if not add:
        # The consent question (and any refusal) only ever arises from adding to a list.
        update["consent"] = None
        if change.action == Action.REFUSE:
            update.update(action=Action.UPDATE, rule=None, reason=None)
    return change.model_copy(update=update)


def apply_ignores(plan: Plan, rules: Sequence[IgnoreRule], *, desired: Desired, observed: Observed) -> Plan:
    """The plan as drift reporting should show it. For reporting only: never apply the result.

    `desired` and `observed` are the plan's inputs; they resolve `@list` selectors.
    """
    if not rules:
        return plan
    members = _Membership(desired, observed)
    members.check_lists(s for r in rules for s in r.contacts or ())
    kept: list[Change] = []
    silenced = 0
    for change in plan.changes:
        key = email_key(change.email)
        here = [r for r in rules if r.contacts is None or any(members.matches(key, s) for s in r.contacts)]
        result = _filtered(change, here) if here else change
        if result is None:
            silenced += 1
        else:
            kept.append(result)
    return plan.model_copy(update={"changes": tuple(kept), "unchanged": plan.unchanged + silenced})
