"""JSON plans: the saved-plan shape plus a summary, stable byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.plan import PLAN_FORMAT_VERSION, Plan
from reconciler.render import plan_json_schema, render_plan
from unit.test_render_common import full_plan, plan_of


def _doc(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(render_plan(plan, "json"))
    return doc


def test_json_round_trips_to_the_same_plan_once_the_summary_is_dropped() -> None:
    plan = full_plan()
    doc = _doc(plan)
    doc.pop("summary")
    assert Plan.model_validate(doc) == plan


def test_json_carries_the_format_version() -> None:
    assert _doc(full_plan())["format_version"] == PLAN_FORMAT_VERSION


def test_json_summary_counts_each_action_in_a_fixed_key_order() -> None:
    summary = _doc(full_plan())["summary"]
    assert list(summary.items()) == [
        ("create", 1),
        ("update", 1),
        ("revive", 1),
        ("refuse", 1),
        ("unchanged", 17),
        ("account_changes", 2),
    ]


def test_json_keys_follow_the_plan_fields_with_the_summary_last() -> None:
    assert list(_doc(full_plan())) == [*Plan.model_fields, "summary"]


def test_json_is_two_space_indented_with_a_trailing_newline() -> None:
    out = render_plan(full_plan(), "json")
    assert out.startswith('{\n  "format_version": ')
    assert out.endswith("}\n") and not out.endswith("\n\n")


def test_json_keeps_non_ascii_characters_readable() -> None:
    plan = plan_of(unchanged=1).model_copy(update={"managed_lists": ("Bücher",)})
    assert '"Bücher"' in render_plan(plan, "json")


def test_json_ignores_colour() -> None:
    assert render_plan(full_plan(), "json", color=True) == render_plan(full_plan(), "json")


def test_json_schema_requires_and_describes_the_summary() -> None:
    schema = plan_json_schema()
    assert "summary" in schema["required"]
    assert set(schema["properties"]["summary"]["required"]) == set(_doc(full_plan())["summary"])
    assert schema["additionalProperties"] is False


def test_json_output_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(_doc(full_plan()), plan_json_schema())
    jsonschema.validate(_doc(plan_of(unchanged=3)), plan_json_schema())
