"""Drift detection: on a schedule, read the account and plan against the manifests. It never
writes unless asked to heal, and then only the drift `classify` calls correctable.

A run reads incrementally when it can: only the contacts changed since the previous
successful read began (minus a safety margin for clock skew between us and the platform),
merged onto the account as cached in the state file. A full sweep is made every
`full_sweep_every` runs, when there is no usable cache, when the target changed, and when a
list or custom field was renamed or deleted (cached contacts name them by their old names).

Heal looks before it writes: it re-reads the contacts changed since this run's read began and
skips, as `stale`, any whose record moved since it was planned (say, the contact edited it a
moment ago), with apply's own staleness check.

Each run logs one `drift_run` event, updates the metrics, and (when it found drift or failed)
POSTs a summary with masked emails to the webhook, if one is configured.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import structlog

from reconciler.apply import ApplyReport, ContactResult, Outcome, apply_plan
from reconciler.drift_cache import DriftState, load_state, merge_observed, names_still_valid, save_state
from reconciler.drift_classify import (
    DriftClass,
    DriftItem,
    DriftReason,
    DriftReport,
    classify,
    correctable_plan,
)
from reconciler.errors import ReconcilerError
from reconciler.metrics import DriftMetrics, RunObservation
from reconciler.model import Desired, Observed
from reconciler.notify import WebhookNotifier
from reconciler.plan import PlanPolicy, compute_plan
from reconciler.providers.base import ReconcilingProvider
from reconciler.render.mask import mask_email
from reconciler.scope import apply_ignores, parse_ignore_rules
from reconciler.transport import RequestStats

__all__ = [
    "DEFAULT_SAFETY_MARGIN",
    "Connection",
    "ConnectionFactory",
    "DriftClass",
    "DriftItem",
    "DriftReason",
    "DriftReport",
    "DriftResult",
    "DriftRunner",
    "classify",
    "correctable_plan",
]

DEFAULT_SAFETY_MARGIN = timedelta(minutes=2)
_MAX_WEBHOOK_ITEMS = 100  # a summary, not a dump: the rest is counted

log = structlog.get_logger()


class Connection(Protocol):
    """What the CLI's connect context manager yields: a provider and the target plans record."""

    @property
    def provider(self) -> ReconcilingProvider: ...

    @property
    def target(self) -> str: ...

    def policy(self) -> PlanPolicy: ...


ConnectionFactory = Callable[[Mapping[str, object]], AbstractContextManager[Connection]]


class _Stopped(Exception):
    """A stop was requested (SIGTERM) while a run was reading or healing."""


@dataclass(frozen=True, slots=True)
class DriftResult:
    target: str
    started_at: datetime
    outcome: str  # no_drift | drift | healed | error | interrupted
    duration_seconds: float
    read: str | None = None  # "full" or "incremental"
    read_reason: str | None = None  # why a full sweep, or since when an incremental read
    contacts_read: int = 0
    report: DriftReport | None = None
    heal: ApplyReport | None = None
    requests: int = 0
    responses_429: int = 0
    error: str | None = None

    @property
    def exit_code(self) -> int:
        """0 no drift left, 2 correctable drift left (not healed), 3 only contact-owned drift left
        or heal found a contact refused or stale, 1 error."""
        if self.outcome in ("error", "interrupted") or self.report is None:
            return 1
        heal = self.heal
        if heal is not None and (heal.count(Outcome.REFUSED) or heal.count(Outcome.STALE)):
            return 3
        if self.report.correctable and heal is None:
            return 2
        return 3 if self.report.contact_owned else 0

    def summary(self, *, masked: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "event": "drift_run",
            "target": self.target,
            "started_at": self.started_at.isoformat(),
            "outcome": self.outcome,
            "read": self.read,
            "duration_seconds": round(self.duration_seconds, 3),
            "counts": self.report.counts() if self.report else None,
            "healed": _heal_counts(self.heal),
            "error": self.error,
        }
        if self.report is not None:
            items = self.report.summary(mask_email if masked else None)
            doc["changes"] = items[:_MAX_WEBHOOK_ITEMS]
            doc["changes_not_shown"] = max(0, len(items) - _MAX_WEBHOOK_ITEMS)
        return doc


