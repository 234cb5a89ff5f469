"""Prometheus metrics of the drift loop, on a registry of their own.

A private `CollectorRegistry` (not prometheus_client's global one) keeps the exposition to
exactly these series and lets tests build as many independent instances as they like.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

__all__ = ["DriftMetrics", "MetricsServer", "RunObservation", "start_metrics_server"]

# A run is a few requests when incremental, and pages/4 s at the API's 4 requests/s when full.
_DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


@dataclass(frozen=True, slots=True)
class RunObservation:
    """What one run contributes to the metrics."""

    outcome: str  # no_drift | drift | healed | error | interrupted
    duration_seconds: float
    requests: int
    responses_429: int
    correctable: int | None = None  # None when the run never got as far as a plan
    contact_owned: int | None = None
    heal_results: dict[str, int] | None = None  # apply outcome -> count
    succeeded_at: float | None = None  # unix time, when the run read and planned successfully


class DriftMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.drift = Gauge(
            "reconciler_drift_changes",
            "Drifted contacts found by the last completed run (lists and custom fields to create "
            "count as correctable).",
            ["drift_class"],
            registry=r,
        )
        self.last_success = Gauge(
            "reconciler_drift_last_success_timestamp_seconds",
            "Unix time at which the last successful drift run finished.",
            registry=r,
        )
        self.duration = Histogram(
            "reconciler_drift_run_duration_seconds",
            "Wall time of drift runs.",
            buckets=_DURATION_BUCKETS,
            registry=r,
        )
        self.runs = Counter("reconciler_drift_runs", "Drift runs, by outcome.", ["outcome"], registry=r)
        self.heal_results = Counter(
            "reconciler_drift_heal_results",
            "Contacts heal tried to write, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.api_requests = Counter(
            "reconciler_api_requests", "HTTP requests sent to the platform (attempts).", registry=r
        )
        self.api_429 = Counter(
            "reconciler_api_429_responses",
            "429 answers from the platform (throttling and daily quota).",
            registry=r,
        )
        for cls in ("correctable", "contact_owned"):
            self.drift.labels(drift_class=cls)

    def observe(self, run: RunObservation) -> None:
        self.runs.labels(outcome=run.outcome).inc()
        self.duration.observe(run.duration_seconds)
        self.api_requests.inc(run.requests)
        self.api_429.inc(run.responses_429)
        if run.correctable is not None:
            self.drift.labels(drift_class="correctable").set(run.correctable)
        if run.contact_owned is not None:
            self.drift.labels(drift_class="contact_owned").set(run.contact_owned)
        for outcome, count in (run.heal_results or {}).items():
            self.heal_results.labels(outcome=outcome).inc(count)
        if run.succeeded_at is not None:
            self.last_success.set(run.succeeded_at)


@dataclass
class MetricsServer:
    port: int
    _server: WSGIServer
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def start_metrics_server(port: int, metrics: DriftMetrics, addr: str = "0.0.0.0") -> MetricsServer:
    """Serve /metrics on a daemon thread. Port 0 picks a free port (see `.port`)."""
    server, thread = start_http_server(port, addr=addr, registry=metrics.registry)
    return MetricsServer(int(server.server_port), server, thread)
