"""`reconciler drift DIR`: detect drift on a schedule, report it, and heal it if asked.

    reconciler drift DIR [--interval 15m] [--once] [--heal] [--metrics-port P]
                         [--full-sweep-every N] [--state FILE] [target options as for plan]

Exit codes of `--once`: 0 no drift (left), 2 correctable drift (not healed), 3 only
contact-owned drift left, or heal found a contact refused or stale, 1 error. In loop mode
the command runs until SIGTERM or Ctrl-C and then exits 0.

`drift_command` is a plain function (testable, returns the exit code); `make_drift_command`
wraps it for typer, given the CLI's connect context manager, which this module cannot import
(the CLI imports this module).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer
from rich.console import Console
from rich.markup import escape

from reconciler.drift import Connection, DriftClass, DriftResult, DriftRunner
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.logging_setup import LogFormat as _LogFormatName
from reconciler.logging_setup import configure_logging
from reconciler.manifest import load
from reconciler.metrics import DriftMetrics, MetricsServer, start_metrics_server
from reconciler.model import Desired
from reconciler.notify import WebhookNotifier
from reconciler.plan import GLYPHS
from reconciler.render.mask import mask_email
from reconciler.scope import scope_desired

__all__ = ["ConnectFactory", "drift_command", "make_drift_command", "parse_interval"]

DEFAULT_STATE = Path(".reconciler/drift-state.json")
DEFAULT_SIM_STATE = Path(".reconciler/sim-state.json")

_LOG_FORMATS: dict[str, _LogFormatName] = {"auto": "auto", "console": "console", "json": "json"}
_INTERVAL = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?")


class ConnectFactory(Protocol):
    """The CLI's `_connect(settings, provider, base_url, sim, sim_state, rate)`."""

    def __call__(
        self,
        settings: Mapping[str, object],
        provider: str | None,
        base_url: str | None,
        sim: bool,
        sim_state: Path,
        rate: float,
        /,
    ) -> AbstractContextManager[Connection]: ...


