"""DriftRunner in-process against the v3 simulator on a real port: incremental reads, the two
classes of drift, heal that corrects only account-side drift, metrics and the webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.drift import DriftClass, DriftResult, DriftRunner
from reconciler.manifest import load
from reconciler.metrics import DriftMetrics
from reconciler.model import Observed
from reconciler.notify import WebhookNotifier
from reconciler.plan import PlanPolicy
from reconciler.providers.base import Progress
from reconciler.providers.ctct_v3.provider import CtctV3Provider
from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import start_server
from reconciler.transport import BearerAuth, Transport
from sim.conftest import FakeClock
from sim.drift_support import account_side_edit, write_manifest

TOKEN = "drift-token-7d21"


class HookedProvider(CtctV3Provider):
    """Runs `before_read[n]` just before its n-th read: how a test acts "during" a run."""

    def __init__(
        self, transport: Transport, base_url: str, before_read: dict[int, Callable[[], None]]
    ) -> None:
        super().__init__(transport, base_url)
        self.before_read = before_read
        self.reads = 0

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        self.reads += 1
        if hook := self.before_read.get(self.reads):
            hook()
        return super().read(progress, updated_after=updated_after)


@dataclass(frozen=True)
class Conn:
    provider: CtctV3Provider
    target: str

    def policy(self) -> PlanPolicy:
        return PlanPolicy("ctct-v3", self.target, contact_opt_in_path=True)


@dataclass
class Account:
    url: str
    clock: FakeClock
    manifests: Path
    state: Path
    before_read: dict[int, Callable[[], None]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v3"

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/__sim__/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def contact(self, email: str) -> dict[str, Any]:
        (found,) = [
            c for c in self.admin("GET", "state")["contacts"] if c["email_address"]["address"] == email
        ]
        return dict(found)

    def edit_as_account(self, email: str, **changes: Any) -> None:
        account_side_edit(self.base_url, TOKEN, email, **changes)
        self.admin("DELETE", "requests")  # so that only reconciler's own requests are counted

    def writes(self) -> list[dict[str, Any]]:
        return [r for r in self.admin("GET", "requests") if r["method"] not in ("GET", "HEAD")]

    @contextmanager
    def connect(self, _settings: object) -> Iterator[Conn]:
        transport = Transport(self.base_url, auth=BearerAuth(TOKEN), rate_per_second=0)
        provider = HookedProvider(transport, self.base_url, self.before_read)
        try:
            yield Conn(provider, provider.target)
        finally:
            provider.close()

    def runner(self, **kwargs: Any) -> DriftRunner:
        return DriftRunner(self.connect, lambda: load(self.manifests), self.state, clock=self.clock, **kwargs)

    def run(self, **kwargs: Any) -> DriftResult:
        self.clock.advance(600)
        return self.runner(**kwargs).run_once()


@pytest.fixture
def account(tmp_path: Path) -> Iterator[Account]:
    clock = FakeClock()
    store = SimStore.from_state(load_demo_seed(), clock=clock)
    app = create_app(SimConfig(token=TOKEN, rate_per_second=0, daily_quota=0), store)
    with start_server(app) as server:
        yield Account(server.url, clock, write_manifest(tmp_path / "manifests"), tmp_path / "state.json")


def _classes(result: DriftResult) -> dict[str, str]:
    assert result.report is not None, result.error
    return {i.email: i.drift_class.value for i in result.report.items}


def test_first_run_is_a_full_sweep_and_finds_no_drift(account: Account) -> None:
    result = account.run()
    assert (result.outcome, result.read, result.exit_code) == ("no_drift", "full", 0)
    assert result.contacts_read == 25
    assert result.requests == 3  # lists, custom fields, one page of contacts


def test_next_run_reads_only_the_contacts_changed_since_the_last(account: Account) -> None:
    account.run()
    account.admin("DELETE", "requests")
    account.clock.advance(60)
    account.admin("POST", "contacts/by-email/jane@example.com/edit", {"last_name": "Doe-Smith"})
    result = account.run()
    assert result.read == "incremental"
    assert result.contacts_read == 1
    (read,) = [r for r in account.admin("GET", "requests") if r["path"] == "/v3/contacts"]
    assert "updated_after=2026-07-01T12%3A08%3A00Z" in read["query"]  # first run's start minus 2 min


def test_account_side_edit_is_correctable_drift(account: Account) -> None:
    account.run()
    account.edit_as_account("erin@example.com", company_name="Fox & Co")
    result = account.run()
    assert _classes(result) == {"erin@example.com": "correctable"}
    assert result.exit_code == 2
    assert account.writes() == [], "drift without --heal never writes"


def test_contact_side_edit_is_contact_owned_and_never_healed(account: Account) -> None:
    account.run()
    account.admin("POST", "contacts/by-email/jane@example.com/edit", {"first_name": "Janet"})
    result = account.run(heal=True)
    assert _classes(result) == {"jane@example.com": "contact_owned"}
    assert result.exit_code == 3
    assert account.contact("jane@example.com")["first_name"] == "Janet"
    assert account.writes() == []


def test_contact_unsubscribe_is_contact_owned_and_never_healed(account: Account) -> None:
    account.run()
    account.admin("POST", "contacts/by-email/user01@example.org/unsubscribe")
    result = account.run(heal=True)
    assert _classes(result) == {"user01@example.org": "contact_owned"}
    assert result.report is not None and result.report.items[0].change.rule == "consent/contact-opt-out"
    assert account.contact("user01@example.org")["list_memberships"] == []
    assert account.writes() == []
    assert account.admin("GET", "illegal") == []


def test_heal_corrects_account_side_drift_only(account: Account) -> None:
    account.run()
    account.edit_as_account("erin@example.com", company_name="Fox & Co")
    account.admin("POST", "contacts/by-email/jane@example.com/edit", {"first_name": "Janet"})
    healed = account.run(heal=True)
    assert healed.outcome == "healed"
    assert healed.exit_code == 3  # jane's own edit is still there, and reported
    assert account.contact("erin@example.com")["company_name"] == "Foxglove Inc"
    assert account.contact("jane@example.com")["first_name"] == "Janet"
    after = account.run()
    assert _classes(after) == {"jane@example.com": "contact_owned"}


def test_heal_skips_a_contact_that_changed_after_it_was_read(account: Account) -> None:
    account.run()
    account.edit_as_account("erin@example.com", company_name="Fox & Co")

    def erin_edits_herself() -> None:
        account.clock.advance(5)
        account.admin("POST", "contacts/by-email/erin@example.com/edit", {"last_name": "Fox-Hale"})

    account.before_read[2] = erin_edits_herself  # the re-read heal makes before writing
    result = account.run(heal=True)
    assert result.heal is not None and [r.outcome.value for r in result.heal.results] == ["stale"]
    assert result.exit_code == 3
    erin = account.contact("erin@example.com")
    assert (erin["company_name"], erin["last_name"]) == ("Fox & Co", "Fox-Hale")


def test_a_full_sweep_is_made_every_n_runs(account: Account) -> None:
    reads = [account.run(full_sweep_every=3).read for _ in range(4)]
    assert reads == ["full", "incremental", "incremental", "full"]


def test_a_cache_of_another_target_is_not_used(account: Account) -> None:
    account.run()
    doc = json.loads(account.state.read_text())
    account.state.write_text(json.dumps({**doc, "target": "https://elsewhere/v3"}))
    result = account.run()
    assert (result.read, result.read_reason) == ("full", "the cached state is of another target")


def test_metrics_count_the_run_and_its_drift(account: Account) -> None:
    metrics = DriftMetrics()
    account.run(metrics=metrics)
    account.admin("POST", "contacts/by-email/jane@example.com/edit", {"first_name": "Janet"})
    account.run(metrics=metrics)
    value = metrics.registry.get_sample_value
    assert value("reconciler_drift_runs_total", {"outcome": "no_drift"}) == 1
    assert value("reconciler_drift_runs_total", {"outcome": "drift"}) == 1
    assert value("reconciler_drift_changes", {"drift_class": "contact_owned"}) == 1
    assert value("reconciler_drift_changes", {"drift_class": "correctable"}) == 0
    assert value("reconciler_api_requests_total") == 6
    assert value("reconciler_api_429_responses_total") == 0
    assert value("reconciler_drift_last_success_timestamp_seconds") == account.clock().timestamp()
    assert value("reconciler_drift_run_duration_seconds_count") == 2


def test_webhook_gets_a_summary_with_masked_emails(account: Account) -> None:
    sent: list[dict[str, Any]] = []

    def receive(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(204)

    notifier = WebhookNotifier("https://hooks.example/T0/secret", transport=httpx.MockTransport(receive))
    account.run(notifier=notifier)
    assert sent == [], "a run without drift sends nothing"
    account.edit_as_account("erin@example.com", company_name="Fox & Co")
    account.run(notifier=notifier)
    (payload,) = sent
    assert payload["outcome"] == "drift"
    assert payload["counts"]["correctable"] == 1
    assert payload["changes"][0]["email"] == "e***@e***.com"
    assert "erin" not in json.dumps(payload)


def test_run_forever_runs_until_stopped(account: Account) -> None:
    results: list[DriftResult] = []
    runner = account.runner(on_result=results.append)
    thread = threading.Thread(target=runner.run_forever, args=(0.05,))
    thread.start()
    try:
        for _ in range(200):
            if len(results) >= 3:
                break
            threading.Event().wait(0.05)
    finally:
        runner.stop()
        thread.join(10)
    assert not thread.is_alive()
    assert len(results) >= 3
    assert [r.read for r in results[:2]] == ["full", "incremental"]
    assert {r.report.of(DriftClass.CONTACT_OWNED) for r in results if r.report} == {()}
