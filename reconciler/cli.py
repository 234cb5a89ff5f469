"""Command line: validate, plan, apply, show, export, drift, schema, sim, demo.

Exit codes (plan --detailed-exitcode): 0 no changes, 2 changes, 3 some change refused, 1 error.
Exit codes (apply): 0 everything applied, 3 some contact refused or stale (the rest applied), 1 error.
Plans and reports go to stdout; logs and progress go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reconciler import __version__
from reconciler.apply import ApplyReport, ContactResult, Outcome, apply_plan
from reconciler.audit import DEFAULT_AUDIT_LOG, write_audit_log
from reconciler.commands_drift import make_drift_command
from reconciler.errors import ConfigError, ReconcilerError, SavedPlanError
from reconciler.guards import GuardLimits, check_guards, load_last_run, save_last_run
from reconciler.logging_setup import configure_logging
from reconciler.manifest import json_schema, load
from reconciler.model import Desired, Observed
from reconciler.plan import PLAN_FORMAT_VERSION, Plan, PlanPolicy, compute_plan
from reconciler.progress import progress_reader
from reconciler.providers.base import ReconcilingProvider
from reconciler.providers.registry import PROVIDERS, build_provider
from reconciler.render import render_plan
from reconciler.scope import scope_desired

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Declarative desired-state reconciler for email-marketing contacts.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class LogFormatOpt(StrEnum):
    auto = "auto"
    console = "console"
    json = "json"


BaseUrl = Annotated[
    str | None,
    typer.Option("--base-url", help="API base URL [default: the provider's URL variable, else the real API]"),
]
ProviderName = Annotated[
    str | None,
    typer.Option("--provider", help=f"{'|'.join(PROVIDERS)} [default: settings.provider, else ctct-v3]."),
]
Sim = Annotated[
    bool,
    typer.Option("--sim", envvar="RECONCILER_SIM", help="Run against the embedded simulator (demo account)."),
]
SimState = Annotated[Path, typer.Option("--sim-state", help="State file of the embedded simulator.")]
Rate = Annotated[float, typer.Option("--rate", help="Requests per second to stay under (0 = unpaced).")]
LogFmt = Annotated[LogFormatOpt, typer.Option("--log-format", help="auto: console on a TTY, JSON otherwise.")]
LogLevel = Annotated[str, typer.Option("--log-level", help="debug, info, warning, error.")]

Targets = Annotated[
    list[str] | None, typer.Option("--target", help="Only these contacts: EMAIL or @LIST (repeatable).")
]
Excludes = Annotated[
    list[str] | None, typer.Option("--exclude", help="Leave out these contacts: EMAIL or @LIST (repeatable).")
]
AllowMassRemoval = Annotated[
    bool, typer.Option("--allow-mass-removal", help="Go ahead even past --max-list-removals.")
]
AllowMassChange = Annotated[
    bool, typer.Option("--allow-mass-change", help="Go ahead even past --max-changed-percent.")
]
AllowEmpty = Annotated[
    bool, typer.Option("--allow-empty", help="Go ahead with no contacts though the last run managed some.")
]
MaxRemovals = Annotated[
    int, typer.Option("--max-list-removals", help="Most list memberships a plan may remove.")
]
MaxChanged = Annotated[
    float, typer.Option("--max-changed-percent", help="Most managed contacts (%) a plan may change.")
]

_DEFAULT_SIM_STATE = Path(".reconciler/sim-state.json")
_LAST_RUN = Path(".reconciler/last-run.json")


@dataclass(frozen=True, slots=True)
class Safety:
    """Scoping and blast-radius guards, shared by plan and apply."""

    targets: list[str]
    excludes: list[str]
    limits: GuardLimits

    @property
    def scoped(self) -> bool:
        return bool(self.targets or self.excludes)

    def scope(self, desired: Desired, observed: Observed) -> Desired:
        return scope_desired(desired, observed, self.targets, self.excludes) if self.scoped else desired

    def violations(self, plan_value: Plan, desired: Desired, observed: Observed, target: str) -> list[str]:
        last = None if self.scoped else load_last_run(_LAST_RUN, target=target)
        found = check_guards(
            plan_value, desired, observed, self.limits, previous_managed=last.managed_count if last else None
        )
        return [str(v) for v in found]

    def remember(self, desired: Desired, target: str) -> None:
        if not self.scoped:
            save_last_run(_LAST_RUN, len(desired.contacts), desired.digest, target=target)


def _safety(
    targets: list[str] | None,
    excludes: list[str] | None,
    allow_mass_removal: bool,
    allow_mass_change: bool,
    allow_empty: bool,
    max_list_removals: int,
    max_changed_percent: float,
) -> Safety:
    limits = GuardLimits(
        max_list_removals=max_list_removals,
        max_changed_percent=max_changed_percent,
        allow_mass_removal=allow_mass_removal,
        allow_mass_change=allow_mass_change,
        allow_empty=allow_empty,
    )
    return Safety(list(targets or []), list(excludes or []), limits)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", soft_wrap=True)
    return typer.Exit(1)


@contextmanager
def _errors() -> Iterator[None]:
    """Every failure a user can cause ends as a sentence and exit code 1, never a traceback."""
    try:
        yield
    except ReconcilerError as e:
        raise _fail(str(e)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted") from None


@dataclass(frozen=True, slots=True)
class Connection:
    provider: ReconcilingProvider
    target: str  # what plans record: the base URL, or a stable name for the embedded simulator

    def policy(self) -> PlanPolicy:
        caps = self.provider.capabilities
        return PlanPolicy(
            provider=caps.name,
            target=self.target,
            contact_opt_in_path=caps.contact_opt_in_path,
            supported_fields=caps.fields,
            phone_kinds=caps.phone_kinds,
            max_phone_numbers=caps.max_phone_numbers,
            max_street_addresses=caps.max_street_addresses,
        )


@contextmanager
def _connect(
    settings: Mapping[str, object],
    provider: str | None,
    base_url: str | None,
    sim: bool,
    sim_state: Path,
    rate: float,
) -> Iterator[Connection]:
    name = provider or str(settings.get("provider") or "ctct-v3")
    if sim:
        from reconciler.sim.embedded import embedded_simulator

        with embedded_simulator(name, sim_state) as emb:
            prov = build_provider(name, emb.base_url, rate_per_second=0, env=emb.env)
            try:
                yield Connection(prov, f"embedded-simulator:{name}:{sim_state}")
            finally:
                prov.close()
        return
    url = base_url or (str(settings["base_url"]) if settings.get("base_url") else None)
    prov = build_provider(name, url, rate_per_second=rate)
    try:
        yield Connection(prov, prov.target)
    finally:
        prov.close()


def _read(prov: ReconcilingProvider) -> Observed:
    with progress_reader(err, "Reading account") as progress:
        return prov.read(progress)


def _emit_plan(plan: Plan, fmt: Format, mask_pii: bool) -> None:
    color = fmt == Format.text and sys.stdout.isatty()
    sys.stdout.write(render_plan(plan, fmt.value, color=color, mask_pii=mask_pii))
    sys.stdout.flush()


def _plan_exit_code(plan: Plan) -> int:
    if plan.has_refusals:
        return 3
    return 2 if plan.has_changes else 0


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="Manifest directory or file.")],
    log_format: LogFmt = LogFormatOpt.auto,
) -> None:
    """Check manifests without contacting any API."""
    configure_logging(log_format.value)
    with _errors():
        desired = load(path)
    n_files = len(list(path.glob("*.y*ml"))) if path.is_dir() else 1
    typer.echo(f"{path}: {len(desired.contacts)} contact(s) in {n_files} file(s) are valid.")


@app.command()
def plan(
    path: Annotated[Path, typer.Argument(help="Manifest directory or file.")],
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    out: Annotated[
        Path | None, typer.Option("--out", help="Save the plan to this file for a later apply.")
    ] = None,
    detailed_exitcode: Annotated[
        bool, typer.Option("--detailed-exitcode", help="Exit 0 no changes, 2 changes, 3 refusals, 1 error.")
    ] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask emails and phone numbers.")] = False,
    base_url: BaseUrl = None,
    provider: ProviderName = None,
    sim: Sim = False,
    sim_state: SimState = _DEFAULT_SIM_STATE,
    rate: Rate = 4.0,
    target: Targets = None,
    exclude: Excludes = None,
    allow_mass_removal: AllowMassRemoval = False,
    allow_mass_change: AllowMassChange = False,
    allow_empty: AllowEmpty = False,
    max_list_removals: MaxRemovals = 10,
    max_changed_percent: MaxChanged = 25.0,
    log_format: LogFmt = LogFormatOpt.auto,
    log_level: LogLevel = "warning",
) -> None:
    """Show what apply would change, without changing anything."""
    configure_logging(log_format.value, log_level)
    safety = _safety(
        target,
        exclude,
        allow_mass_removal,
        allow_mass_change,
        allow_empty,
        max_list_removals,
        max_changed_percent,
    )
    with _errors():
        desired = load(path)
        with _connect(desired.settings, provider, base_url, sim, sim_state, rate) as conn:
            observed = _read(conn.provider)
            desired = safety.scope(desired, observed)
            result = compute_plan(desired, observed, conn.policy())
            tripped = safety.violations(result, desired, observed, conn.target)
        for message in tripped:
            err.print(f"[bold yellow]Guard:[/] {message}", soft_wrap=True)
        if out and tripped:
            raise ConfigError("not saving a plan that trips a guard; pass the override flag it names")
        if out:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(result.to_json())
            err.print(f"Saved the plan to {out}. Apply it with: reconciler apply {out}")
    _emit_plan(result, fmt, mask_pii)
    if detailed_exitcode:
        raise typer.Exit(_plan_exit_code(result))


def _load_saved(path: Path) -> Plan:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise SavedPlanError(f"{path} is not a readable plan file: {e}") from e
    if not isinstance(doc, dict) or doc.get("format_version") != PLAN_FORMAT_VERSION:
        raise SavedPlanError(
            f"{path} is not a plan of format version {PLAN_FORMAT_VERSION}; re-run `reconciler plan --out`"
        )
    doc.pop("summary", None)
    try:
        return Plan.model_validate(doc)
    except ValueError as e:
        raise SavedPlanError(f"{path} is not a valid plan file: {e}") from e


def _changed_since(plan_value: Plan, prov: ReconcilingProvider) -> str | None:
    """Where the platform can list contacts changed after a time, a saved plan is checked against
    just those. One second earlier, because last-modified times have one-second resolution."""
    if not (prov.capabilities.changed_since_reads and plan_value.observed_through):
        return None
    try:
        when = datetime.fromisoformat(plan_value.observed_through.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (when - timedelta(seconds=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _confirm(plan_value: Plan, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ConfigError("apply needs confirmation: run it in a terminal, or pass --auto-approve")
    if input("\nApply these changes? Only 'yes' will be accepted: ").strip() != "yes":
        raise ConfigError("apply cancelled; nothing was changed")


def _print_result(result: ContactResult) -> None:
    colour = {
        Outcome.APPLIED: "green",
        Outcome.REFUSED: "red",
        Outcome.STALE: "yellow",
        Outcome.FAILED: "red",
        Outcome.NOT_ATTEMPTED: "yellow",
    }[result.outcome]
    reason = f": {result.reason}" if result.reason else ""
    err.print(
        f"  [{colour}]{result.outcome.value:>13}[/] {result.action:<7} {result.email}{reason}", soft_wrap=True
    )


def _summarise(report: ApplyReport) -> int:
    counts = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome)
    typer.echo(f"Apply complete: {counts}." if not report.stopped else f"Apply stopped: {counts}.")
    if report.stopped:
        err.print(f"[yellow]{report.stopped}[/]", soft_wrap=True)
    if report.count(Outcome.FAILED) or (report.stopped and report.count(Outcome.NOT_ATTEMPTED)):
        return 1
    if report.count(Outcome.REFUSED) or report.count(Outcome.STALE):
        return 3
    return 0


def _write_report(report: ApplyReport, path: Path | None) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for r in report.results:
            fh.write(json.dumps(r.as_dict(), sort_keys=True) + "\n")


@app.command()
def apply(
    source: Annotated[Path, typer.Argument(help="Manifest directory, or a plan file saved by `plan --out`.")],
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write one JSON line per contact here.")
    ] = None,
    audit_log: Annotated[
        Path, typer.Option("--audit-log", help="Append before/after of every field written, and why.")
    ] = DEFAULT_AUDIT_LOG,
    mask_pii: Annotated[bool, typer.Option("--mask-pii", help="Mask emails and phone numbers.")] = False,
    base_url: BaseUrl = None,
    provider: ProviderName = None,
    sim: Sim = False,
    sim_state: SimState = _DEFAULT_SIM_STATE,
    rate: Rate = 4.0,
    target: Targets = None,
    exclude: Excludes = None,
    allow_mass_removal: AllowMassRemoval = False,
    allow_mass_change: AllowMassChange = False,
    allow_empty: AllowEmpty = False,
    max_list_removals: MaxRemovals = 10,
    max_changed_percent: MaxChanged = 25.0,
    log_format: LogFmt = LogFormatOpt.auto,
    log_level: LogLevel = "warning",
) -> None:
    """Make the account match the manifests (or apply exactly a saved plan)."""
    configure_logging(log_format.value, log_level)
    safety = _safety(
        target,
        exclude,
        allow_mass_removal,
        allow_mass_change,
        allow_empty,
        max_list_removals,
        max_changed_percent,
    )
    saved = source.is_file() and source.suffix == ".json"
    with _errors():
        if saved:
            plan_value = _load_saved(source)
            settings: dict[str, object] = {"provider": plan_value.provider}
            url = base_url or (None if sim else plan_value.target)
            with _connect(settings, provider, url, sim, sim_state, rate) as conn:
                if conn.target != plan_value.target or conn.provider.capabilities.name != plan_value.provider:
                    raise SavedPlanError(
                        f"this plan was made for {plan_value.provider} {plan_value.target}, not "
                        f"{conn.provider.capabilities.name} {conn.target}; re-plan for this target"
                    )
                since = _changed_since(plan_value, conn.provider)
                observed = conn.provider.read(updated_after=since) if since else _read(conn.provider)
                _emit_plan(plan_value, Format.text, mask_pii)
                _confirm(plan_value, auto_approve)
                result = apply_plan(
                    plan_value,
                    observed,
                    conn.provider,
                    check_stale=True,
                    observed_is_delta=since is not None,
                    on_result=_print_result,
                )
        else:
            desired: Desired = load(source)
            with _connect(desired.settings, provider, base_url, sim, sim_state, rate) as conn:
                observed = _read(conn.provider)
                desired = safety.scope(desired, observed)
                plan_value = compute_plan(desired, observed, conn.policy())
                _emit_plan(plan_value, Format.text, mask_pii)
                tripped = safety.violations(plan_value, desired, observed, conn.target)
                if tripped:
                    raise ConfigError(
                        "a guard stopped this apply; nothing was changed:\n  " + "\n  ".join(tripped)
                    )
                if not plan_value.has_changes:
                    safety.remember(desired, conn.target)
                    raise typer.Exit(3 if plan_value.has_refusals else 0)
                _confirm(plan_value, auto_approve)
                result = apply_plan(
                    plan_value, observed, conn.provider, check_stale=False, on_result=_print_result
                )
                if result.ok:
                    safety.remember(desired, conn.target)
        _write_report(result, report)
        write_audit_log(audit_log, plan_value, result)
    raise typer.Exit(_summarise(result))


def _names(value: str | None) -> set[str] | None:
    return None if value is None else {n.strip() for n in value.split(",") if n.strip()}


@app.command()
def export(
    out_dir: Annotated[Path, typer.Argument(help="Directory to write the manifests to (empty, or created).")],
    lists: Annotated[
        str | None,
        typer.Option("--lists", help="Comma-separated lists to manage [default: every list; '' for none]."),
    ] = None,
    fields: Annotated[
        str | None,
        typer.Option(
            "--fields", help="Comma-separated fields or custom field names to manage [default: all]."
        ),
    ] = None,
    contacts_on_lists_only: Annotated[
        bool,
        typer.Option("--contacts-on-lists-only", help="Leave out contacts on none of the exported lists."),
    ] = False,
    contacts_per_file: Annotated[
        int, typer.Option("--contacts-per-file", help="Contacts per contacts-NNNN.yaml file.")
    ] = 5000,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an earlier export in OUT_DIR.")
    ] = False,
    base_url: BaseUrl = None,
    provider: ProviderName = None,
    sim: Sim = False,
    sim_state: SimState = _DEFAULT_SIM_STATE,
    rate: Rate = 4.0,
    log_format: LogFmt = LogFormatOpt.auto,
    log_level: LogLevel = "warning",
) -> None:
    """Write manifests describing the live account, so that `plan` on them shows no changes."""
    from reconciler.export import export_manifests, verify_export

    configure_logging(log_format.value, log_level)
    with _errors(), _connect({}, provider, base_url, sim, sim_state, rate) as conn:
        observed = _read(conn.provider)
        summary = export_manifests(
            observed,
            out_dir,
            lists=_names(lists),
            fields=_names(fields),
            contacts_per_file=contacts_per_file,
            contacts_on_lists_only=contacts_on_lists_only,
            overwrite=overwrite,
            provider=conn.provider.capabilities.name,
        )
        check = verify_export(out_dir, observed, conn.policy())
    for line in summary.lines():
        typer.echo(line)
    if check.has_changes or check.has_refusals:
        err.print("[bold red]Error:[/] the exported manifests do not re-plan cleanly; please report this:")
        _emit_plan(check, Format.text, True)
        raise typer.Exit(1)
    typer.echo(f"Re-plan against the account: no changes. Next: reconciler plan {out_dir}")


@app.command()
def show(
    plan_file: Annotated[Path, typer.Argument(help="A plan saved by `plan --out`.")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.text,
    mask_pii: Annotated[bool, typer.Option("--mask-pii")] = False,
) -> None:
    """Render a saved plan."""
    with _errors():
        plan_value = _load_saved(plan_file)
    _emit_plan(plan_value, fmt, mask_pii)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a manifest file (for editor autocompletion)."""
    typer.echo(json.dumps(json_schema(), indent=2))


