"""The CLI end to end against `reconciler sim` over real HTTP, with the example manifests."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.harness import EXAMPLE, TOKEN, Sim, plan_json, run


def _emails(plan: dict[str, object], action: str) -> list[str]:
    changes = plan["changes"]
    assert isinstance(changes, list)
    return [c["email"] for c in changes if c["action"] == action]


def test_plan_shows_every_kind_of_change_and_refusal(sim: Sim) -> None:
    result = run("plan", EXAMPLE, "--detailed-exitcode", sim=sim)
    assert result.code == 3, result.err
    for line in ("+ contact frank@example.com", "~ contact jane@example.com", "↺ contact carol@example.com"):
        assert line in result.out
    assert "bob@example.com" in result.out and "consent/contact-opt-out" in result.out
    assert 'list "VIP"' in result.out


def test_plan_makes_no_writes(sim: Sim) -> None:
    run("plan", EXAMPLE, sim=sim)
    assert {r["method"] for r in sim.requests()} == {"GET"}


def test_apply_then_plan_shows_no_changes_and_keeps_the_refusal(sim: Sim) -> None:
    applied = run("apply", EXAMPLE, "--auto-approve", sim=sim)
    assert applied.code == 3, applied.out + applied.err  # bob stays refused; everything else applied
    assert "Apply complete" in applied.out
    again = run("plan", EXAMPLE, "--detailed-exitcode", sim=sim)
    assert again.code == 3
    assert "No changes" in again.out
    plan = plan_json(EXAMPLE, sim=sim)
    assert [c["action"] for c in plan["changes"]] == ["refuse"]


def test_unsubscribed_contact_is_refused_and_never_sent(sim: Sim) -> None:
    run("apply", EXAMPLE, "--auto-approve", sim=sim)
    bob = sim.contact("bob@example.com")
    assert bob["email_address"]["permission_to_send"] == "unsubscribed"
    assert bob.get("list_memberships", []) == []
    assert sim.admin("GET", "illegal") == []
    assert not [r for r in sim.requests() if r["method"] != "GET" and bob["contact_id"] in r["path"]]


def test_account_unsubscribed_contact_is_re_added(sim: Sim) -> None:
    run("apply", EXAMPLE, "--auto-approve", sim=sim)
    dave = sim.contact("dave@example.com")
    assert dave["email_address"]["permission_to_send"] in ("implicit", "explicit")
    assert [sim.list_names()[i] for i in dave["list_memberships"]] == ["Newsletter"]


def test_deleted_contact_is_revived_not_duplicated(sim: Sim) -> None:
    run("apply", EXAMPLE, "--auto-approve", sim=sim)
    carols = [c for c in sim.state()["contacts"] if c["email_address"]["address"] == "carol@example.com"]
    assert len(carols) == 1
    assert not carols[0].get("deleted_at")
    assert [sim.list_names()[i] for i in carols[0]["list_memberships"]] == ["Customers"]
    creates = [r for r in sim.requests() if r["method"] == "POST" and r["path"] == "/v3/contacts"]
    assert len(creates) == 1, "only frank is created; carol is revived by PUT"


def test_undeclared_fields_and_unmanaged_lists_survive_apply(sim: Sim) -> None:
    before = sim.contact("jane@example.com")
    run("apply", EXAMPLE, "--auto-approve", sim=sim)
    jane = sim.contact("jane@example.com")
    assert jane["job_title"] == "CTO"
    assert (
        jane["phone_numbers"]
        and jane["phone_numbers"][0]["phone_number"] == before["phone_numbers"][0]["phone_number"]
    )
    names = {sim.list_names()[i] for i in jane["list_memberships"]}
    assert "Partners" in names  # unmanaged: kept
    lead = [cf for cf in jane["custom_fields"] if cf["value"] == "webinar"]
    assert lead, "the unmanaged Lead_Source custom field was lost"


def test_injected_429_5xx_and_dropped_post_still_converge(sim: Sim) -> None:
    sim.admin("POST", "faults", {"status": 429, "count": 2, "method": "PUT"})
    sim.admin("POST", "faults", {"status": 503, "count": 2, "method": "PUT", "after": 1})
    sim.admin("POST", "faults", {"status": 500, "count": 1, "method": "GET", "path_prefix": "/v3/contacts"})
    sim.admin("POST", "faults", {"drop": True, "count": 1, "method": "POST", "path_prefix": "/v3/contacts"})
    applied = run("apply", EXAMPLE, "--auto-approve", sim=sim)
    assert applied.code == 3, applied.out + applied.err
    assert "0 failed" in applied.out
    frank = [c for c in sim.state()["contacts"] if c["email_address"]["address"] == "frank@example.com"]
    assert len(frank) == 1, "a dropped POST was blindly re-sent"
    assert run("plan", EXAMPLE, "--detailed-exitcode", sim=sim).code == 3
    assert [c["action"] for c in plan_json(EXAMPLE, sim=sim)["changes"]] == ["refuse"]


def test_saved_plan_applies_later(sim: Sim, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", EXAMPLE, "--out", saved, sim=sim).code == 0
    assert json.loads(saved.read_text())["format_version"] == 1
    assert {r["method"] for r in sim.requests()} == {"GET"}
    sim.admin("DELETE", "requests")
    applied = run("apply", saved, "--auto-approve", sim=sim)
    assert applied.code == 3, applied.out + applied.err
    reads = [r for r in sim.requests() if r["method"] == "GET" and r["path"] == "/v3/contacts"]
    assert reads and all("updated_after" in str(r["query"]) for r in reads), "apply re-read the whole account"
    assert run("plan", EXAMPLE, "--detailed-exitcode", sim=sim).code == 3


def test_saved_plan_skips_a_contact_edited_since_planning(sim: Sim, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    run("plan", EXAMPLE, "--out", saved, sim=sim)
    sim.admin("POST", "contacts/by-email/jane@example.com/edit", {"job_title": "Founder"})
    applied = run("apply", saved, "--auto-approve", sim=sim)
    assert applied.code == 3
    assert "stale" in applied.err and "jane@example.com" in applied.err
    assert sim.contact("jane@example.com")["job_title"] == "Founder"  # not overwritten
    assert sim.contact("frank@example.com")  # the rest applied


def test_saved_plan_for_another_target_is_refused(sim: Sim, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    run("plan", EXAMPLE, "--out", saved, sim=sim)
    other = run("apply", saved, "--auto-approve", "--base-url", "http://127.0.0.1:9/v3", sim=sim)
    assert other.code == 1
    assert "made for" in other.err
    assert {r["method"] for r in sim.requests()} == {"GET"}


def test_bad_manifest_gives_a_clear_error_and_sends_no_request(sim: Sim, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("contacts:\n  - email: ok@example.com\n    frist_name: Ann\n")
    result = run("plan", tmp_path, sim=sim)
    assert result.code == 1
    assert "bad.yaml:3" in result.err and "first_name" in result.err
    assert "Traceback" not in result.err
    assert sim.requests() == []


def test_token_never_appears_in_any_output(sim: Sim) -> None:
    sim.admin("POST", "faults", {"status": 503, "count": 1, "method": "GET"})
    result = run("apply", EXAMPLE, "--auto-approve", "--log-level", "debug", "--log-format", "json", sim=sim)
    assert TOKEN not in result.out + result.err
    assert "http_request" in result.err  # debug logs were on, and still redacted


def test_missing_token_is_a_clear_error(sim: Sim) -> None:
    result = run("plan", EXAMPLE, sim=sim, env={"CTCT_ACCESS_TOKEN": ""})
    assert result.code == 1
    assert "CTCT_ACCESS_TOKEN" in result.err and "Traceback" not in result.err


def test_wrong_token_names_the_server_answer(sim: Sim) -> None:
    result = run("plan", EXAMPLE, sim=sim, env={"CTCT_ACCESS_TOKEN": "wrong-token-value"})
    assert result.code == 1
    assert "401" in result.err and "wrong-token-value" not in result.err


def test_daily_quota_stops_cleanly_and_a_rerun_finishes(sim: Sim) -> None:
    reads = len(sim.requests())
    sim.admin("POST", "config", {"daily_quota": reads + 6})
    sim.admin("POST", "quota/reset")
    first = run("apply", EXAMPLE, "--auto-approve", sim=sim)
    assert first.code == 1
    assert "quota" in (first.out + first.err).lower()
    assert "not_attempted" in first.err
    sim.admin("POST", "config", {"daily_quota": 0})
    second = run("apply", EXAMPLE, "--auto-approve", sim=sim)
    assert second.code == 3, second.out + second.err
    assert [c["action"] for c in plan_json(EXAMPLE, sim=sim)["changes"]] == ["refuse"]


def test_markdown_and_json_formats(sim: Sim) -> None:
    md = run("plan", EXAMPLE, "--format", "markdown", sim=sim)
    assert md.code == 0 and "| " in md.out
    plan = plan_json(EXAMPLE, sim=sim)
    assert plan["format_version"] == 1
    assert _emails(plan, "create") == ["frank@example.com"]
    assert _emails(plan, "revive") == ["carol@example.com"]


def test_validate_and_schema_need_no_network() -> None:
    assert run("validate", EXAMPLE).code == 0
    schema = json.loads(run("schema").out)
    assert "contacts" in json.dumps(schema)


def test_embedded_demo_plans_applies_and_converges(tmp_path: Path) -> None:
    result = run("demo", EXAMPLE, "--sim-state", tmp_path / "state.json")
    assert result.code == 0, result.err
    assert result.out.count("No changes") >= 1
    assert "Apply complete" in result.out
