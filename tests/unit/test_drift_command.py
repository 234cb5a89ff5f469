"""The drift command's small decisions: intervals and exit codes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.apply import ApplyReport, ContactResult, Outcome
from reconciler.commands_drift import parse_interval
from reconciler.drift import DriftResult
from reconciler.drift_classify import DriftClass, DriftItem, DriftReason, DriftReport
from reconciler.errors import ConfigError
from reconciler.plan import Action, Change


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("90", 90), ("0.5s", 0.5)]
)
def test_interval_is_read_in_seconds_minutes_and_hours(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "15x", "m", "0s", "-5"])
def test_unreadable_or_empty_interval_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_interval(text)


def _item(email: str, cls: DriftClass) -> DriftItem:
    change = Change(action=Action.UPDATE, email=email, source="m.yaml:1", contact_id="c")
    return DriftItem(change, cls, DriftReason.ACCOUNT_SIDE)


def _result(*items: DriftItem, outcome: str = "drift", heal: ApplyReport | None = None) -> DriftResult:
    report = DriftReport(target="t", items=items)
    return DriftResult("t", datetime(2026, 1, 1, tzinfo=UTC), outcome, 0.1, report=report, heal=heal)


def test_no_drift_exits_0() -> None:
    assert _result(outcome="no_drift").exit_code == 0


def test_correctable_drift_exits_2_even_with_contact_owned_drift() -> None:
    both = _result(_item("a@x", DriftClass.CORRECTABLE), _item("b@x", DriftClass.CONTACT_OWNED))
    assert both.exit_code == 2


def test_contact_owned_drift_only_exits_3() -> None:
    assert _result(_item("b@x", DriftClass.CONTACT_OWNED)).exit_code == 3


def test_healed_drift_exits_0() -> None:
    heal = ApplyReport([ContactResult("a@x", "update", Outcome.APPLIED)])
    assert _result(_item("a@x", DriftClass.CORRECTABLE), outcome="healed", heal=heal).exit_code == 0


def test_heal_meeting_a_stale_contact_exits_3() -> None:
    heal = ApplyReport([ContactResult("a@x", "update", Outcome.STALE)])
    assert _result(_item("a@x", DriftClass.CORRECTABLE), heal=heal).exit_code == 3


def test_failed_run_exits_1() -> None:
    assert DriftResult("t", datetime(2026, 1, 1, tzinfo=UTC), "error", 0.1, error="boom").exit_code == 1
