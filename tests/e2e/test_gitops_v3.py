"""GitOps flows from the CLI: saved plans meeting a changing account, per-contact reports,
the audit log, and masked pipeline output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from e2e.harness import EXAMPLE, TOKEN, Sim, run


def _account_side_edit(sim: Sim, email: str, **fields: str) -> None:
    live = sim.contact(email)
    body = {k: live[k] for k in ("first_name", "last_name", "company_name", "job_title") if k in live}
    body |= {
        "email_address": {"address": email, "permission_to_send": live["email_address"]["permission_to_send"]}
    }
    body |= {"update_source": "Account", **fields}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    httpx.put(f"{sim.base_url}/contacts/{live['contact_id']}", json=body, headers=auth).raise_for_status()


def test_saved_plan_skips_edited_contacts_and_respects_a_new_unsubscribe(sim: Sim, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert run("plan", EXAMPLE, "--out", saved, sim=sim).code == 0
    _account_side_edit(sim, "jane@example.com", job_title="Chief of Staff")
    sim.admin("POST", "contacts/by-email/dave@example.com/unsubscribe", {"reason": "no thanks"})

    report = tmp_path / "report.jsonl"
    applied = run("apply", saved, "--auto-approve", "--report", report, sim=sim)
    assert applied.code == 3, applied.out + applied.err
    outcomes = {r["email"]: r["outcome"] for r in map(json.loads, report.read_text().splitlines())}
    assert outcomes["jane@example.com"] == "stale"
    assert outcomes["dave@example.com"] == "stale"
    assert outcomes["bob@example.com"] == "refused"
    assert outcomes["frank@example.com"] == outcomes["carol@example.com"] == "applied"
    assert sim.contact("jane@example.com")["job_title"] == "Chief of Staff"
    dave = sim.contact("dave@example.com")
    assert dave["email_address"]["permission_to_send"] == "unsubscribed"
    assert dave["email_address"]["opt_out_source"] == "Contact"
    assert sim.admin("GET", "illegal") == []


def test_audit_log_records_before_and_after_of_every_field_written(sim: Sim, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    run("apply", EXAMPLE, "--auto-approve", "--audit-log", audit, sim=sim)
    records = {r["email"]: r for r in map(json.loads, audit.read_text().splitlines())}
    assert set(records) == {"carol@example.com", "dave@example.com", "frank@example.com", "jane@example.com"}
    jane = records["jane@example.com"]
    assert {"path": "job_title", "before": "VP Engineering", "after": "CTO"} in jane["fields"]
    assert jane["why"]["manifest"].endswith("contacts.yaml:6")
    assert records["dave@example.com"]["consent"]["path"] == "account"


def test_masked_outputs_contain_no_email_or_phone(sim: Sim) -> None:
    for fmt in ("text", "json", "markdown"):
        out = run("plan", EXAMPLE, "--format", fmt, "--mask-pii", sim=sim).out
        assert not re.search(r"[a-z]{2,}@example\.com", out), fmt
        assert "555-0199" not in out and "+1-555" not in out, fmt
