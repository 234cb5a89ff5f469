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
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
# YAML 1.2 core schema, except that a leading zero keeps a plain number a string, so that
# an unquoted postal code like 02108 survives.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


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
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
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


def _tagged(value: str, tag: str) -> Any:
    """A scalar with an explicit core tag; anything the tag cannot make stays a string."""
    name = tag.removeprefix(_CORE)
    typed = _plain(value)
    wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(name)
    if wanted is float and type(typed) is int:
        return float(typed)
    return typed if wanted is not None and type(typed) is wanted else value


class _Builder:
    """Turns one document's events into LMap/LList/scalars, with an explicit stack (no
    recursion, so deep nesting cannot overflow)."""

    def __init__(self, file: str, errors: list[ManifestError]) -> None:
        self.file = file
        self.errors = errors
        self.stack: list[Any] = []  # LMap or LList being filled
        self.keys: list[str | None] = []  # per open mapping: key awaiting its value
        self.key_bad: list[bool] = []  # per open mapping: the pending key was not a name
        self.merges: list[list[tuple[Any, int]]] = []  # per open mapping: `<<` values
        self.anchors: dict[str, Any] = {}
        self.sizes: dict[int, int] = {}  # id(anchored value) -> nodes it expands to
        self.nodes = 0
        self.expanded = 0
        self.done = False
        self.root: Any = None

    def error(self, message: str, line: int) -> None:
        self.errors.append(ManifestError(message, source=SourceRef(self.file, line)))

    def _expects_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1], LMap) and self.keys[-1] is None

    def _put(self, value: Any, line: int) -> None:
        if not self.stack:
            self.root, self.done = value, True
            return
        top = self.stack[-1]
        if isinstance(top, LList):
            top.append(value)
            top.lines.append(line)
            return
        key = self.keys[-1]
        self.keys[-1] = None
        if self.key_bad[-1]:
            self.key_bad[-1] = False
        elif key == "<<":
            self.merges[-1].append((value, line))
        elif key is not None and key in top:
            self.error(f"key '{key}' appears twice in this mapping (first on line {top.lines[key]})", line)
        elif key is not None:
            top[key] = value
            top.lines[key] = line

    def _key(self, value: str | None, line: int) -> None:
        if value is None:
            self.error("mapping keys must be plain names, not lists or mappings", line)
            self.key_bad[-1] = True
        self.keys[-1] = value if value is not None else ""

    def _open(self, container: Any, line: int, anchor: str | None) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.error(f"values are nested more than {MAX_DEPTH} levels deep", line)
            raise _Abort
        if self._expects_key():
            self._key(None, line)
        container.line = line
        container.lines = {} if isinstance(container, LMap) else []
        if anchor:
            self.anchors[anchor] = container
        self.stack.append(container)
        if isinstance(container, LMap):
            self.keys.append(None)
            self.key_bad.append(False)
            self.merges.append([])

    def _close(self) -> None:
        container = self.stack.pop()
        if isinstance(container, LMap):
            self.keys.pop()
            self.key_bad.pop()
            self._merge(container, self.merges.pop())
        self._put(container, container.line)

    def _merge(self, target: LMap, merges: list[tuple[Any, int]]) -> None:
        """YAML merge keys: keys written in the mapping win over merged ones."""
        for value, line in merges:
            sources = value if isinstance(value, LList) else [value]
            for source in sources:
                if not isinstance(source, LMap):
                    self.error("'<<' (merge) needs a mapping or a list of mappings", line)
                    continue
                for key, item in source.items():
                    if key not in target:
                        target[key] = item
                        target.lines[key] = source.lines[key]

    def _scalar(self, event: ScalarEvent, line: int) -> None:
        value: str = event.value
        tag = str(event.tag) if event.tag else None
        plain = event.style in (None, "") and tag is None
        if self._expects_key():
            self._key(value, line)
            return
        if plain:
            typed = _plain(value)
        elif tag is None or tag in ("!", _CORE + "str"):
            typed = value
        elif tag.startswith(_CORE) and tag[len(_CORE) :] in ("int", "float", "bool", "null"):
            typed = _tagged(value, tag)
        else:
            self.error(f"YAML tag '{tag}' is not allowed in manifests; remove it", line)
            typed = value
        if event.anchor:
            self.anchors[event.anchor] = typed
        self._put(typed, line)

    def _alias(self, event: AliasEvent, line: int) -> None:
        if event.anchor not in self.anchors:
            self.error(f"alias '*{event.anchor}' refers to no anchor defined above it", line)
            value = None
        elif any(self.anchors[event.anchor] is open_ for open_ in self.stack):
            self.error(f"alias '*{event.anchor}' refers to a value that contains it", line)
            raise _Abort
        else:
            value = self.anchors[event.anchor]
            # Counting what aliases expand to stops "billion laughs" documents, which
            # would otherwise make every later walk over the values exponential.
            self.expanded += _size(value, self.sizes)
            if self.expanded > max(1_000_000, 4 * self.nodes):
                self.error("aliases expand to far more data than the file holds", line)
                raise _Abort
        if self._expects_key():
            self._key(value if isinstance(value, str) else None, line)
            return
        self._put(value, line)

    def feed(self, event: Any) -> None:
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        kind = type(event)
        if kind is ScalarEvent:
            self.nodes += 1
            self._scalar(event, line)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            self.nodes += 1
            tag = str(event.tag) if event.tag else None
            if tag not in (None, "!", _CORE + "map", _CORE + "seq"):
                self.error(f"YAML tag '{tag}' is not allowed in manifests; remove it", line)
            self._open(LMap() if kind is MappingStartEvent else LList(), line, event.anchor)
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            self._close()
        elif kind is AliasEvent:
            self._alias(event, line)
        elif kind is DocumentStartEvent and self.done:
            self.error("a manifest file holds one YAML document; remove the second '---'", line)
            raise _Abort


def _size(value: Any, cache: dict[int, int]) -> int:
    if not isinstance(value, LMap | LList):
        return 1
    known = cache.get(id(value))
    if known is None:
        items = value.values() if isinstance(value, LMap) else value
        known = 1 + sum(_size(item, cache) for item in items)
        cache[id(value)] = known
    return known


def _line_of(text: str, position: int | None) -> int:
    return text.count("\n", 0, position) + 1 if position is not None else 1


def parse_yaml(text: str, file: str) -> tuple[Any, list[ManifestError]]:
    """Parse one document: its value (None when empty) and every problem found, each naming
    file and line. With a syntax error the value is None."""
    errors: list[ManifestError] = []
    builder = _Builder(file, errors)
    try:
        for event in YAML(typ="safe").parse(text):
            builder.feed(event)
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
        reason = getattr(err, "reason", None) or str(err).splitlines()[0]
        errors.append(ManifestError(f"YAML error: {reason}", source=SourceRef(file, line)))
        return None, errors
    return builder.root, errors
