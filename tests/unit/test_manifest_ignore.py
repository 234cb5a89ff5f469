"""`ignore:` rules are validated when manifests load, and kept for drift reporting."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestErrors
from reconciler.manifest import load


def test_ignore_rules_are_kept_for_drift(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "ignore:\n  - field: job_title\n  - {field: custom_fields.Tier, contacts: ['@VIP']}\n"
        "contacts:\n  - email: a@x.com\n"
    )
    assert load(tmp_path).settings["ignore"] == [
        {"field": "job_title"},
        {"field": "custom_fields.Tier", "contacts": ["@VIP"]},
    ]


def test_a_bad_ignore_rule_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("contacts: []\nignore:\n  - field: shoe_size\n")
    with pytest.raises(ManifestErrors) as info:
        load(tmp_path)
    (err,) = info.value.errors
    assert err.source is not None and err.source.line == 2 and err.field == "ignore"
