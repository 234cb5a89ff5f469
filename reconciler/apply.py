"""Executes a plan. The only code that writes; it never decides what to change.

It may refuse to go on: a contact edited since planning is skipped as `stale`, a spent daily
quota stops the run cleanly (the rest is reported as `not_attempted`, and a rerun picks it up),
and a server error fails that one contact while the rest of the plan still applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import structlog

from reconciler.errors import ApiError, QuotaExceeded
from reconciler.model import CustomFieldDef, ListDef, Observed, email_key
from reconciler.plan import Action, Change, Plan, fingerprint
from reconciler.providers.base import ContactWriter

__all__ = ["ApplyReport", "ContactResult", "Outcome", "apply_plan", "stale_reason"]

log = structlog.get_logger()


class Outcome(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"
    STALE = "stale"
    FAILED = "failed"
    NOT_ATTEMPTED = "not_attempted"


@dataclass(frozen=True, slots=True)
class ContactResult:
    email: str
    action: str
    outcome: Outcome
    contact_id: str | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "email": self.email,
            "action": self.action,
            "outcome": self.outcome.value,
            "contact_id": self.contact_id,
            "reason": self.reason,
        }


@dataclass
class ApplyReport:
    results: list[ContactResult] = field(default_factory=list)
    account_changes_applied: int = 0
    stopped: str | None = None  # why the run stopped early, if it did

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def ok(self) -> bool:
        return self.stopped is None and self.count(Outcome.FAILED) == 0


def stale_reason(change: Change, observed: Observed, *, delta: bool = False) -> str | None:
    """Why the account no longer matches what `change` was planned against, if it doesn't.
    With `delta`, `observed` holds only the contacts changed since planning: absence means unchanged."""
    live = observed.contacts.get(email_key(change.email))
    if change.contact_id is None:
        return None if live is None else "the contact was created on the account after planning"
    if live is None and delta:
        return None
    if live is None or live.contact_id != change.contact_id:
        return "the contact is no longer on the account as planned"
    if fingerprint(live) != change.observed_fingerprint:
        return f"the contact was modified since planning (updated_at {live.updated_at})"
    return None


def _apply_account_changes(plan: Plan, writer: ContactWriter) -> int:
    for ac in plan.account_changes:
        if ac.kind == "create_list":
            writer.create_list(ListDef(ac.name, ac.description))
        else:
            writer.create_custom_field(CustomFieldDef(ac.name, ac.type or "string"))
        log.info("account_change_applied", kind=ac.kind, name=ac.name)
    return len(plan.account_changes)


def apply_plan(
    plan: Plan,
    observed: Observed,
    writer: ContactWriter,
    *,
    check_stale: bool,
    observed_is_delta: bool = False,
    on_result: Callable[[ContactResult], None] | None = None,
) -> ApplyReport:
    report = ApplyReport()

    def record(result: ContactResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    try:
        report.account_changes_applied = _apply_account_changes(plan, writer)
    except ApiError as err:
        report.stopped = f"could not create lists/custom fields, so no contact was written: {err}"
        for change in plan.changes:
            record(
                ContactResult(change.email, change.action.value, Outcome.NOT_ATTEMPTED, reason=report.stopped)
            )
        return report

    for change in plan.changes:
        if report.stopped:
            record(
                ContactResult(change.email, change.action.value, Outcome.NOT_ATTEMPTED, reason=report.stopped)
            )
            continue
        if change.action == Action.REFUSE:
            record(
                ContactResult(
                    change.email, change.action.value, Outcome.REFUSED, change.contact_id, change.rule
                )
            )
            continue
        if check_stale and (why := stale_reason(change, observed, delta=observed_is_delta)):
            record(ContactResult(change.email, change.action.value, Outcome.STALE, change.contact_id, why))
            continue
        try:
            result = writer.write(change, observed.contacts.get(email_key(change.email)))
        except QuotaExceeded as err:
            report.stopped = (
                f"the API's daily quota is spent ({err.message}); rerun after it resets to apply the rest"
            )
            record(
                ContactResult(change.email, change.action.value, Outcome.NOT_ATTEMPTED, reason=report.stopped)
            )
            continue
        except ApiError as err:
            log.warning("contact_write_failed", email=change.email, error=str(err))
            record(
                ContactResult(change.email, change.action.value, Outcome.FAILED, change.contact_id, str(err))
            )
            continue
        if result.refused_rule:
            reason = f"{result.refused_rule}: {result.refused_reason}"
            record(
                ContactResult(change.email, change.action.value, Outcome.REFUSED, result.contact_id, reason)
            )
            continue
        record(
            ContactResult(change.email, change.action.value, Outcome.APPLIED, result.contact_id, result.note)
        )
    return report
