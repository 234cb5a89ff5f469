"""Benchmark: what an incremental drift run saves over a full sweep.

    python bench/drift.py 10000 50

Seeds a v3 simulator (a separate process, so the figures are reconciler's own) with N contacts
and a manifest declaring all of them, in sync. Runs one drift run (a full sweep: no cache yet),
has CHANGED contacts edit their own details through the simulator's admin API, then runs drift
again, which reads only the contacts changed since the first run. Prints requests and seconds
for each run. Requests are unpaced here; at the real API's 4 requests/s a run takes requests/4 s.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from plan_scale import TOKEN, seed_state, start_sim, write_manifest

from reconciler.drift import DriftResult, DriftRunner
from reconciler.logging_setup import configure_logging
from reconciler.manifest import load
from reconciler.plan import PlanPolicy
from reconciler.providers.ctct_v3.provider import CtctV3Provider
from reconciler.transport import BearerAuth, Transport


@dataclass(frozen=True)
class Conn:
    provider: CtctV3Provider
    target: str

    def policy(self) -> PlanPolicy:
        return PlanPolicy("ctct-v3", self.target, contact_opt_in_path=True)


def report(name: str, result: DriftResult) -> None:
    counts = result.report.counts() if result.report else {}
    print(
        f"  {name:<12} {result.read or '-':<12} requests {result.requests:6d}   "
        f"wall {result.duration_seconds:8.2f} s   contacts read {result.contacts_read:7d}   "
        f"drift {counts.get('correctable', 0)} correctable, {counts.get('contact_owned', 0)} contact-owned"
        f"   (at 4 requests/s: {result.requests / 4:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", type=int, help="number of contacts")
    parser.add_argument("changed", type=int, help="contacts changed between the two runs")
    args = parser.parse_args()
    configure_logging("console", "warning")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "seed.json").write_text(json.dumps(seed_state(args.n)))
        write_manifest(work, args.n, 0)
        proc, url = start_sim(work / "seed.json")
        base = f"{url}/v3"

        @contextmanager
        def connect(_settings: object) -> Iterator[Conn]:
            provider = CtctV3Provider(Transport(base, auth=BearerAuth(TOKEN), rate_per_second=0), base)
            try:
                yield Conn(provider, provider.target)
            finally:
                provider.close()

        try:
            state = work / "drift-state.json"
            desired = load(work)
            runner = DriftRunner(connect, lambda: desired, state)
            print(f"N = {args.n} contacts, {args.changed} changed between the runs")
            report("first run", runner.run_once())
            print(f"  state file: {state.stat().st_size / 1024:.0f} KiB")
            step = max(1, args.n // max(args.changed, 1))
            t0 = time.perf_counter()
            with httpx.Client(base_url=f"{url}/__sim__", timeout=30) as admin:
                for i in list(range(0, args.n, step))[: args.changed]:
                    edit = admin.post(
                        f"/contacts/20000000-0000-4000-8000-{i:012d}/edit", json={"job_title": "Lead"}
                    )
                    edit.raise_for_status()
            print(f"  (changed {args.changed} contacts in {time.perf_counter() - t0:.2f} s)")
            report("second run", runner.run_once())
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
