"""The plan as stable JSON: the saved-plan shape plus a summary for scripts and CI."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan import Plan
from reconciler.render.common import summary

__all__ = ["plan_json_schema", "render_json"]

_SUMMARY_KEYS = ("create", "update", "revive", "refuse", "unchanged", "account_changes")


def plan_document(plan: Plan) -> dict[str, Any]:
    # model_dump follows the field order of Plan, so key order is stable without sort_keys;
    # the summary goes last, after everything it summarises.
    doc = plan.model_dump(mode="json")
    doc["summary"] = summary(plan)
    return doc


def render_json(plan: Plan, *, color: bool = False, width: int = 100) -> str:
    del color, width  # JSON is for machines: no colour, no layout
    return json.dumps(plan_document(plan), indent=2, ensure_ascii=False) + "\n"


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema of `render_json`'s output (Plan.model_json_schema() plus the summary)."""
    schema = Plan.model_json_schema(mode="serialization")
    schema["properties"]["summary"] = {
        "title": "Summary",
        "description": "Counts derived from the plan, for scripts; not part of the plan itself.",
        "type": "object",
        "properties": {key: {"type": "integer", "minimum": 0} for key in _SUMMARY_KEYS},
        "required": list(_SUMMARY_KEYS),
        "additionalProperties": False,
    }
    schema.setdefault("required", []).append("summary")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
