"""Harness for end-to-end tests: the installed CLI against `reconciler sim` on a real port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "manifests" / "example"
TOKEN = "e2e-secret-token-5f1c"


def cli() -> list[str]:
    exe = shutil.which("reconciler", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "reconciler"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sim:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"{self.url}/v3"

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/__sim__/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def state(self) -> dict[str, Any]:
        return dict(self.admin("GET", "state"))

    def contact(self, email: str) -> dict[str, Any]:
        (found,) = [c for c in self.state()["contacts"] if c["email_address"]["address"] == email]
        return dict(found)

    def list_names(self) -> dict[str, str]:
        return {item["list_id"]: item["name"] for item in self.state()["lists"]}

    def requests(self) -> list[dict[str, Any]]:
        return list(self.admin("GET", "requests"))


@pytest.fixture(scope="session")
def sim_server() -> Iterator[Sim]:
    port = _free_port()
    process = subprocess.Popen(
        [*cli(), "sim", "--port", str(port), "--token", TOKEN, "--seed", "demo", "--rate-limit", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/__sim__/state", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("reconciler sim did not start")
    yield Sim(url, process)
    process.terminate()
    process.wait(10)


@pytest.fixture
def sim(sim_server: Sim) -> Sim:
    """A fresh demo account for each test."""
    from reconciler.sim.ctct_v3 import load_demo_seed

    sim_server.admin("POST", "reset")
    sim_server.admin("POST", "state", load_demo_seed())
    sim_server.admin("DELETE", "faults")
    sim_server.admin("DELETE", "requests")
    return sim_server


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(
    *args: str | Path, sim: Sim | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Run:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("CTCT_", "RECONCILER_"))}
    full_env["CTCT_ACCESS_TOKEN"] = TOKEN
    if sim is not None:
        full_env["CTCT_BASE_URL"] = sim.base_url
    full_env.update(env or {})
    proc = subprocess.run(
        [*cli(), *map(str, args)], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=120
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def plan_json(*args: str | Path, sim: Sim) -> dict[str, Any]:
    result = run("plan", *args, "--format", "json", sim=sim)
    assert result.code == 0, result.err
    return dict(json.loads(result.out))