def _heal_counts(report: ApplyReport | None) -> dict[str, int] | None:
    if report is None:
        return None
    return {o.value: report.count(o) for o in Outcome if report.count(o)}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _wire_time(moment: datetime) -> str:
    # Whole seconds, rounded down: the window only grows, never misses a change.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_stats(provider: object) -> RequestStats | None:
    """The provider's transport counters, where it exposes them."""
    for candidate in (
        getattr(provider, "stats", None),
        # Until providers expose their transport's stats publicly, the v3 provider's is private.
        getattr(getattr(provider, "_http", None), "stats", None),
    ):
        if isinstance(candidate, RequestStats):
            return candidate
    return None


def _counters(stats: RequestStats | None) -> tuple[int, int]:
    return (stats.requests, stats.by_status[429]) if stats else (0, 0)


@dataclass
class _Run:
    """What a run has learned so far; turned into a DriftResult however it ends."""

    started_at: datetime
    read: str | None = None
    read_reason: str | None = None
    contacts_read: int = 0
    report: DriftReport | None = None
    heal: ApplyReport | None = None
    heal_results: list[ContactResult] = field(default_factory=list)


class DriftRunner:
    def __init__(
        self,
        connect: ConnectionFactory,
        load_desired: Callable[[], Desired],
        state_path: Path,
        *,
        full_sweep_every: int = 24,
        heal: bool = False,
        clock: Callable[[], datetime] = _utcnow,
        safety_margin: timedelta = DEFAULT_SAFETY_MARGIN,
        metrics: DriftMetrics | None = None,
        notifier: WebhookNotifier | None = None,
        on_result: Callable[[DriftResult], None] | None = None,
        scope: Callable[[Desired, Observed], Desired] | None = None,
    ) -> None:
        if full_sweep_every < 1:
            raise ValueError("full_sweep_every must be at least 1")
        self._connect = connect
        self._load_desired = load_desired
        self._scope = scope  # --target / --exclude: which contacts this runner watches
        self._state_path = state_path
        self._full_sweep_every = full_sweep_every
        self._heal = heal
        self._clock = clock
        self._margin = safety_margin
        self._metrics = metrics
        self._notifier = notifier
        self._on_result = on_result
        self._stop = threading.Event()

    # -- one run ---------------------------------------------------------------------------

    def run_once(self, conn: Connection | None = None) -> DriftResult:
        """One drift run, on `conn` or on a connection opened for it."""
        if conn is None:
            desired = self._load_desired()
            with self._connect(desired.settings) as opened:
                return self.run_once(opened)
        stats = request_stats(conn.provider)
        requests0, throttled0 = _counters(stats)
        t0 = time.monotonic()
        run = _Run(started_at=self._clock())
        outcome, error = "error", None
        try:
            outcome = self._run(conn, run)
        except _Stopped:
            outcome = "interrupted"
        except ReconcilerError as exc:
            error = str(exc)
        requests1, throttled1 = _counters(stats)
        result = DriftResult(
            target=conn.target,
            started_at=run.started_at,
            outcome=outcome,
            duration_seconds=time.monotonic() - t0,
            read=run.read,
            read_reason=run.read_reason,
            contacts_read=run.contacts_read,
            report=run.report,
            heal=run.heal,
            requests=requests1 - requests0,
            responses_429=throttled1 - throttled0,
            error=error,
        )
        self._publish(result, run)
        return result

    def _run(self, conn: Connection, run: _Run) -> str:
        desired = self._load_desired()
        observed = self._read(conn, run)
        if self._scope is not None:
            desired = self._scope(desired, observed)
        # ignore: rules silence drift on chosen fields; `apply` itself still converges them
        rules = parse_ignore_rules(desired.settings.get("ignore"))
        plan = apply_ignores(
            compute_plan(desired, observed, conn.policy()), rules, desired=desired, observed=observed
        )
        run.report = report = classify(plan, observed)
        if self._heal and report.correctable:
            self._check_stop()
            fresh = conn.provider.read(
                self._stop_on_progress, updated_after=_wire_time(run.started_at - self._margin)
            )
            live = merge_observed(observed, fresh)
            try:
                run.heal = apply_plan(
                    correctable_plan(plan, report),
                    live,
                    conn.provider,
                    check_stale=True,
                    on_result=lambda r: self._on_heal_result(run, r),
                )
            except _Stopped:
                run.heal = ApplyReport(results=run.heal_results, stopped="stopped by a signal")
                raise
            if not run.heal.ok:
                raise _HealFailed(run.heal)
            return (
                "healed" if run.heal.count(Outcome.APPLIED) or run.heal.account_changes_applied else "drift"
            )
        return "drift" if report.has_drift else "no_drift"

    def _on_heal_result(self, run: _Run, result: ContactResult) -> None:
        run.heal_results.append(result)
        self._check_stop()

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _stop_on_progress(self, _count: int) -> None:
        # Called after every page: a stop requested mid-read ends the read there (reads write nothing).
        self._check_stop()

    def _read(self, conn: Connection, run: _Run) -> Observed:
        state = load_state(self._state_path)
        reason = self._full_sweep_reason(state, conn)
        observed: Observed | None = None
        incremental = 0
        if state is not None and reason is None:
            since = _wire_time(state.read_started_at - self._margin)
            changed = conn.provider.read(self._stop_on_progress, updated_after=since)
            run.contacts_read = len(changed.contacts)
            if names_still_valid(state.observed, changed):
                observed = merge_observed(state.observed, changed)
                run.read, run.read_reason = "incremental", f"changed since {since}"
                incremental = state.incremental_runs + 1
            else:
                reason = "a list or custom field was renamed or deleted"
        if observed is None:
            observed = conn.provider.read(self._stop_on_progress)
            run.contacts_read = len(observed.contacts)
            run.read, run.read_reason = "full", reason
        # The cache is valid once the read is, whatever happens to the rest of the run.
        save_state(self._state_path, DriftState(conn.target, observed, run.started_at, incremental))
        return observed

    def _full_sweep_reason(self, state: DriftState | None, conn: Connection) -> str | None:
        if state is None:
            return "no cached state"
        if state.target != conn.target:
            return "the cached state is of another target"
        if not conn.provider.capabilities.changed_since_reads:
            return "the provider cannot read changes only"
        if state.incremental_runs + 1 >= self._full_sweep_every:
            return f"scheduled (every {self._full_sweep_every} runs)"
        return None

    # -- reporting -------------------------------------------------------------------------

    def _publish(self, result: DriftResult, run: _Run) -> None:
        counts = result.report.counts() if result.report else {}
        fields: dict[str, Any] = {
            "outcome": result.outcome,
            "read": result.read,
            "read_reason": result.read_reason,
            "contacts_read": result.contacts_read,
            **counts,
            "healed": _heal_counts(result.heal),
            "requests": result.requests,
            "responses_429": result.responses_429,
            "duration_s": round(result.duration_seconds, 3),
            "error": result.error,
        }
        level = {"no_drift": log.info, "healed": log.info, "drift": log.warning}.get(
            result.outcome, log.error
        )
        level("drift_run", **{k: v for k, v in fields.items() if v is not None})
        if self._metrics is not None:
            ok = result.outcome in ("no_drift", "drift", "healed")
            self._metrics.observe(
                RunObservation(
                    outcome=result.outcome,
                    duration_seconds=result.duration_seconds,
                    requests=result.requests,
                    responses_429=result.responses_429,
                    correctable=result.report.correctable if result.report else None,
                    contact_owned=result.report.contact_owned if result.report else None,
                    heal_results=_heal_counts(result.heal),
                    succeeded_at=self._clock().timestamp() if ok else None,
                )
            )
        if self._notifier is not None and result.outcome not in ("no_drift", "interrupted"):
            self._notifier.notify(result.summary(masked=True))
        if self._on_result is not None:
            self._on_result(result)

    # -- the loop --------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to end: between runs at once; during one, at the next page or contact."""
        self._stop.set()

    def run_forever(self, interval_seconds: float, once: bool = False) -> DriftResult | None:
        """Run every `interval_seconds` (start to start) until `stop()` or SIGTERM; with `once`,
        a single run. One connection serves every run: its rate limiter and refreshed tokens
        (rotating refresh tokens are single-use) carry over. Returns the last run's result."""
        result: DriftResult | None = None
        with _graceful_signals(self.stop):
            desired = self._load_desired()
            with self._connect(desired.settings) as conn:
                while not self._stop.is_set():
                    t0 = time.monotonic()
                    result = self.run_once(conn)
                    if once:
                        break
                    self._stop.wait(max(0.0, interval_seconds - (time.monotonic() - t0)))
        return result


class _HealFailed(ReconcilerError):
    def __init__(self, report: ApplyReport) -> None:
        failed = report.count(Outcome.FAILED)
        super().__init__(report.stopped or f"heal could not write {failed} contact(s); see the log")
        self.report = report


@contextmanager
def _graceful_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM (and a first Ctrl-C) end the loop cleanly; a second Ctrl-C interrupts at once.
    Signal handlers can only be installed from the main thread; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGINT and received:
            raise KeyboardInterrupt
        received.append(signum)
        log.info("drift_stopping", signal=signal.Signals(signum).name)
        stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
