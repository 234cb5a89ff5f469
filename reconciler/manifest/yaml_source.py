"""YAML text to plain values that remember their line numbers.

We build values straight from the (C-accelerated) parser's events instead of composing nodes:
ruamel's composer runs its Python resolver on every scalar, which alone takes about a minute
for 100,000 contacts. Building from events also means only plain data can ever come out (no
tag constructs an object), every mapping key and sequence item keeps its 1-based line, and
problems are collected as errors instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from reconciler.errors import ManifestError, SourceRef

__all__ = ["MAX_DEPTH", "LList", "LMap", "parse_yaml"]

MAX_DEPTH = 32  # manifests nest four levels; anything deeper is a mistake or an attack
_CORE = "tag:yaml.org,2002:"
_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("", "~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_NUMERIC_START = frozenset("0123456789+-.")
# YAML 1.2 core schema, except that a leading zero keeps a plain number a string, so that
# an unquoted postal code like 02108 survives.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+")
_FLOAT = re.compile(r"[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BAD_KEY = "\0bad key"  # a key that was a list or mapping: its value is dropped


class LMap(dict[str, Any]):
    """A mapping that knows its own line and each key's line (1-based)."""

    line: int
    lines: dict[str, int]


class LList(list[Any]):
    """A sequence that knows its own line and each item's line (1-based)."""

    line: int
    lines: list[int]


class _Abort(Exception):
    """The file cannot be read further; the error is already recorded."""


def _plain(value: str) -> Any:
    if value in _WORDS:
        return _WORDS[value]
    if value[0] not in _NUMERIC_START:
        return value
    if _INT.fullmatch(value):
        try:
            return int(value, 0) if value[:2] in ("0x", "0o") else int(value)
        except ValueError:  # more digits than Python converts: leave it to the field check
            return value
    if _FLOAT.fullmatch(value):
        return float(value)
    if value.lower() in _SPECIAL_FLOATS:
        return float(_SPECIAL_FLOATS[value.lower()])
    if _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class _Context:
    """The rarely used parts of building: errors, tags, anchors, aliases, merge keys."""

    def __init__(self, file: str, errors: list[ManifestError]) -> None:
        self.file = file
        self.errors = errors
        self.anchors: dict[str, Any] = {}
        self.sizes: dict[int, int] = {}  # id(anchored container) -> values it expands to
        self.expanded = 0

    def error(self, message: str, line: int) -> None:
        self.errors.append(ManifestError(message, source=SourceRef(self.file, line)))

    def tagged(self, event: Any, line: int) -> Any:
        """A non-plain scalar: quoted and block scalars are strings; core tags convert."""
        value: str = event.value
        tag = str(event.tag) if event.tag else None
        if tag is None or tag in ("!", _CORE + "str"):
            return value
        wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(tag.removeprefix(_CORE))
        if wanted is None:
            self.error(f"YAML tag '{tag}' is not allowed in manifests; remove it", line)
            return value
        typed = _plain(value)
        if wanted is float and type(typed) is int:
            return float(typed)
        return typed if type(typed) is wanted else value

    def check_collection_tag(self, event: Any, line: int) -> None:
        tag = str(event.tag) if event.tag else None
        if tag not in (None, "!", _CORE + "map", _CORE + "seq"):
            self.error(f"YAML tag '{tag}' is not allowed in manifests; remove it", line)

    def alias(self, event: Any, line: int, open_: list[Any], nodes: int) -> Any:
        if event.anchor not in self.anchors:
            self.error(f"alias '*{event.anchor}' refers to no anchor defined above it", line)
            return None
        value = self.anchors[event.anchor]
        if any(value is container for container in open_):
            self.error(f"alias '*{event.anchor}' refers to a value that contains it", line)
            raise _Abort
        # Counting what aliases expand to stops "billion laughs" documents, which would
        # otherwise make every later walk over the values exponential.
        self.expanded += _size(value, self.sizes)
        if self.expanded > max(1_000_000, 4 * nodes):
            self.error("aliases expand to far more data than the file holds", line)
            raise _Abort
        return value

    def merge(self, target: LMap, merges: list[tuple[Any, int]]) -> None:
        """YAML merge keys (`<<: *base`): keys written in the mapping win over merged ones."""
        for value, line in merges:
            for source in value if isinstance(value, LList) else [value]:
                if not isinstance(source, LMap):
                    self.error("'<<' (merge) needs a mapping or a list of mappings", line)
                    continue
                for key, item in source.items():
                    if key not in target:
                        target[key] = item
                        target.lines[key] = source.lines[key]


