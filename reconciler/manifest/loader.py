"""Loads a manifest directory (or one file) into `Desired`, reporting every problem of every
file in one ManifestErrors."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.errors import ManifestError, ManifestErrors
from reconciler.manifest.contact import DEFAULT_KEYS, check_block, check_contact, merge_defaults
from reconciler.manifest.digest import digest
from reconciler.manifest.document import SETTINGS_KEYS, TOP_KEYS, Collected, read_document
from reconciler.manifest.parts import ContactParts
from reconciler.manifest.yaml_source import parse_yaml
from reconciler.model import Desired, DesiredContact

__all__ = ["SETTINGS_KEYS", "TOP_KEYS", "load"]

SUFFIXES = (".yaml", ".yml")


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds millions of small containers, which sets off the cyclic collector over
    and over (about doubling the time for 100,000 contacts); none of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fail(message: str) -> ManifestErrors:
    return ManifestErrors([ManifestError(message)])


def _files(path: str | Path) -> list[str]:
    """The manifest files, named as the caller named the path, sorted by file name."""
    given = str(path)
    base = Path(path)
    if base.is_file():
        return [given]
    if not base.exists():
        raise _fail(f"{given} does not exist: give a manifest file or a directory of *.yaml files")
    try:
        names = sorted(p.name for p in base.iterdir() if p.suffix in SUFFIXES and p.is_file())
    except OSError as err:
        raise _fail(f"cannot list {given}: {err.strerror or err}") from None
    if not names:
        raise _fail(f"{given} holds no *.yaml or *.yml manifest files")
    return [os.path.join(given, name) for name in names]


def _read(state: Collected, file: str) -> None:
    try:
        data = Path(file).read_bytes()
    except OSError as err:
        state.error(f"cannot read the file: {err.strerror or err}", file, 1)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        state.error("is not UTF-8 text; save it as UTF-8", file, line)
        return
    doc, problems = parse_yaml(text, file)
    state.errors.extend(problems)
    read_document(state, doc, file)


def _contacts(
    state: Collected, managed: frozenset[str] | None
) -> tuple[list[DesiredContact], frozenset[str]]:
    """Every contact with defaults applied, sorted by key; and every list name they and the
    defaults mention."""
    blocks = []
    for file, node in state.defaults:
        parts = ContactParts(file, node, state.errors, prefix="defaults.", managed_lists=managed)
        check_block(parts, DEFAULT_KEYS)
        blocks.append(parts)
    defaults = merge_defaults(blocks, state.errors)
    named: set[str] = set(defaults.lists or ())
    by_key: dict[str, DesiredContact] = {}
    for file, node in state.contacts:
        contact = check_contact(file, node, state.errors, defaults, managed)
        if contact is None:
            continue
        first = by_key.get(contact.key)
        if first is not None:
            state.errors.append(
                ManifestError(
                    f"is declared twice: also at {first.source} (emails are compared ignoring case)",
                    source=contact.source,
                    contact=contact.email,
                    field="email",
                )
            )
            continue
        by_key[contact.key] = contact
        named.update(contact.lists or ())
    return sorted(by_key.values(), key=lambda c: c.key), frozenset(named)


def _order(error: ManifestError) -> tuple[str, int]:
    return (error.source.file, error.source.line) if error.source else ("", 0)


def _load(path: str | Path) -> Desired:
    state = Collected()
    for file in _files(path):
        _read(state, file)
    setting = state.settings.get("managed_lists")
    explicit = frozenset(setting) if isinstance(setting, list) else None
    contacts, named = _contacts(state, explicit)
    if state.errors:
        raise ManifestErrors(sorted(state.errors, key=_order))
    lists = sorted((d for d, _ in state.lists.values()), key=lambda d: d.name)
    custom_fields = sorted((d for d, _ in state.custom_fields.values()), key=lambda d: d.name)
    managed = explicit if explicit is not None else frozenset(state.lists) | named
    return Desired(
        contacts=tuple(contacts),
        managed_lists=managed,
        lists=tuple(lists),
        custom_fields=tuple(custom_fields),
        settings=dict(state.settings),
        digest=digest(contacts, managed, lists, custom_fields, state.settings),
    )


def load(path: str | Path) -> Desired:
    """Load the manifests at `path`: a directory (its *.yaml and *.yml files, not
    recursively, merged in name order) or a single file. Raises ManifestErrors naming every
    problem's file, line, contact and field."""
    with _gc_paused():
        return _load(path)