def parse_interval(text: str) -> float:
    """Seconds in "30s", "15m", "1h", "1h30m" or a bare number of seconds."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        match = _INTERVAL.fullmatch(value)
        if not value or match is None:
            raise ConfigError(
                f"cannot read the interval {text!r}: write it like 30s, 15m, 1h or 1h30m"
            ) from None
        h, m, s = (float(g) if g else 0.0 for g in match.groups())
        seconds = h * 3600 + m * 60 + s
    if seconds <= 0:
        raise ConfigError(f"the interval must be longer than zero, not {text!r}")
    return seconds


def _printer(out: Console, mask_pii: bool) -> Callable[[DriftResult], None]:
    def show(result: DriftResult) -> None:
        if result.report is None:
            out.print(f"Drift run failed ({result.outcome}): {escape(result.error or 'see the log')}")
            return
        report = result.report
        for item in report.items:
            email = mask_email(item.email) if mask_pii else item.email
            what = item.change.rule or ", ".join(item.paths) or item.change.action.value
            out.print(
                f"  {GLYPHS[item.change.action]} {escape(email)}  {item.drift_class.value}"
                f" ({item.reason.value}): {escape(what)}",
                soft_wrap=True,
            )
        for ac in report.account_changes:
            out.print(f"  + {ac.kind.replace('_', ' ')} {escape(ac.name)}  correctable")
        line = (
            f"Drift on {escape(result.target)} ({result.read} read): {report.correctable} correctable, "
            f"{report.contact_owned} contact-owned, {report.unchanged} in sync."
        )
        if result.heal is not None:
            healed = ", ".join(f"{n} {o}" for o, n in _counts(result).items())
            line += f" Heal: {healed or 'nothing written'}."
        elif report.correctable:
            line += " Run with --heal to correct the correctable drift."
        if report.of(DriftClass.CONTACT_OWNED):
            line += " Contact-owned drift is never healed: fix the manifests or apply on purpose."
        out.print(line if report.has_drift else f"No drift on {escape(result.target)} ({result.read} read).")

    return show


def _counts(result: DriftResult) -> dict[str, int]:
    heal = result.heal
    if heal is None:
        return {}
    counts: dict[str, int] = {}
    if heal.account_changes_applied:
        counts["lists/custom fields created"] = heal.account_changes_applied
    for r in heal.results:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    return counts


def drift_command(
    path: Path,
    *,
    connect: ConnectFactory,
    interval: str = "15m",
    once: bool = False,
    heal: bool = False,
    metrics_port: int | None = None,
    full_sweep_every: int = 24,
    state: Path = DEFAULT_STATE,
    mask_pii: bool = False,
    base_url: str | None = None,
    provider: str | None = None,
    sim: bool = False,
    sim_state: Path = DEFAULT_SIM_STATE,
    rate: float = 4.0,
    log_format: str = "auto",
    log_level: str = "info",
    env: Mapping[str, str] | None = None,
    targets: Sequence[str] = (),
    excludes: Sequence[str] = (),
) -> int:
    """Run drift detection; the exit code (see the module docstring)."""
    configure_logging(_LOG_FORMATS.get(log_format, "auto"), log_level)
    err = Console(stderr=True, highlight=False)
    out = Console(highlight=False, soft_wrap=True, file=sys.stdout)
    server: MetricsServer | None = None
    notifier: WebhookNotifier | None = None
    try:
        seconds = parse_interval(interval)
        if full_sweep_every < 1:
            raise ConfigError("--full-sweep-every must be at least 1")

        def load_desired() -> Desired:
            return load(path)

        metrics = DriftMetrics()
        if metrics_port is not None:
            server = start_metrics_server(metrics_port, metrics)
        notifier = WebhookNotifier.from_env(os.environ if env is None else env)
        runner = DriftRunner(
            lambda settings: connect(settings, provider, base_url, sim, sim_state, rate),
            load_desired,
            state,
            full_sweep_every=full_sweep_every,
            heal=heal,
            metrics=metrics,
            notifier=notifier,
            on_result=_printer(out, mask_pii),
            scope=(lambda d, o: scope_desired(d, o, targets, excludes)) if targets or excludes else None,
        )
        result = runner.run_forever(seconds, once=once)
    except ReconcilerError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err.print("[bold red]Error:[/] interrupted")
        return 1
    except OSError as exc:  # the metrics port is taken, the state file cannot be written, ...
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", soft_wrap=True)
        return 1
    finally:
        if server is not None:
            server.stop()
        if notifier is not None:
            notifier.close()
    if not once:
        return 0
    return result.exit_code if result is not None else 1


class LogFormat(StrEnum):
    auto = "auto"
    console = "console"
    json = "json"


def make_drift_command(connect: ConnectFactory) -> Callable[..., None]:
    """The typer command, bound to the CLI's connect context manager."""

    def drift(
        path: Annotated[Path, typer.Argument(help="Manifest directory or file.")],
        interval: Annotated[
            str, typer.Option("--interval", help="Time between runs (start to start): 30s, 15m, 1h.")
        ] = "15m",
        once: Annotated[bool, typer.Option("--once", help="One run, then exit with its drift code.")] = False,
        heal: Annotated[
            bool, typer.Option("--heal", help="Correct account-side drift. Contact-owned drift never is.")
        ] = False,
        metrics_port: Annotated[
            int | None, typer.Option("--metrics-port", help="Serve Prometheus metrics on this port.")
        ] = None,
        full_sweep_every: Annotated[
            int, typer.Option("--full-sweep-every", help="Read the whole account every N runs.")
        ] = 24,
        state: Annotated[
            Path, typer.Option("--state", help="Where the account read is cached between runs.")
        ] = DEFAULT_STATE,
        mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask emails in the output.")] = False,
        base_url: Annotated[
            str | None, typer.Option("--base-url", help="API base URL (default: the real API).")
        ] = None,
        provider: Annotated[str | None, typer.Option("--provider", help="Provider name.")] = None,
        sim: Annotated[
            bool, typer.Option("--sim", envvar="RECONCILER_SIM", help="Run against the embedded simulator.")
        ] = False,
        sim_state: Annotated[
            Path, typer.Option("--sim-state", help="State file of the embedded simulator.")
        ] = DEFAULT_SIM_STATE,
        rate: Annotated[float, typer.Option("--rate", help="Requests per second to stay under.")] = 4.0,
        log_format: Annotated[
            LogFormat, typer.Option("--log-format", help="auto: console on a TTY, JSON otherwise.")
        ] = LogFormat.auto,
        log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning, error.")] = "info",
        target: Annotated[
            list[str] | None,
            typer.Option("--target", help="Only these contacts: EMAIL or @LIST (repeatable)."),
        ] = None,
        exclude: Annotated[
            list[str] | None, typer.Option("--exclude", help="Leave out these contacts: EMAIL or @LIST.")
        ] = None,
    ) -> None:
        """Detect drift on a schedule (read + plan), report it, and heal it with --heal.

        Exit codes with --once: 0 no drift, 2 correctable drift, 3 contact-owned drift only
        (or heal found a contact refused or stale), 1 error.
        """
        code = drift_command(
            path,
            connect=connect,
            interval=interval,
            once=once,
            heal=heal,
            metrics_port=metrics_port,
            full_sweep_every=full_sweep_every,
            state=state,
            mask_pii=mask_pii,
            base_url=base_url,
            provider=provider,
            sim=sim,
            sim_state=sim_state,
            rate=rate,
            log_format=log_format.value,
            log_level=log_level,
            targets=list(target or []),
            excludes=list(exclude or []),
        )
        raise typer.Exit(code)

    return drift
