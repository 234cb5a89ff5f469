"""Reading YAML safely: plain values with lines, no object-building tags, no traceback for any
input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.errors import ManifestErrors
from reconciler.manifest import load
from reconciler.manifest.yaml_source import LList, LMap, parse_yaml
from reconciler.model import Desired


def parsed(text: str) -> Any:
    value, errors = parse_yaml(text, "m.yaml")
    assert errors == []
    return value


def only_error(text: str) -> tuple[int, str]:
    _, errors = parse_yaml(text, "m.yaml")
    (err,) = errors
    assert err.source is not None and err.source.file == "m.yaml"
    return err.source.line, err.message


def test_keys_and_items_remember_their_lines() -> None:
    doc = parsed("# c\na: 1\nb:\n  - x\n  -\n    y: 2\n")
    assert isinstance(doc, LMap) and doc.lines == {"a": 2, "b": 3}
    assert isinstance(doc["b"], LList) and doc["b"].lines == [4, 6] and doc["b"][1].lines == {"y": 6}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("-7", -7),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ("~", None),
        ("yes", "yes"),  # YAML 1.2: not a boolean
        ("02108", "02108"),  # a postal code keeps its leading zero
        ("2019-06-01", dt.date(2019, 6, 1)),
        ("2019-02-30", "2019-02-30"),
        ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z"),
        ("'1'", "1"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("!!int '12'", 12),
        ("|\n  text\n", "text\n"),
        ("9" * 5000, "9" * 5000),  # too many digits for int(): left to the field check
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: Any) -> None:
    assert parsed(f"v: {text}")["v"] == value


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!binary", "!custom", "!!set", "!!omap"])
def test_tags_that_could_build_objects_are_refused(tag: str) -> None:
    line, message = only_error(
        f"a: 1\nb: {tag} {{}}\n" if tag in ("!!set", "!!omap") else f"a: 1\nb: {tag} x\n"
    )
    assert line == 2 and "not allowed" in message


def test_merge_keys_fill_in_without_overriding() -> None:
    doc = parsed("base: &b {kind: work, city: Boston}\naddr:\n  <<: *b\n  city: Salem\n")
    assert doc["addr"] == {"kind": "work", "city": "Salem"}


def test_alias_bombs_are_stopped() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
    line, message = only_error("\n".join(rows) + "\n")
    assert "aliases expand" in message and line > 1


def test_recursive_aliases_and_deep_nesting_are_errors_not_crashes() -> None:
    assert "contains it" in only_error("a: &a [1, *a]\n")[1]
    assert "nested more than" in only_error("a: " + "[" * 100 + "]" * 100 + "\n")[1]


def test_second_document_is_an_error() -> None:
    assert only_error("a: 1\n---\nb: 2\n") == (
        2,
        "a manifest file holds one YAML document; remove the second '---'",
    )


def test_undefined_alias_and_complex_keys_are_errors() -> None:
    assert only_error("a: *nope\n")[0] == 1
    assert only_error("? [a, b]\n: 1\nc: 2\n")[1].startswith("mapping keys must be plain names")


def test_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_bytes("\ufeffcontacts:\n  - email: a@x.com\n".encode())
    assert len(load(tmp_path).contacts) == 1


def _outcome(path: Path) -> None:
    try:
        assert isinstance(load(path), Desired)
    except ManifestErrors as errors:
        assert errors.errors and all(e.source is not None for e in errors.errors)


YAMLISH = st.text(
    alphabet="contacts:emailiststo- []{}\n\t'\"#&*!|>%@`0123456789.,?<~_\\x\u00e9\x00\x07", max_size=200
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAMLISH)
def test_any_text_gives_a_desired_or_manifest_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    _outcome(path)


def _values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=False),
        st.text(max_size=30),
        st.sampled_from(["a@x.com", "work", "2019-06-01", "Newsletter", "2026-11-01T10:00:00Z", "gold"]),
    )
    keys = st.sampled_from(
        [
            "email",
            "first_name",
            "birthday_month",
            "birthday_day",
            "anniversary",
            "phone_numbers",
            "kind",
            "number",
            "street_address",
            "custom_fields",
            "lists",
            "consent",
            "at",
            "evidence",
            "name",
            "x",
        ]
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
        max_leaves=20,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    contacts=st.lists(_values(), max_size=4),
    top=st.sampled_from(["contacts", "defaults", "settings", "lists"]),
)
def test_any_structure_gives_a_desired_or_manifest_errors(
    tmp_path: Path, contacts: list[Any], top: str
) -> None:
    path = tmp_path / "m.yaml"
    # JSON is YAML: a cheap way to write arbitrary nested values
    path.write_text(json.dumps({top: contacts}), encoding="utf-8")
    _outcome(path)
