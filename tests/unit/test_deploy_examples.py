"""The deployment examples users copy stay valid: Kubernetes workloads run the image non-root with
secrets from a Secret and the drift command's real options; the CI workflow matches GitHub's schema.

Schema checks run offline when their tools are installed (`kubernetes-validate` ships the
Kubernetes schemas, `check-jsonschema` vendors GitHub's workflow schema) and skip otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from ruamel.yaml import YAML
from typer.main import get_command

from reconciler.commands_drift import make_drift_command

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))
WORKFLOW = ROOT / "examples" / "ci" / "github-actions.yml"
WORKLOADS = ("Deployment", "CronJob")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in YAML(typ="safe").load_all(path.read_text()) if d is not None]


def _pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    if doc["kind"] == "CronJob":
        spec: dict[str, Any] = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return spec
    pod: dict[str, Any] = doc["spec"]["template"]["spec"]
    return pod


def _workloads() -> list[tuple[str, dict[str, Any]]]:
    return [(p.name, d) for p in KUBERNETES for d in _documents(p) if d["kind"] in WORKLOADS]


def _workload_params() -> list[Any]:
    return [pytest.param(name, doc, id=doc["kind"]) for name, doc in _workloads()]


def _drift_option_names() -> set[str]:
    """Every option `reconciler drift` accepts, read from the command itself."""
    app = typer.Typer()
    app.command()(make_drift_command(_no_connection))
    return {opt for param in get_command(app).params for opt in getattr(param, "opts", [])}


def _no_connection(*args: object) -> Any:
    raise AssertionError("the drift command is only inspected here, never run")


def test_deploy_directory_has_a_cronjob_and_a_deployment() -> None:
    kinds = {d["kind"] for _, d in _workloads()}
    assert kinds == {"CronJob", "Deployment"}


@pytest.mark.parametrize("path", KUBERNETES, ids=lambda p: p.name)
def test_every_kubernetes_document_has_api_version_kind_metadata_and_spec(path: Path) -> None:
    for doc in _documents(path):
        assert {"apiVersion", "kind", "metadata", "spec"} <= doc.keys(), doc.get("kind")
        assert doc["metadata"].get("name")


@pytest.mark.parametrize(("name", "doc"), _workload_params())
def test_workload_runs_the_drift_command_non_root_with_limits(name: str, doc: dict[str, Any]) -> None:
    pod = _pod_spec(doc)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    (container,) = pod["containers"]
    assert container["image"] and ":" in container["image"], "pin the image tag"
    assert container["args"][0] == "drift"
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]


@pytest.mark.parametrize(("name", "doc"), _workload_params())
def test_workload_takes_credentials_from_a_secret_never_inline(name: str, doc: dict[str, Any]) -> None:
    pod = _pod_spec(doc)
    (container,) = pod["containers"]
    env = {e["name"]: e for e in container.get("env", [])}
    assert not any(
        "value" in e for n, e in env.items() if n in ("CTCT_ACCESS_TOKEN", "RECONCILER_WEBHOOK_URL")
    )
    assert any("secretKeyRef" in e.get("valueFrom", {}) for e in env.values())
    if "CTCT_ACCESS_TOKEN" in env:
        assert env["CTCT_ACCESS_TOKEN"]["valueFrom"]["secretKeyRef"]["name"]
    else:
        token_file = Path(env["CTCT_ACCESS_TOKEN_FILE"]["value"])
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        secrets = {v["name"] for v in pod["volumes"] if "secret" in v}
        assert any(mounts.get(s) == str(token_file.parent) for s in secrets)


@pytest.mark.parametrize(("name", "doc"), _workload_params())
def test_workload_args_are_options_the_drift_command_has(name: str, doc: dict[str, Any]) -> None:
    (container,) = _pod_spec(doc)["containers"]
    known = _drift_option_names()
    used = {a.split("=", 1)[0] for a in container["args"] if a.startswith("--")}
    assert used <= known, used - known


def test_cronjob_runs_once_and_the_deployment_serves_metrics() -> None:
    by_kind = {d["kind"]: d for _, d in _workloads()}
    (cron,) = _pod_spec(by_kind["CronJob"])["containers"]
    assert "--once" in cron["args"]
    assert by_kind["CronJob"]["spec"]["concurrencyPolicy"] == "Forbid"
    (loop,) = _pod_spec(by_kind["Deployment"])["containers"]
    port = next(int(a.split("=", 1)[1]) for a in loop["args"] if a.startswith("--metrics-port="))
    assert {"name": "metrics", "containerPort": port, "protocol": "TCP"} in loop["ports"]
    annotations = by_kind["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    assert by_kind["Deployment"]["spec"]["replicas"] == 1


@pytest.mark.parametrize("path", KUBERNETES, ids=lambda p: p.name)
def test_kubernetes_documents_match_the_kubernetes_schemas(path: Path) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for doc in _documents(path):
        kubernetes_validate.validate(doc, kubernetes_validate.latest_version(), strict=True)


def test_workflow_plans_pull_requests_and_applies_the_saved_plan_on_main() -> None:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text())
    triggers = workflow["on"]
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    plan_steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["plan"]["steps"])
    assert "--format markdown" in plan_steps and "--out plan.json" in plan_steps
    uses = [s.get("uses", "") for s in workflow["jobs"]["plan"]["steps"]]
    assert any(u.startswith("actions/upload-artifact") for u in uses)
    assert any(u.startswith("actions/github-script") for u in uses)
    apply_steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["apply"]["steps"])
    assert "reconciler apply plan.json" in apply_steps
    assert "push" in workflow["jobs"]["apply"]["if"]


def test_workflow_is_only_an_example_and_never_runs_in_this_repository() -> None:
    assert not (ROOT / ".github" / "workflows" / "reconcile.yml").exists()


def test_workflow_matches_the_github_workflow_schema() -> None:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which(
        "check-jsonschema"
    )
    if exe is None:
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        run = subprocess.run(
            [exe, "--builtin-schema", schema, str(WORKFLOW)], capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stdout + run.stderr
