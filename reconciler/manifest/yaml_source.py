"""YAML to plain values that remember their line numbers.

The C-accelerated composer builds nodes (with marks) fast enough for 100,000 contacts; we
construct values ourselves from the nodes so that only plain data types can ever come out
(no tags that build objects) and every mapping key and sequence item keeps its line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.errors import ManifestError, SourceRef

__all__ = ["LList", "LMap", "parse_yaml"]

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]+([eE][-+]?[0-9]+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class LMap(dict[str, Any]):
    """A mapping that knows its own line and each key's line (1-based)."""

    line: int
    lines: dict[str, int]


class LList(list[Any]):
    line: int
    lines: list[int]


def _scalar(node: ScalarNode) -> Any:
    tag, value = str(node.tag or ""), node.value
    if node.style:  # quoted: always a string, whatever it looks like
        return value
    if tag.endswith(":null") or value in ("", "~", "null", "Null", "NULL"):
        return None
    if tag.endswith(":bool") or value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return value.lower() == "true"
    if tag.endswith(":int") or _INT.match(value):
        return int(value.replace("_", ""))
    if tag.endswith(":float") or _FLOAT.match(value):
        return float(value.replace("_", ""))
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _build(node: Node, file: str) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        seq = LList(_build(item, file) for item in node.value)
        seq.line = node.start_mark.line + 1
        seq.lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    if isinstance(node, MappingNode):
        out = LMap()
        out.line = node.start_mark.line + 1
        out.lines = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ManifestError(
                    "mapping keys must be plain names", source=SourceRef(file, key_node.start_mark.line + 1)
                )
            key = str(key_node.value)
            if key in out:
                raise ManifestError(
                    f"key '{key}' appears twice", source=SourceRef(file, key_node.start_mark.line + 1)
                )
            out[key] = _build(value_node, file)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    raise ManifestError("unsupported YAML node", source=SourceRef(file, node.start_mark.line + 1))


def parse_yaml(text: str, file: str) -> Any:
    """Parse one document; a syntax error names file and line."""
    try:
        node = YAML(typ="safe").compose(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        raise ManifestError(
            f"YAML syntax error: {err.problem or err.context}", source=SourceRef(file, line)
        ) from None
    except YAMLError as err:
        raise ManifestError(f"YAML error: {err}", source=SourceRef(file, 1)) from None
    return None if node is None else _build(node, file)
