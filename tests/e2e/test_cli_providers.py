"""The same example manifests, planned, applied and re-planned from the CLI against every
platform's simulator served by `reconciler sim --provider NAME` on a real port."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from e2e.harness import EXAMPLE, _free_port, cli, run
from reconciler.sim.registry import SIMULATORS, Credentials


@dataclass
class Served:
    name: str
    url: str
    base_url: str
    env: dict[str, str]


@pytest.fixture(scope="module", params=sorted(SIMULATORS))
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    name = str(request.param)
    sim = SIMULATORS[name]
    creds = Credentials(
        token="e2e-token-7d2a", username="demo", password="e2e-pass-19f3", api_key="e2e-key-5b8c"
    )
    port = _free_port()
    cmd = [
        *cli(),
        "sim",
        "--provider",
        name,
        "--port",
        str(port),
        "--seed",
        "demo",
        "--rate-limit",
        "0",
        "--token",
        creds.token,
        "--username",
        creds.username,
        "--password",
        creds.password,
        "--api-key",
        creds.api_key,
    ]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/__sim__/faults", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield Served(name, url, url + sim.base_path, sim.env(creds))
    process.terminate()
    process.wait(10)


def test_example_plans_applies_and_converges_on_every_platform(served: Served) -> None:
    args = ("--provider", served.name, "--base-url", served.base_url)
    first = run("plan", EXAMPLE, *args, "--detailed-exitcode", env=served.env)
    assert first.code == 3, first.out + first.err  # changes, and bob's refusal
    assert "frank@example.com" in first.out and "consent/contact-opt-out" in first.out

    applied = run("apply", EXAMPLE, *args, "--auto-approve", env=served.env)
    assert applied.code == 3, applied.out + applied.err
    assert "0 failed" in applied.out

    again = run("plan", EXAMPLE, *args, "--detailed-exitcode", env=served.env)
    assert again.code == 3, again.out + again.err
    assert "No changes" in again.out
    assert httpx.get(f"{served.url}/__sim__/illegal").json() == []


def test_missing_credentials_name_the_variables(served: Served) -> None:
    empty = {key: "" for key in served.env}
    result = run("plan", EXAMPLE, "--provider", served.name, "--base-url", served.base_url, env=empty)
    assert result.code == 1
    assert any(key in result.err for key in served.env), result.err
    assert "Traceback" not in result.err
