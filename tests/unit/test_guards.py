"""Blast-radius guards: each trips past its limit, stays quiet within it, and names its override."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.guards import (
    GuardLimits,
    GuardStateError,
    LastRun,
    check_guards,
    load_last_run,
    save_last_run,
)
from reconciler.model import Desired, Observed
from reconciler.plan import Action, Change, FieldChange, Plan
from unit.factories import desired, live, observed, want


def account(n: int) -> tuple[Desired, Observed]:
    emails = [f"p{i}@x.com" for i in range(n)]
    return (
        desired(*(want(e, lists={"Newsletter"}) for e in emails)),
        observed(*(live(e, cid=f"c{i}", lists={"Newsletter"}) for i, e in enumerate(emails))),
    )


def change(email: str, action: Action = Action.UPDATE, *, remove: tuple[str, ...] = ()) -> Change:
    return Change(
        action=action,
        email=email,
        source="m.yaml:1",
        fields=(FieldChange(path="job_title", before="a", after="b"),) if not remove else (),
        lists_remove=remove,
    )


def plan_of(*changes: Change, unchanged: int = 0) -> Plan:
    return Plan(
        provider="ctct-v3",
        target="http://sim/v3",
        manifest_digest="sha256:test",
        managed_lists=("Newsletter",),
        changes=changes,
        unchanged=unchanged,
    )


def removals(n: int, action: Action = Action.UPDATE) -> Plan:
    return plan_of(*(change(f"p{i}@x.com", action, remove=("Newsletter",)) for i in range(n)))


def test_list_removals_over_the_limit_trip_the_mass_removal_guard() -> None:
    d, o = account(100)
    (violation,) = check_guards(
        removals(11), d, o, GuardLimits(max_list_removals=10, max_changed_percent=100)
    )
    assert violation.guard == "mass-removal"
    assert "11 list memberships" in violation.message and "limit of 10" in violation.message
    assert "Newsletter 11" in violation.message
    assert violation.override == "--allow-mass-removal" and "--allow-mass-removal" in violation.message


def test_list_removals_at_the_limit_pass() -> None:
    d, o = account(100)
    assert check_guards(removals(10), d, o, GuardLimits(max_list_removals=10, max_changed_percent=100)) == []


def test_refused_changes_do_not_count_as_removals() -> None:
    d, o = account(100)
    assert check_guards(removals(30, Action.REFUSE), d, o, GuardLimits(max_list_removals=10)) == []


def test_allow_mass_removal_silences_the_removal_guard() -> None:
    d, o = account(100)
    limits = GuardLimits(max_list_removals=10, max_changed_percent=100, allow_mass_removal=True)
    assert check_guards(removals(50), d, o, limits) == []


def test_changing_more_than_the_percentage_of_managed_contacts_trips_the_mass_change_guard() -> None:
    d, o = account(40)
    plan = plan_of(*(change(f"p{i}@x.com") for i in range(11)))
    (violation,) = check_guards(plan, d, o, GuardLimits(max_changed_percent=25.0))
    assert violation.guard == "mass-change"
    assert "11 of the 40 managed contacts" in violation.message and "27.5%" in violation.message
    assert "limit of 25%" in violation.message and "--allow-mass-change" in violation.message


def test_changing_up_to_the_percentage_passes() -> None:
    d, o = account(40)
    plan = plan_of(*(change(f"p{i}@x.com") for i in range(10)))
    assert check_guards(plan, d, o, GuardLimits(max_changed_percent=25.0)) == []


def test_percentage_guard_is_off_below_the_minimum_number_of_managed_contacts() -> None:
    d, o = account(19)
    plan = plan_of(*(change(f"p{i}@x.com") for i in range(19)))
    assert check_guards(plan, d, o, GuardLimits(min_managed_for_percent=20)) == []


def test_creating_new_contacts_is_not_a_mass_change() -> None:
    d, o = account(20)
    new = desired(*d.contacts, *(want(f"new{i}@x.com") for i in range(100)))
    plan = plan_of(*(change(f"new{i}@x.com", Action.CREATE) for i in range(100)))
    assert check_guards(plan, new, o, GuardLimits()) == []


def test_allow_mass_change_silences_the_percentage_guard() -> None:
    d, o = account(40)
    plan = plan_of(*(change(f"p{i}@x.com") for i in range(40)))
    assert check_guards(plan, d, o, GuardLimits(allow_mass_change=True)) == []


def test_empty_manifests_after_a_run_that_managed_contacts_trip_the_empty_guard() -> None:
    _, o = account(5)
    (violation,) = check_guards(plan_of(), desired(), o, GuardLimits(), previous_managed=5000)
    assert violation.guard == "empty-manifests"
    assert "no contacts" in violation.message and "5000" in violation.message
    assert "--allow-empty" in violation.message


@pytest.mark.parametrize("previous", [None, 0])
def test_empty_manifests_on_a_first_run_or_after_an_empty_run_pass(previous: int | None) -> None:
    _, o = account(5)
    assert check_guards(plan_of(), desired(), o, GuardLimits(), previous_managed=previous) == []


def test_allow_empty_silences_the_empty_guard() -> None:
    _, o = account(5)
    assert check_guards(plan_of(), desired(), o, GuardLimits(allow_empty=True), previous_managed=9) == []


def test_every_tripped_guard_is_reported_at_once() -> None:
    d, o = account(40)
    found = check_guards(removals(40), d, o, GuardLimits())
    assert [v.guard for v in found] == ["mass-removal", "mass-change"]


def test_last_run_round_trips_through_its_file(tmp_path: Path) -> None:
    path = tmp_path / ".reconciler" / "last-run.json"
    save_last_run(path, 120, "sha256:abc")
    assert load_last_run(path) == LastRun(120, "sha256:abc")


def test_missing_last_run_file_means_no_previous_run(tmp_path: Path) -> None:
    assert load_last_run(tmp_path / "last-run.json") is None


def test_last_runs_are_kept_per_target(tmp_path: Path) -> None:
    path = tmp_path / "last-run.json"
    save_last_run(path, 5000, "sha256:prod", target="https://api.cc.email/v3")
    save_last_run(path, 3, "sha256:sim", target="http://127.0.0.1:8080/v3")
    assert load_last_run(path, target="https://api.cc.email/v3") == LastRun(5000, "sha256:prod")
    assert load_last_run(path, target="http://other/v3") is None


def test_corrupt_last_run_file_is_an_error_saying_to_delete_it(tmp_path: Path) -> None:
    path = tmp_path / "last-run.json"
    path.write_text("{not json")
    with pytest.raises(GuardStateError, match="delete it"):
        load_last_run(path)


def test_saving_replaces_a_corrupt_last_run_file(tmp_path: Path) -> None:
    path = tmp_path / "last-run.json"
    path.write_text("[]")
    save_last_run(path, 7, "sha256:x")
    assert load_last_run(path) == LastRun(7, "sha256:x")
