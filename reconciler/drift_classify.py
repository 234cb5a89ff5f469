"""Which drift may be healed: a pure classification of a plan's changes.

Drift is any difference between the manifests and the account, i.e. every non-noop change of
a plan. Each one is either

* ``contact_owned``: the contact did it themselves, so reconciler reports it and never heals
  it, with or without ``--heal``. That is, in this order of precedence:

  1. a ``refuse`` change: the contact unsubscribed themselves and the manifests still want them
     on a list (``consent/contact-opt-out``, ``consent/evidence-predates-opt-out``, ...);
  2. a change that would replay the contact's own opt-in from manifest evidence
     (consent path ``contact_evidence``): re-subscribing someone is a decision a person makes
     with ``reconciler apply``, never an unattended loop;
  3. an update or revive of a contact whose last change was made by the contact
     (``updated_by == "contact"``: they edited their own details or unsubscribed). We cannot
     tell which fields they touched, so the whole contact is theirs until someone reconciles
     it on purpose with ``apply``, which makes the account its last editor again.

* ``correctable``: account-owned state that differs: a declared contact missing from the
  account (create), a deleted one (revive), a contact last changed by the account or by an
  unknown party (update), and lists or custom fields to create. An account-side re-add of a
  contact the *account* unsubscribed is correctable too: the consent rules allow it.

A plain function of (plan, observed): no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.consent import OptInPath
from reconciler.model import Observed, email_key
from reconciler.plan import AccountChange, Action, Change, Plan

__all__ = ["DriftClass", "DriftItem", "DriftReason", "DriftReport", "classify", "correctable_plan"]


class DriftClass(StrEnum):
    CORRECTABLE = "correctable"
    CONTACT_OWNED = "contact_owned"


class DriftReason(StrEnum):
    MISSING = "missing"  # declared, not on the account
    DELETED = "deleted"  # deleted on the account
    ACCOUNT_SIDE = "account_side"  # differs; last changed by the account (or by someone unknown)
    CONTACT_OPT_OUT = "contact_opt_out"  # refused: the contact unsubscribed themselves
    CONTACT_OPT_IN = "contact_opt_in"  # would replay the contact's own opt-in: a person decides
    CONTACT_EDIT = "contact_edit"  # differs; last changed by the contact


@dataclass(frozen=True, slots=True)
class DriftItem:
    change: Change
    drift_class: DriftClass
    reason: DriftReason

    @property
    def email(self) -> str:
        return self.change.email

    @property
    def paths(self) -> tuple[str, ...]:
        """What differs, by name: fields, then list memberships."""
        lists = tuple(f"lists+{n}" for n in self.change.lists_add)
        lists += tuple(f"lists-{n}" for n in self.change.lists_remove)
        return tuple(fc.path for fc in self.change.fields) + lists


@dataclass(frozen=True, slots=True)
class DriftReport:
    target: str
    items: tuple[DriftItem, ...] = ()
    account_changes: tuple[AccountChange, ...] = ()
    unchanged: int = 0

    def of(self, drift_class: DriftClass) -> tuple[DriftItem, ...]:
        return tuple(i for i in self.items if i.drift_class == drift_class)

    @property
    def correctable(self) -> int:
        """Contacts to heal, plus the lists and custom fields to create."""
        return len(self.of(DriftClass.CORRECTABLE)) + len(self.account_changes)

    @property
    def contact_owned(self) -> int:
        return len(self.of(DriftClass.CONTACT_OWNED))

    @property
    def has_drift(self) -> bool:
        return bool(self.items or self.account_changes)

    def counts(self) -> dict[str, int]:
        return {
            "correctable": self.correctable,
            "contact_owned": self.contact_owned,
            "account_changes": len(self.account_changes),
            "unchanged": self.unchanged,
        }

    def summary(self, mask: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
        """One entry per drifted contact, `mask` applied to each email."""
        return [
            {
                "email": mask(i.email) if mask else i.email,
                "action": i.change.action.value,
                "class": i.drift_class.value,
                "reason": i.reason.value,
                "rule": i.change.rule,
                "paths": list(i.paths),
            }
            for i in self.items
        ]


def _classify_change(change: Change, observed: Observed) -> DriftItem:
    if change.action == Action.REFUSE:
        return DriftItem(change, DriftClass.CONTACT_OWNED, DriftReason.CONTACT_OPT_OUT)
    if change.consent is not None and change.consent.path == OptInPath.CONTACT_EVIDENCE:
        return DriftItem(change, DriftClass.CONTACT_OWNED, DriftReason.CONTACT_OPT_IN)
    if change.action == Action.CREATE:
        return DriftItem(change, DriftClass.CORRECTABLE, DriftReason.MISSING)
    live = observed.contacts.get(email_key(change.email))
    if live is not None and live.updated_by == "contact":
        return DriftItem(change, DriftClass.CONTACT_OWNED, DriftReason.CONTACT_EDIT)
    if change.action == Action.REVIVE:
        return DriftItem(change, DriftClass.CORRECTABLE, DriftReason.DELETED)
    return DriftItem(change, DriftClass.CORRECTABLE, DriftReason.ACCOUNT_SIDE)


def classify(plan: Plan, observed: Observed) -> DriftReport:
    items = tuple(_classify_change(c, observed) for c in plan.changes if c.action != Action.NOOP)
    return DriftReport(
        target=plan.target, items=items, account_changes=plan.account_changes, unchanged=plan.unchanged
    )


def correctable_plan(plan: Plan, report: DriftReport) -> Plan:
    """`plan` with only the correctable changes left: the only thing heal ever applies."""
    # Emails are unique within a plan, so they identify its changes.
    keep = {email_key(i.email) for i in report.of(DriftClass.CORRECTABLE)}
    changes = tuple(c for c in plan.changes if email_key(c.email) in keep and c.action != Action.REFUSE)
    return plan.model_copy(update={"changes": changes})