@app.command()
def sim(
    provider: Annotated[
        str, typer.Option("--provider", help="Which platform's API to simulate.")
    ] = "ctct-v3",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8080,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    token: Annotated[str, typer.Option("--token", envvar="SIM_TOKEN", help="Bearer token it accepts.")] = "",
    username: Annotated[str, typer.Option("--username", help="Basic-auth user (v1, Everlytic).")] = "demo",
    password: Annotated[
        str, typer.Option("--password", envvar="SIM_PASSWORD", help="Basic-auth password.")
    ] = "",
    api_key: Annotated[
        str, typer.Option("--api-key", envvar="SIM_API_KEY", help="API key (v1, v2, Everlytic).")
    ] = "",
    state: Annotated[Path | None, typer.Option("--state", help="Load/save state here.")] = None,
    seed: Annotated[str | None, typer.Option("--seed", help="Seed state: a JSON file, or 'demo'.")] = None,
    rate_limit: Annotated[
        float, typer.Option("--rate-limit", help="Requests/second per key (0 = off).")
    ] = 4.0,
    daily_quota: Annotated[
        int, typer.Option("--daily-quota", help="Requests/day per key (0 = off).")
    ] = 10_000,
    latency: Annotated[float, typer.Option("--latency", help="Seconds added to each response.")] = 0.0,
) -> None:
    """Serve a local simulator of a platform's API (default: Constant Contact v3)."""
    from reconciler.sim.registry import Credentials, SimLimits
    from reconciler.sim.serve import run_simulator

    configure_logging("auto", "info")
    with _errors():
        if not (token or password or api_key):
            raise ConfigError("the simulator needs credentials: pass --token (or --api-key/--password)")
        run_simulator(
            provider=provider,
            host=host,
            port=port,
            credentials=Credentials(
                token=token, username=username, password=password or token, api_key=api_key or token
            ),
            state=state,
            seed=seed,
            limits=SimLimits(rate_per_second=rate_limit, daily_quota=daily_quota, latency=latency),
        )


@app.command()
def demo(
    path: Annotated[Path, typer.Argument(help="Manifests to demonstrate with.")] = Path("manifests/example"),
    provider: ProviderName = None,
    sim_state: SimState = _DEFAULT_SIM_STATE,
) -> None:
    """Plan, apply and re-plan the example manifests against a fresh embedded simulator."""
    from reconciler.sim.embedded import reset_state

    configure_logging("auto", "warning")
    with _errors():
        desired = load(path)
        reset_state(provider or str(desired.settings.get("provider") or "ctct-v3"), sim_state)
        for step in ("plan", "apply", "re-plan"):
            typer.echo(f"\n=== reconciler {step} {path} (embedded simulator, state in {sim_state}) ===\n")
            with _connect(desired.settings, provider, None, True, sim_state, 0) as conn:
                observed = _read(conn.provider)
                plan_value = compute_plan(desired, observed, conn.policy())
                _emit_plan(plan_value, Format.text, False)
                if step == "apply":
                    report = apply_plan(
                        plan_value, observed, conn.provider, check_stale=False, on_result=_print_result
                    )
                    _summarise(report)


app.command("drift")(make_drift_command(_connect))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reconciler {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


def main() -> None:
    app()
