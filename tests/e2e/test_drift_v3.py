"""`reconciler drift` end to end against `reconciler sim`: each class of drift, heal, the
incremental read and the metrics endpoint. Skipped until the command is wired into the CLI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sim.drift_support import account_side_edit, write_manifest

from e2e.harness import TOKEN, Sim, cli, run


def _drift_is_wired() -> bool:
    try:
        probe = subprocess.run([*cli(), "drift", "--help"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not _drift_is_wired(), reason="`reconciler drift` is not wired into the CLI yet"
)


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "manifests")


def _drift(manifests: Path, sim: Sim, *args: str) -> tuple[int, str, str]:
    state = manifests.parent / "drift-state.json"
    result = run("drift", manifests, "--once", "--state", state, "--rate", "0", *args, sim=sim)
    return result.code, result.out, result.err


def _writes(sim: Sim) -> list[dict[str, object]]:
    return [r for r in sim.requests() if r["method"] not in ("GET", "HEAD")]


def test_account_in_sync_exits_0(sim: Sim, manifests: Path) -> None:
    code, out, err = _drift(manifests, sim)
    assert code == 0, out + err
    assert "No drift" in out


def test_account_side_edit_is_correctable_and_exits_2(sim: Sim, manifests: Path) -> None:
    account_side_edit(sim.base_url, TOKEN, "erin@example.com", company_name="Fox & Co")
    sim.admin("DELETE", "requests")
    code, out, err = _drift(manifests, sim)
    assert code == 2, out + err
    assert "erin@example.com  correctable" in out
    assert _writes(sim) == []


def test_contact_side_edit_is_contact_owned_and_not_healed_even_with_heal(sim: Sim, manifests: Path) -> None:
    sim.admin("POST", "contacts/by-email/jane@example.com/edit", {"first_name": "Janet"})
    code, out, err = _drift(manifests, sim, "--heal")
    assert code == 3, out + err
    assert "jane@example.com  contact_owned (contact_edit)" in out
    assert sim.contact("jane@example.com")["first_name"] == "Janet"
    assert _writes(sim) == []


def test_contact_unsubscribe_is_contact_owned_and_not_healed_even_with_heal(
    sim: Sim, manifests: Path
) -> None:
    sim.admin("POST", "contacts/by-email/user01@example.org/unsubscribe")
    code, out, err = _drift(manifests, sim, "--heal")
    assert code == 3, out + err
    assert "consent/contact-opt-out" in out
    assert sim.contact("user01@example.org")["list_memberships"] == []
    assert _writes(sim) == []
    assert sim.admin("GET", "illegal") == []


def test_heal_fixes_correctable_drift_only(sim: Sim, manifests: Path) -> None:
    account_side_edit(sim.base_url, TOKEN, "erin@example.com", company_name="Fox & Co")
    sim.admin("POST", "contacts/by-email/jane@example.com/edit", {"first_name": "Janet"})
    code, out, err = _drift(manifests, sim, "--heal")
    assert code == 3, out + err  # jane's own edit is left, and reported
    assert sim.contact("erin@example.com")["company_name"] == "Foxglove Inc"
    assert sim.contact("jane@example.com")["first_name"] == "Janet"
    again, out, err = _drift(manifests, sim)
    assert again == 3, out + err
    assert "correctable" not in out.replace("0 correctable", "")


def test_second_run_reads_only_contacts_changed_since_the_first(sim: Sim, manifests: Path) -> None:
    first, out, err = _drift(manifests, sim)
    assert first == 0, out + err
    sim.admin("DELETE", "requests")
    second, out, err = _drift(manifests, sim)
    assert second == 0, out + err
    (read,) = [r for r in sim.requests() if r["path"] == "/v3/contacts"]
    assert "updated_after=" in str(read["query"])
    assert "incremental read" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _metrics(port: int) -> dict[str, float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        sample.name + "".join(f"{{{k}={v}}}" for k, v in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_endpoint_serves_the_loops_runs_and_sigterm_stops_it(sim: Sim, manifests: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CTCT_", "RECONCILER_"))}
    env.update(CTCT_ACCESS_TOKEN=TOKEN, CTCT_BASE_URL=sim.base_url)
    args = ["drift", str(manifests), "--interval", "1s", "--metrics-port", str(port), "--rate", "0"]
    args += ["--state", str(manifests.parent / "loop-state.json"), "--log-format", "json"]
    proc = subprocess.Popen([*cli(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        metrics: dict[str, float] = {}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                metrics = _metrics(port)
            except httpx.HTTPError:
                metrics = {}
            if metrics.get("reconciler_drift_runs_total{outcome=no_drift}", 0) >= 2:
                break
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert metrics.get("reconciler_drift_runs_total{outcome=no_drift}", 0) >= 2, metrics
    assert metrics["reconciler_drift_changes{drift_class=correctable}"] == 0
    assert metrics["reconciler_drift_changes{drift_class=contact_owned}"] == 0
    assert metrics["reconciler_api_requests_total"] >= 6
    assert metrics["reconciler_api_429_responses_total"] == 0
    assert metrics["reconciler_drift_last_success_timestamp_seconds"] > time.time() - 60
    assert metrics["reconciler_drift_run_duration_seconds_count"] >= 2
    assert proc.returncode == 0


def test_ignore_rules_silence_drift_on_chosen_fields(sim: Sim, tmp_path: Path) -> None:
    """An account-side edit of an ignored field is not reported as drift."""
    manifests = tmp_path / "m"
    manifests.mkdir()
    contacts = "contacts:\n  - email: jane@example.com\n    job_title: VP Engineering\n"
    (manifests / "m.yaml").write_text("ignore:\n  - field: job_title\n" + contacts)
    jane = sim.contact("jane@example.com")
    assert jane["job_title"] == "VP Engineering"
    assert run("drift", manifests, "--once", "--state", tmp_path / "s.json", sim=sim).code == 0
    body = {k: v for k, v in jane.items() if k in ("first_name", "last_name", "company_name")}
    body |= {
        "email_address": {"address": "jane@example.com", "permission_to_send": "implicit"},
        "job_title": "Someone Else",
        "update_source": "Account",
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    httpx.put(f"{sim.base_url}/contacts/{jane['contact_id']}", json=body, headers=auth).raise_for_status()
    assert run("drift", manifests, "--once", "--state", tmp_path / "s2.json", sim=sim).code == 0
    (manifests / "m.yaml").write_text(contacts)
    assert run("drift", manifests, "--once", "--state", tmp_path / "s3.json", sim=sim).code == 2


def test_drift_target_watches_only_the_chosen_contacts(sim: Sim, tmp_path: Path) -> None:
    """--target limits drift to some contacts: drift elsewhere is not reported."""
    manifests = tmp_path / "m"
    manifests.mkdir()
    jane = "  - email: jane@example.com\n    job_title: CTO\n"
    (manifests / "m.yaml").write_text(
        "contacts:\n" + jane + "  - email: erin@example.com\n    first_name: Erin\n"
    )
    state = tmp_path / "s.json"
    assert (
        run("drift", manifests, "--once", "--state", state, "--target", "erin@example.com", sim=sim).code == 0
    )
    assert run("drift", manifests, "--once", "--state", tmp_path / "t.json", sim=sim).code == 2
