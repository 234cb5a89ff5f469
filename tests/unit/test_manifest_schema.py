"""The exported JSON Schema describes exactly the format the loader reads."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ManifestErrors
from reconciler.manifest import json_schema, load
from reconciler.manifest.contact import CONTACT_KEYS, DEFAULT_KEYS
from reconciler.manifest.document import CUSTOM_FIELD_TYPES, PROVIDERS, SETTINGS_KEYS, TOP_KEYS
from reconciler.manifest.extras import CONSENT_METHODS
from reconciler.manifest.fields import ADDRESS_KINDS, ADDRESS_LIMITS, PHONE_KINDS
from reconciler.manifest.yaml_source import parse_yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "manifests"

FULL = """\
settings:
  provider: ctct-v3
  base_url: https://api.cc.email/v3
  managed_lists: [Newsletter, Customers]
lists:
  - name: Newsletter
    description: Monthly news
  - name: Customers
custom_fields:
  - name: Tier
    type: string
  - name: Joined
    type: date
defaults:
  company_name: Acme
  lists: [Newsletter]
  custom_fields: {Region: EMEA}
contacts:
  - email: Jane@Example.com
    first_name: Jane
    last_name: null
    job_title: CTO
    company_name: Initech
    birthday_month: 2
    birthday_day: 29
    anniversary: 2019-06-01
    phone_numbers:
      - {kind: work, number: "+1-555-0100"}
      - {number: 5550101}
    street_address: {kind: work, street: "1 Main St", city: Boston, state: MA, postal_code: 02108}
    custom_fields: {Tier: gold, Joined: 2020-01-31, Score: 7, VIP: true, Old: null}
    lists: [Newsletter, Customers]
    consent:
      at: "2026-11-01T10:00:00Z"
      evidence: "https://forms.example.com/submissions/8812"
      method: signup_form
  - email: bob@example.com
    anniversary: "6/1/2019"
    street_addresses: [{kind: home, postal_code: "02108"}]
    phone_numbers: []
    lists: []
"""


def _plain(value: Any) -> Any:
    """The loader's YAML values as an editor's JSON view of them (dates are strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
    "number": (int, float),
}


def _type_ok(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def problems(value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "$") -> Iterator[str]:
    """A small JSON Schema validator: just the keywords the exported schema uses."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        yield from problems(value, root["$defs"][name], root, path)
    if "anyOf" in schema:
        options = [list(problems(value, option, root, path)) for option in schema["anyOf"]]
        if all(options):
            yield f"{path}: matches no option: {min(options, key=len)}"
    if "type" in schema and not _type_ok(value, schema["type"]):
        yield f"{path}: not {schema['type']}"
        return
    if "enum" in schema and value not in schema["enum"]:
        yield f"{path}: not one of {schema['enum']}"
    if "const" in schema and value != schema["const"]:
        yield f"{path}: not {schema['const']}"
    if isinstance(value, str):
        if len(value) > schema.get("maxLength", len(value)) or len(value) < schema.get("minLength", 0):
            yield f"{path}: length {len(value)}"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            yield f"{path}: does not match {schema['pattern']}"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        yield f"{path}: out of range"
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            yield f"{path}: too many items"
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            yield f"{path}: items not unique"
        for i, item in enumerate(value):
            yield from problems(item, schema.get("items", {}), root, f"{path}[{i}]")
    if isinstance(value, dict):
        if len(value) > schema.get("maxProperties", len(value)):
            yield f"{path}: too many properties"
        for key in schema.get("required", []):
            if key not in value:
                yield f"{path}: missing {key}"
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            yield from problems(key, schema.get("propertyNames", {}), root, f"{path} key {key!r}")
            if key in properties:
                yield from problems(item, properties[key], root, f"{path}.{key}")
            elif extra is False:
                yield f"{path}: unknown key {key}"
            elif isinstance(extra, dict):
                yield from problems(item, extra, root, f"{path}.{key}")


def schema_problems(text: str) -> list[str]:
    doc, errors = parse_yaml(text, "m.yaml")
    assert errors == []
    schema = json_schema()
    return list(problems(_plain(doc), schema, schema))


def example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.yaml"))


def test_schema_is_draft_2020_12_and_round_trips_as_json() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema and schema["additionalProperties"] is False


def test_every_property_has_a_description() -> None:
    schema = json_schema()
    objects = [schema, *schema["$defs"].values()]
    missing = [
        f"{obj.get('title')}.{name}"
        for obj in objects
        for name, prop in obj.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert missing == []


def test_schema_and_loader_accept_the_same_keys() -> None:
    schema = json_schema()
    defs = schema["$defs"]
    assert set(schema["properties"]) == set(TOP_KEYS)
    assert set(defs["Settings"]["properties"]) == set(SETTINGS_KEYS)
    assert set(defs["Contact"]["properties"]) == set(CONTACT_KEYS)
    assert set(defs["Defaults"]["properties"]) == set(DEFAULT_KEYS)
    assert set(defs["Address"]["properties"]) == {"kind", *ADDRESS_LIMITS}
    assert set(defs["Phone"]["properties"]) == {"kind", "number"}
    assert set(defs["Consent"]["properties"]) == {"at", "evidence", "method"}
    assert set(defs["ListDecl"]["properties"]) == {"name", "description"}
    assert set(defs["CustomFieldDecl"]["properties"]) == {"name", "type"}


def test_fully_featured_manifest_loads_and_validates_against_the_schema(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(FULL)
    assert len(load(tmp_path).contacts) == 2
    assert schema_problems(FULL) == []


@pytest.mark.parametrize("path", example_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_manifests_validate_against_the_schema(path: Path) -> None:
    assert schema_problems(path.read_text()) == []


def test_example_manifests_load() -> None:
    for directory in sorted({p.parent for p in example_files()}):
        assert load(directory).contacts


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("first_name: Jane", "frist_name: Jane"),
        ("kind: work, number", "kind: fax, number"),
        ("birthday_month: 2", "birthday_month: 13"),
        ('anniversary: "6/1/2019"', 'anniversary: "June 1"'),
        ("provider: ctct-v3", "provider: ctct-v9"),
        ("type: date", "type: number"),
        ("lists: [Newsletter, Customers]\n    consent", "lists: [Newsletter, Newsletter]\n    consent"),
        ("- email: bob@example.com", "- email: bob@example"),
        ("street_addresses: [{kind: home,", "street_addresses: [{kind: castle,"),
    ],
)
def test_schema_and_loader_both_reject_an_invalid_manifest(tmp_path: Path, old: str, new: str) -> None:
    assert old in FULL
    text = FULL.replace(old, new, 1)
    assert schema_problems(text) != []
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(ManifestErrors):
        load(tmp_path)


def _enum(prop: dict[str, Any]) -> list[Any]:
    for option in prop.get("anyOf", [prop]):
        if "enum" in option or "const" in option:
            return list(option.get("enum", [option.get("const")]))
    raise AssertionError(f"no enum in {prop}")


def test_schema_enums_are_the_values_the_loader_accepts() -> None:
    defs = json_schema()["$defs"]
    assert _enum(defs["Settings"]["properties"]["provider"]) == list(PROVIDERS)
    assert _enum(defs["Phone"]["properties"]["kind"]) == list(PHONE_KINDS)
    assert _enum(defs["Address"]["properties"]["kind"]) == list(ADDRESS_KINDS)
    assert _enum(defs["CustomFieldDecl"]["properties"]["type"]) == list(CUSTOM_FIELD_TYPES)
    assert _enum(defs["Consent"]["properties"]["method"]) == list(CONSENT_METHODS)
