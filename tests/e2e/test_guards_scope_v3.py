"""Blast-radius guards and scoping, from the CLI against `reconciler sim`."""

from __future__ import annotations

from pathlib import Path

from e2e.harness import EXAMPLE, Sim, plan_json, run


def _mass_removal_manifest(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    lines = [
        "lists:",
        "  - name: Newsletter",
        "  - name: Customers",
        "  - name: Partners",
        "  - name: Event Attendees",
        "contacts:",
    ]
    lines += [f"  - email: user{i:02d}@example.org\n    lists: []" for i in range(1, 21)]
    (tmp_path / "m.yaml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_mass_list_removal_stops_apply_until_overridden(sim: Sim, tmp_path: Path) -> None:
    manifests = _mass_removal_manifest(tmp_path)
    stopped = run("apply", manifests, "--auto-approve", sim=sim)
    assert stopped.code == 1
    assert "--allow-mass-removal" in stopped.err
    assert {r["method"] for r in sim.requests()} == {"GET"}
    allowed = run(
        "apply", manifests, "--auto-approve", "--allow-mass-removal", "--allow-mass-change", sim=sim
    )
    assert allowed.code == 0, allowed.out + allowed.err


def test_plan_warns_and_will_not_save_a_plan_that_trips_a_guard(sim: Sim, tmp_path: Path) -> None:
    manifests = _mass_removal_manifest(tmp_path / "m")
    result = run("plan", manifests, "--out", tmp_path / "plan.json", sim=sim)
    assert result.code == 1
    assert "Guard:" in result.err and not (tmp_path / "plan.json").exists()


def test_target_limits_the_plan_to_one_contact(sim: Sim) -> None:
    plan = plan_json(EXAMPLE, "--target", "frank@example.com", sim=sim)
    assert [c["email"] for c in plan["changes"]] == ["frank@example.com"]


def test_exclude_by_list_leaves_those_contacts_out(sim: Sim) -> None:
    plan = plan_json(EXAMPLE, "--exclude", "@Newsletter", sim=sim)
    emails = {c["email"] for c in plan["changes"]}
    assert "frank@example.com" not in emails and "dave@example.com" not in emails
    assert "carol@example.com" in emails


def test_unknown_target_is_a_clear_error(sim: Sim) -> None:
    result = run("plan", EXAMPLE, "--target", "nobody@example.com", sim=sim)
    assert result.code == 1 and "Traceback" not in result.err
