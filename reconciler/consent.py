"""Canonical consent rules: which subscription changes the account may make.

These rules are the same on every platform. Providers map their statuses onto `Consent`
and say (in their capabilities) whether they have a legal path for a contact-initiated
opt-in; the rules here decide, and the planner turns a "no" into a `refuse` change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reconciler.model import Consent, ConsentEvidence

__all__ = ["OptInDecision", "OptInPath", "Rule", "decide_opt_in"]


class Rule(StrEnum):
    """Stable identifiers users can search for; the text explains them."""

    CONTACT_OPT_OUT_IS_FINAL = "consent/contact-opt-out"
    EVIDENCE_PREDATES_OPT_OUT = "consent/evidence-predates-opt-out"
    NO_LEGAL_PATH = "consent/no-contact-opt-in-path"


class OptInPath(StrEnum):
    NONE = "none"  # nothing to opt in: the contact may already be mailed or is not being re-added
    ACCOUNT = "account"  # the account itself may re-add (it opted the contact out)
    CONTACT_EVIDENCE = "contact_evidence"  # the contact's own recorded action, replayed through the
    # provider's contact-side path (e.g. v3 sign_up_form)


@dataclass(frozen=True, slots=True)
class OptInDecision:
    allowed: bool
    path: OptInPath
    rule: Rule | None = None
    reason: str | None = None


def _parse(ts: str) -> datetime | None:
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None


def decide_opt_in(
    state: Consent,
    *,
    opted_out_at: str | None,
    evidence: ConsentEvidence | None,
    provider_has_contact_path: bool,
) -> OptInDecision:
    """May the account add this contact to a list (which needs them subscribed)?"""
    if state == Consent.UNSUBSCRIBED_BY_ACCOUNT:
        return OptInDecision(True, OptInPath.ACCOUNT)
    if state != Consent.UNSUBSCRIBED_BY_CONTACT:
        return OptInDecision(True, OptInPath.NONE)
    if evidence is None:
        return OptInDecision(
            False,
            OptInPath.NONE,
            Rule.CONTACT_OPT_OUT_IS_FINAL,
            "the contact unsubscribed themselves; only their own action can opt them back in. "
            "Remove the list(s) from the manifest, or record their new opt-in under `consent:`.",
        )
    when, out = _parse(evidence.at), _parse(opted_out_at) if opted_out_at else None
    if when is None or (out is not None and when <= out):
        return OptInDecision(
            False,
            OptInPath.NONE,
            Rule.EVIDENCE_PREDATES_OPT_OUT,
            f"the consent evidence ({evidence.at}) is not later than the contact's opt-out ({opted_out_at}); "
            "only an opt-in made after they unsubscribed counts.",
        )
    if not provider_has_contact_path:
        return OptInDecision(
            False,
            OptInPath.NONE,
            Rule.NO_LEGAL_PATH,
            "this platform offers the account no legal way to replay a contact's own opt-in; "
            "the contact must opt in again themselves.",
        )
    return OptInDecision(True, OptInPath.CONTACT_EVIDENCE)
