"""The documented JSON Schema of plan files (docs/plan.schema.json) matches the code."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.render import plan_json_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan.schema.json"


def test_plan_schema_document_is_current() -> None:
    """Regenerate with: python -c 'import json; from reconciler.render import plan_json_schema; ...'"""
    assert json.loads(DOC.read_text()) == json.loads(json.dumps(plan_json_schema(), sort_keys=True))
