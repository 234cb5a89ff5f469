"""Benchmark: plan and apply N contacts, 1% of which differ from the manifest.

    python bench/plan_scale.py 10000

Seeds a v3 simulator (a separate process, so the figures are reconciler's own) with N contacts,
writes a manifest declaring all of them, then loads, reads, plans and applies in this process.
Prints requests sent by kind, wall and CPU seconds per phase, and peak memory (max RSS).
Requests are unpaced here; at the real API's 4 requests/s the same run would take requests/4 s.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from reconciler.apply import Outcome, apply_plan
from reconciler.logging_setup import configure_logging
from reconciler.manifest import load
from reconciler.plan import PlanPolicy, compute_plan
from reconciler.providers.ctct_v3.provider import CtctV3Provider
from reconciler.transport import BearerAuth, Transport

TOKEN = "bench-token"
LISTS = {
    "Newsletter": "00000000-0000-4000-8000-000000000001",
    "Customers": "00000000-0000-4000-8000-000000000002",
}
TIER = "00000000-0000-4000-9000-000000000001"


def seed_state(n: int) -> dict[str, object]:
    contacts = []
    for i in range(n):
        contacts.append(
            {
                "contact_id": f"20000000-0000-4000-8000-{i:012d}",
                "email_address": {"address": f"user{i}@example.com", "permission_to_send": "implicit"},
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "job_title": "Engineer",
                "company_name": "Acme",
                "create_source": "Account",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
                "custom_fields": [{"custom_field_id": TIER, "value": "gold"}],
                "phone_numbers": [{"phone_number": f"+1-555-{i % 10000:04d}", "kind": "work"}],
                "list_memberships": [LISTS["Newsletter"]],
            }
        )
    return {
        "version": 1,
        "lists": [{"list_id": i, "name": n} for n, i in LISTS.items()],
        "custom_fields": [{"custom_field_id": TIER, "label": "Tier", "name": "Tier", "type": "string"}],
        "contacts": contacts,
    }


def write_manifest(directory: Path, n: int, changed: int) -> None:
    step = max(1, n // max(changed, 1))
    differing = set(range(0, n, step)[:changed])
    lines = ["lists:", "  - name: Newsletter", "custom_fields:", "  - name: Tier", "contacts:"]
    for i in range(n):
        title = "Manager" if i in differing else "Engineer"
        lines += [
            f"  - email: user{i}@example.com",
            f"    first_name: First{i}",
            f"    job_title: {title}",
            "    custom_fields: {Tier: gold}",
            "    lists: [Newsletter]",
        ]
    (directory / "contacts.yaml").write_text("\n".join(lines) + "\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sim(seed: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "reconciler",
        "sim",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--seed",
        str(seed),
        "--rate-limit",
        "0",
        "--daily-quota",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/__sim__/faults", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("simulator did not start")


class Phase:
    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> Phase:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        print(f"  {self.name:<8} wall {wall:8.2f} s   cpu {cpu:8.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="number of contacts")
    parser.add_argument("--changed-percent", type=float, default=1.0)
    args = parser.parse_args()
    n, changed = args.n, math.ceil(args.n * args.changed_percent / 100)
    configure_logging("console", "warning")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "seed.json").write_text(json.dumps(seed_state(n)))
        write_manifest(work, n, changed)
        proc, url = start_sim(work / "seed.json")
        try:
            print(f"N = {n} contacts, {changed} differing from the manifest")
            wall0 = time.perf_counter()
            with Phase("load"):
                desired = load(work)
            transport = Transport(f"{url}/v3", auth=BearerAuth(TOKEN), rate_per_second=0)
            provider = CtctV3Provider(transport, f"{url}/v3")
            policy = PlanPolicy("ctct-v3", provider.target, contact_opt_in_path=True)
            with Phase("read"):
                observed = provider.read()
            with Phase("plan"):
                plan = compute_plan(desired, observed, policy)
            with Phase("apply"):
                report = apply_plan(plan, observed, provider, check_stale=False)
            total = time.perf_counter() - wall0
            seen = httpx.get(f"{url}/__sim__/requests", timeout=60).json()
            provider.close()
        finally:
            proc.terminate()
            proc.wait(30)

    kinds = Counter(request_kind(r) for r in seen)
    pages = sum(1 for r in seen if r["method"] == "GET" and r["path"] == "/v3/contacts")
    writes = sum(1 for r in seen if r["method"] in ("PUT", "POST"))
    print(f"  total    wall {total:8.2f} s   cpu {time.process_time():8.2f} s (whole process)")
    print(f"  peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("requests by kind:")
    for kind, count in sorted(kinds.items()):
        print(f"  {count:8d}  {kind}")
    print(f"contact pages read: {pages} (ceil(N/500) = {math.ceil(n / 500)})")
    print(
        f"writes: {writes} for {len(plan.changes)} changed contacts; applied {report.count(Outcome.APPLIED)}"
    )
    print(f"at the real API's 4 requests/s these {len(seen)} requests would take {len(seen) / 4:.0f} s")


def request_kind(request: dict[str, str]) -> str:
    path = request["path"]
    if path.startswith("/v3/contacts/") and path.count("/") == 3 and "sign_up_form" not in path:
        path = "/v3/contacts/{id}"
    return f"{request['method']} {path}"


if __name__ == "__main__":
    main()