def _size(value: Any, cache: dict[int, int]) -> int:
    if not isinstance(value, LMap | LList):
        return 1
    known = cache.get(id(value))
    if known is None:
        items = value.values() if isinstance(value, LMap) else value
        known = 1 + sum(_size(item, cache) for item in items)
        cache[id(value)] = known
    return known


def _build(events: Iterable[Any], ctx: _Context) -> Any:
    """One document's events to values. This loop runs once per scalar of the file, so the
    common path is inlined and state lives in locals; the stack is explicit, so no input can
    overflow Python's recursion limit."""
    saved: list[tuple[Any, bool, str | None, int, list[tuple[Any, int]], bool]] = []
    open_: list[Any] = []
    top: Any = None
    is_map = False
    key: str | None = None  # in a mapping: the key whose value comes next
    key_line = 0
    merges: list[tuple[Any, int]] = []
    as_key = False  # the open container sits where a key belongs
    root: Any = None
    done = False
    nodes = 0
    for event in events:
        kind = type(event)
        if kind is ScalarEvent:
            nodes += 1
            line = event.start_mark.line + 1
            if is_map and key is None:
                key, key_line = event.value, line
                continue
            # `ctag` is the slot behind the `tag` property; reading it directly saves a call
            # per scalar
            value = _plain(event.value) if not event.style and not event.ctag else ctx.tagged(event, line)
            if event.anchor:
                ctx.anchors[event.anchor] = value
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            nodes += 1
            line = event.start_mark.line + 1
            if len(saved) >= MAX_DEPTH:
                ctx.error(f"values are nested more than {MAX_DEPTH} levels deep", line)
                raise _Abort
            if event.tag:
                ctx.check_collection_tag(event, line)
            saved.append((top, is_map, key, key_line, merges, as_key))
            as_key = is_map and key is None
            if as_key:
                ctx.error("mapping keys must be plain names, not lists or mappings", line)
            top = LMap() if kind is MappingStartEvent else LList()
            top.line = line
            top.lines = {} if kind is MappingStartEvent else []
            if event.anchor:
                ctx.anchors[event.anchor] = top
            open_.append(top)
            is_map, key, merges = kind is MappingStartEvent, None, []
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value, line = top, top.line
            if is_map and merges:
                ctx.merge(value, merges)
            closed_as_key = as_key
            top, is_map, key, key_line, merges, as_key = saved.pop()
            open_.pop()
            if closed_as_key:
                key = _BAD_KEY
                continue
        elif kind is AliasEvent:
            line = event.start_mark.line + 1
            value = ctx.alias(event, line, open_, nodes)
            if is_map and key is None:
                if not isinstance(value, str):
                    ctx.error("mapping keys must be plain names, not lists or mappings", line)
                key, key_line = (value if isinstance(value, str) else _BAD_KEY), line
                continue
        elif kind is DocumentStartEvent and done:
            line = event.start_mark.line + 1
            ctx.error("a manifest file holds one YAML document; remove the second '---'", line)
            raise _Abort
        else:
            continue
        if top is None:
            root, done = value, True
        elif not is_map:
            top.append(value)
            top.lines.append(line)
        else:
            if key == "<<":
                merges.append((value, line))
            elif key in top:
                ctx.error(
                    f"key '{key}' appears twice in this mapping (first on line {top.lines[key]})", key_line
                )
            elif key != _BAD_KEY:
                top[key] = value
                top.lines[key] = key_line
            key = None
    return root


def _line_of(text: str, position: int | None) -> int:
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def parse_yaml(text: str, file: str) -> tuple[Any, list[ManifestError]]:
    """Parse one document: its value (None when empty) and every problem found, each naming
    file and line. After a syntax error the value is None."""
    errors: list[ManifestError] = []
    try:
        root = _build(YAML(typ="safe").parse(text), _Context(file, errors))
    except _Abort:
        return None, errors
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "not valid YAML"
        where = SourceRef(file, mark.line + 1 if mark is not None else 1)
        errors.append(ManifestError(f"YAML syntax error: {problem}", source=where))
        return None, errors
    except YAMLError as err:
        # e.g. a control character: the reader reports a character offset, not a line
        line = _line_of(text, getattr(err, "position", None))
        reason = getattr(err, "reason", None) or (str(err).splitlines() or ["not valid YAML"])[0]
        errors.append(ManifestError(f"YAML error: {reason}", source=SourceRef(file, line)))
        return None, errors
    return root, errors
