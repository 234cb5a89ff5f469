"""Adopting an existing account: write manifests that describe it exactly as read.

The promise is that `compute_plan(load(out_dir), observed, policy)` has no changes. Everything
below serves that promise:

- a field with no value on the account is left out (unmanaged), never written as null;
- a value the manifest loader would read back differently (leading spaces it trims, a date it
  cannot parse, more phone numbers than it accepts) is left out too, and reported, because a
  managed value that does not round-trip would be a change in the very first plan;
- only the exported lists are declared, so they are exactly the managed lists, and every
  exported contact states its membership of them (`lists: []` included): nobody is added to
  anything, so no consent refusal can arise, not even for a contact who unsubscribed;
- deleted contacts are not exported: declaring one would revive it.

Strings are written plain only when they cannot be read as anything else; everything else
is double-quoted with escapes, so "yes", "0123", "2019-06-01", "a: b" and "#x" stay strings.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.errors import ReconcilerError
from reconciler.manifest import load
from reconciler.manifest.report import is_secret_key
from reconciler.model import ADDRESS_KEYS, ALL_FIELDS, Observed, ObservedContact, email_key
from reconciler.plan import Plan, PlanPolicy, compute_plan

__all__ = ["ExportError", "ExportSummary", "Omission", "export_manifests", "verify_export", "yaml_scalar"]

ACCOUNT_FILE = "account.yaml"
_CONTACTS_FILE = re.compile(r"contacts-\d{4,}\.ya?ml")

# What the manifest loader accepts. Kept here rather than imported from the loader's private
# modules, which are free to move; the round-trip tests (export, load, plan: no changes) and
# verify_export keep the two in step.
_NAME_FIELDS = ("first_name", "last_name", "job_title", "company_name")
_NAME_LIMIT = 50
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_EMAIL_LIMIT = 80
_PHONE_KINDS = ("home", "work", "mobile", "other")
_PHONE_LIMIT = 25
_ADDRESS_KINDS = ("home", "work", "other")
_ADDRESS_LIMITS = {"street": 255, "city": 50, "state": 50, "postal_code": 50, "country": 50}
_MAX_PHONES = _MAX_ADDRESSES = 3
_CUSTOM_VALUE_LIMIT = 255
_MAX_CUSTOM_FIELDS = 25
_MAX_LISTS = 50
_LIST_NAME_LIMIT = 255
_FIELD_NAME_LIMIT = 50
_BIRTHDAY = ("birthday_month", "birthday_day")

# Plain only when no YAML reader (1.1 or 1.2, ours or an editor's) could take it for anything
# but a string: starts with a letter, no indicator characters, no trailing space.
_SAFE_PLAIN = re.compile(r"[A-Za-z](?:[A-Za-z0-9_.@+'\- ]*[A-Za-z0-9_.@+'\-])?")
_RESERVED = frozenset(("y", "n", "yes", "no", "on", "off", "true", "false", "null"))
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}
# What YAML may not hold raw (non-printable), plus line separators and the BOM that some
# readers would treat as breaks or strip.
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]')


class ExportError(ReconcilerError):
    pass


@dataclass(frozen=True, slots=True)
class Omission:
    """A value left unmanaged because a manifest could not hold it exactly as it is."""

    email: str | None  # None: a list or custom field of the account
    field: str
    reason: str

    def __str__(self) -> str:
        who = f"{self.email}: " if self.email else ""
        return f"{who}{self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    out_dir: Path
    files: tuple[Path, ...]
    contacts: int
    lists: tuple[str, ...]
    custom_fields: tuple[str, ...]
    skipped_deleted: int = 0
    skipped_not_on_lists: int = 0
    skipped_invalid: tuple[str, ...] = ()  # emails a manifest cannot hold: those contacts are left out
    omitted: tuple[Omission, ...] = ()

    def lines(self, max_details: int = 20) -> list[str]:
        """What a user needs to read after an export, most important first."""
        out = [
            f"Exported {self.contacts} contact(s), {len(self.lists)} list(s) and "
            f"{len(self.custom_fields)} custom field(s) to {self.out_dir} ({len(self.files)} file(s))."
        ]
        if self.skipped_deleted:
            out.append(f"Left out {self.skipped_deleted} deleted contact(s): declaring one would revive it.")
        if self.skipped_not_on_lists:
            out.append(f"Left out {self.skipped_not_on_lists} contact(s) on none of the exported lists.")
        if self.skipped_invalid:
            out.append(
                f"Left out {len(self.skipped_invalid)} contact(s) whose email a manifest cannot hold: "
                + ", ".join(self.skipped_invalid[:max_details])
                + (" ..." if len(self.skipped_invalid) > max_details else "")
            )
        if self.omitted:
            out.append(f"Left {len(self.omitted)} value(s) unmanaged because a manifest cannot hold them:")
            out += [f"  {o}" for o in self.omitted[:max_details]]
            if len(self.omitted) > max_details:
                out.append(f"  ... and {len(self.omitted) - max_details} more")
        return out


# -- YAML text ------------------------------------------------------------------------------


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


def yaml_scalar(value: str | int) -> str:
    """One scalar as YAML text that reads back as exactly `value`, with its type."""
    if isinstance(value, int):
        return str(value)
    if _SAFE_PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    return '"' + _NEEDS_ESCAPE.sub(_escape, value) + '"'


def _flow_map(item: Mapping[str, str | None], keys: Iterable[str]) -> str:
    parts = [f"{k}: {yaml_scalar(v)}" for k in keys if (v := item.get(k)) is not None]
    return "{" + ", ".join(parts) + "}"


def _flow_list(names: Iterable[str]) -> str:
    return "[" + ", ".join(yaml_scalar(n) for n in names) + "]"


# -- what a manifest can hold ------------------------------------------------------------------


def _string_problem(value: Any, limit: int, *, trimmed: bool = True) -> str | None:
    if not isinstance(value, str):
        return f"is not text ({type(value).__name__})"
    if trimmed and value != value.strip():
        return "has leading or trailing spaces, which manifests trim"
    if len(value) > limit:
        return f"is {len(value)} characters; manifests accept at most {limit}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds characters that are not valid Unicode"
    return None


def _has_value(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _birthday_problem(month: Any, day: Any) -> str | None:
    if month is None or day is None:
        return "only one of birthday_month and birthday_day is set; manifests need both"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (month, day)):
        return "is not a whole number"
    try:
        dt.date(2000, month, day)
    except ValueError:
        return f"month {month} day {day} is not a date"
    return None


def _anniversary_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"is not text ({type(value).__name__})"
    try:
        parsed = dt.date.fromisoformat(value)
    except ValueError:
        return f"'{value}' is not a date like 2019-06-01"
    return None if parsed.isoformat() == value else f"'{value}' is not a date like 2019-06-01"


def _phones_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return "is not a list"
    if len(value) > _MAX_PHONES:
        return f"has {len(value)} numbers; manifests accept at most {_MAX_PHONES}"
    for p in value:
        if not isinstance(p, Mapping) or set(p) != {"kind", "number"}:
            return "holds an entry that is not {kind, number}"
        if p["kind"] not in _PHONE_KINDS:
            return f"kind '{p['kind']}' is not one of {', '.join(_PHONE_KINDS)}"
        problem = _string_problem(p["number"], _PHONE_LIMIT)
        if problem or not p["number"]:
            return f"number {problem or 'is empty'}"
    return None


def _addresses_problem(value: Any) -> str | None:
    if not isinstance(value, list):
        return "is not a list"
    if len(value) > _MAX_ADDRESSES:
        return f"has {len(value)} addresses; manifests accept at most {_MAX_ADDRESSES}"
    for a in value:
        if not isinstance(a, Mapping) or set(a) != set(ADDRESS_KEYS):
            return "holds an entry that is not a canonical address"
        if a["kind"] not in _ADDRESS_KINDS:
            return f"kind '{a['kind']}' is not one of {', '.join(_ADDRESS_KINDS)}"
        for key, limit in _ADDRESS_LIMITS.items():
            problem = None if a[key] is None else _string_problem(a[key], limit)
            if problem or a[key] == "":
                return f"{key} {problem or 'is empty'}"
    return None


# -- choosing what to export ------------------------------------------------------------------


@dataclass(slots=True)
class _Selection:
    lists: tuple[str, ...] | None  # None: list memberships are not exported at all
    canonical: frozenset[str]
    custom: tuple[str, ...]
    omitted: list[Omission] = field(default_factory=list)


def _name_problem(name: str, limit: int) -> str | None:
    if name != name.strip() or not name:
        return "its name has leading or trailing spaces, which manifests trim"
    if len(name) > limit:
        return f"its name is longer than {limit} characters"
    return _string_problem(name, limit)


def _select_lists(observed: Observed, wanted: set[str] | None, omitted: list[Omission]) -> tuple[str, ...]:
    if wanted is not None:
        unknown = sorted(wanted - set(observed.lists))
        if unknown:
            raise ExportError(
                f"no list named {', '.join(repr(n) for n in unknown)} on the account; it has: "
                + (", ".join(sorted(observed.lists)) or "no lists")
            )
    out = []
    for name in sorted(observed.lists if wanted is None else wanted):
        problem = _name_problem(name, _LIST_NAME_LIMIT)
        if problem:
            omitted.append(Omission(None, f"list {name!r}", f"not exported: {problem}"))
        else:
            out.append(name)
    return tuple(out)


def _select_fields(
    observed: Observed, wanted: set[str] | None, omitted: list[Omission]
) -> tuple[frozenset[str], tuple[str, ...]]:
    if wanted is None:
        canonical, custom = set(ALL_FIELDS), set(observed.custom_fields)
    else:
        canonical, custom, unknown = set(), set(), []
        for name in wanted:
            bare = name.removeprefix("custom_fields.")
            found = False
            if name in ALL_FIELDS:
                canonical.add(name)
                found = True
            if bare in observed.custom_fields:
                custom.add(bare)
                found = True
            if not found:
                unknown.append(name)
        if unknown:
            raise ExportError(
                f"unknown field(s) {', '.join(repr(n) for n in sorted(unknown))}; choose from "
                f"{', '.join(ALL_FIELDS)} or the account's custom fields: "
                + (", ".join(sorted(observed.custom_fields)) or "none")
            )
        if canonical & set(_BIRTHDAY):
            canonical |= set(_BIRTHDAY)  # a manifest gives month and day together or not at all
    kept = []
    for name in sorted(custom):
        problem = _name_problem(name, _FIELD_NAME_LIMIT)
        if problem is None and (is_secret_key(name) or name == "<<"):
            problem = "manifests reserve its name (it reads as a secret or a YAML merge key)"
        if problem:
            omitted.append(Omission(None, f"custom field {name!r}", f"not exported: {problem}"))
        else:
            kept.append(name)
    return frozenset(canonical), tuple(kept)


# -- one contact ------------------------------------------------------------------------------


def _scalar_lines(c: ObservedContact, sel: _Selection, omit: list[Omission]) -> list[str]:
    out: list[str] = []
    for name in _NAME_FIELDS:
        value: Any = c.fields.get(name)
        if name not in sel.canonical or not _has_value(value):
            continue
        problem = _string_problem(value, _NAME_LIMIT)
        if problem:
            omit.append(Omission(c.email, name, problem))
        else:
            out.append(f"    {name}: {yaml_scalar(value)}")
    month, day = (c.fields.get(k) for k in _BIRTHDAY)
    if "birthday_month" in sel.canonical and (month is not None or day is not None):
        problem = _birthday_problem(month, day)
        if problem:
            omit.append(Omission(c.email, "birthday_month/birthday_day", problem))
        else:
            out += [f"    birthday_month: {month}", f"    birthday_day: {day}"]
    anniversary: Any = c.fields.get("anniversary")
    if "anniversary" in sel.canonical and _has_value(anniversary):
        problem = _anniversary_problem(anniversary)
        if problem:
            omit.append(Omission(c.email, "anniversary", problem))
        else:
            out.append(f"    anniversary: {yaml_scalar(anniversary)}")
    return out


def _collection_lines(c: ObservedContact, sel: _Selection, omit: list[Omission]) -> list[str]:
    out: list[str] = []
    phones: Any = c.fields.get("phone_numbers")
    if "phone_numbers" in sel.canonical and _has_value(phones):
        problem = _phones_problem(phones)
        if problem:
            omit.append(Omission(c.email, "phone_numbers", problem))
        else:
            out.append("    phone_numbers:")
            out += [f"      - {_flow_map(p, ('kind', 'number'))}" for p in phones]
    addresses: Any = c.fields.get("street_addresses")
    if "street_addresses" in sel.canonical and _has_value(addresses):
        problem = _addresses_problem(addresses)
        if problem:
            omit.append(Omission(c.email, "street_addresses", problem))
        else:
            out.append("    street_addresses:")
            out += [f"      - {_flow_map(a, ADDRESS_KEYS)}" for a in addresses]
    return out


def _custom_lines(c: ObservedContact, sel: _Selection, omit: list[Omission]) -> list[str]:
    entries: list[str] = []
    for name in sel.custom:
        value: Any = c.custom_fields.get(name)
        if not _has_value(value):
            continue
        # Custom field values are not trimmed by the loader, so spaces are kept (quoted).
        problem = _string_problem(value, _CUSTOM_VALUE_LIMIT, trimmed=False)
        if problem:
            omit.append(Omission(c.email, f"custom_fields.{name}", problem))
        elif len(entries) == _MAX_CUSTOM_FIELDS:
            omit.append(
                Omission(
                    c.email, f"custom_fields.{name}", f"beyond the {_MAX_CUSTOM_FIELDS} a manifest holds"
                )
            )
        else:
            entries.append(f"      {yaml_scalar(name)}: {yaml_scalar(value)}")
    return ["    custom_fields:", *entries] if entries else []


def _contact_lines(c: ObservedContact, sel: _Selection, omit: list[Omission]) -> list[str]:
    out = [f"  - email: {yaml_scalar(c.email.strip())}"]
    out += _scalar_lines(c, sel, omit)
    out += _collection_lines(c, sel, omit)
    out += _custom_lines(c, sel, omit)
    if sel.lists is not None:
        on = sorted(c.lists & set(sel.lists))
        if len(on) > _MAX_LISTS:
            omit.append(
                Omission(c.email, "lists", f"on {len(on)} lists; a manifest holds at most {_MAX_LISTS}")
            )
        else:
            out.append(f"    lists: {_flow_list(on)}")
    return out


def _email_ok(email: str) -> bool:
    stripped = email.strip()
    return bool(_EMAIL.fullmatch(stripped)) and _string_problem(stripped, _EMAIL_LIMIT) is None


# -- files ------------------------------------------------------------------------------------


def _prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} is a file, not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            raise ExportError(
                f"{out_dir} is not empty; choose an empty directory, or overwrite (--overwrite) to "
                "replace an earlier export there"
            )
        # Any other manifest left here would be merged with the export by `load`, and the
        # re-plan would no longer be empty; we do not delete what we did not write.
        foreign = sorted(
            p.name
            for p in out_dir.iterdir()
            if p.suffix in (".yaml", ".yml")
            and p.name != ACCOUNT_FILE
            and not _CONTACTS_FILE.fullmatch(p.name)
        )
        if foreign:
            raise ExportError(
                f"{out_dir} holds other manifest files ({', '.join(foreign)}) that would be merged with "
                "the export; move them away first"
            )
    out_dir.mkdir(parents=True, exist_ok=True)


def _write(path: Path, lines: list[str]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")  # not *.yaml: a crash never leaves a half manifest
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _account_lines(provider: str | None, sel: _Selection) -> list[str]:
    out = [
        "# Exported by `reconciler export`: the account as it was, so `reconciler plan` shows no changes.",
        "# Only the lists below are managed: memberships of other lists are never touched.",
        "# Custom field types are not read from the account; existing fields keep theirs.",
    ]
    if provider:
        out += ["settings:", f"  provider: {yaml_scalar(provider)}"]
    if sel.lists is not None:
        out += ["lists:" if sel.lists else "lists: []", *(f"  - name: {yaml_scalar(n)}" for n in sel.lists)]
    out += [
        "custom_fields:" if sel.custom else "custom_fields: []",
        *(f"  - name: {yaml_scalar(n)}" for n in sel.custom),
    ]
    return out


def export_manifests(
    observed: Observed,
    out_dir: Path,
    *,
    lists: set[str] | None = None,
    fields: set[str] | None = None,
    contacts_per_file: int = 5000,
    contacts_on_lists_only: bool = False,
    overwrite: bool = False,
    provider: str | None = None,
) -> ExportSummary:
    """Write `account.yaml` and `contacts-0001.yaml`, ... describing `observed`.

    lists: the lists to manage (None: all; an empty set: no list memberships at all). Every
        non-deleted contact is exported, with its membership restricted to these lists, unless
        contacts_on_lists_only, which leaves out contacts on none of them.
    fields: canonical field names and custom field names (bare or `custom_fields.NAME`) to
        manage (None: all). A field not exported is unmanaged.
    provider: written as settings.provider when given.
    """
    if contacts_per_file < 1:
        raise ExportError("contacts_per_file must be at least 1")
    omitted: list[Omission] = []
    chosen_lists = None if lists is not None and not lists else _select_lists(observed, lists, omitted)
    canonical, custom = _select_fields(observed, fields, omitted)
    sel = _Selection(chosen_lists, canonical, custom, omitted)
    _prepare(out_dir, overwrite)

    deleted = not_on_lists = 0
    invalid: list[str] = []
    blocks: list[list[str]] = []
    list_set = set(chosen_lists or ())
    for key in sorted(observed.contacts):
        c = observed.contacts[key]
        if c.deleted:
            deleted += 1
        elif contacts_on_lists_only and not (c.lists & list_set if chosen_lists is not None else c.lists):
            not_on_lists += 1
        elif not _email_ok(c.email) or email_key(c.email) != key:
            invalid.append(c.email)
        else:
            blocks.append(_contact_lines(c, sel, omitted))

    files = [out_dir / ACCOUNT_FILE]
    _write(files[0], _account_lines(provider, sel))
    chunks = [blocks[i : i + contacts_per_file] for i in range(0, len(blocks), contacts_per_file)]
    width = max(4, len(str(len(chunks))))
    for n, chunk in enumerate(chunks, 1):
        path = out_dir / f"contacts-{n:0{width}d}.yaml"
        header = f"# Contacts exported by `reconciler export` (file {n} of {len(chunks)})."
        _write(path, [header, "contacts:", *(line for block in chunk for line in block)])
        files.append(path)
    written = {p.name for p in files}
    for stale in out_dir.iterdir():
        if _CONTACTS_FILE.fullmatch(stale.name) and stale.name not in written:
            stale.unlink()  # from an earlier, larger export: it would duplicate contacts
    return ExportSummary(
        out_dir=out_dir,
        files=tuple(files),
        contacts=len(blocks),
        lists=chosen_lists or (),
        custom_fields=custom,
        skipped_deleted=deleted,
        skipped_not_on_lists=not_on_lists,
        skipped_invalid=tuple(invalid),
        omitted=tuple(omitted),
    )


def verify_export(out_dir: Path, observed: Observed, policy: PlanPolicy) -> Plan:
    """Load what was written and plan it against the account it came from. The export kept its
    promise when the plan has no changes; raises ManifestErrors if the loader rejects the files."""
    return compute_plan(load(out_dir), observed, policy)
