"""The canonical consent rules, the same on every platform."""

from __future__ import annotations

import pytest

from reconciler.consent import OptInPath, Rule, decide_opt_in
from reconciler.model import Consent, ConsentEvidence

LATER = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1")
OPTED_OUT = "2026-03-01T00:00:00Z"


@pytest.mark.parametrize("state", [Consent.SUBSCRIBED, Consent.PENDING, Consent.NOT_SET, Consent.TEMP_HOLD])
def test_contacts_not_opted_out_need_no_opt_in(state: Consent) -> None:
    decision = decide_opt_in(state, opted_out_at=None, evidence=None, provider_has_contact_path=False)
    assert decision.allowed and decision.path == OptInPath.NONE


def test_account_opt_out_may_be_undone_by_the_account() -> None:
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_ACCOUNT,
        opted_out_at=OPTED_OUT,
        evidence=None,
        provider_has_contact_path=False,
    )
    assert decision.allowed and decision.path == OptInPath.ACCOUNT


def test_contact_opt_out_without_evidence_is_refused_with_a_reason() -> None:
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at=OPTED_OUT, evidence=None, provider_has_contact_path=True
    )
    assert not decision.allowed
    assert decision.rule == Rule.CONTACT_OPT_OUT_IS_FINAL
    assert decision.reason and "consent:" in decision.reason


def test_contact_opt_out_with_later_evidence_uses_the_contact_path() -> None:
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_CONTACT,
        opted_out_at=OPTED_OUT,
        evidence=LATER,
        provider_has_contact_path=True,
    )
    assert decision.allowed and decision.path == OptInPath.CONTACT_EVIDENCE


def test_evidence_from_the_same_moment_as_the_opt_out_does_not_count() -> None:
    same = ConsentEvidence(at=OPTED_OUT, evidence="form#1")
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at=OPTED_OUT, evidence=same, provider_has_contact_path=True
    )
    assert decision.rule == Rule.EVIDENCE_PREDATES_OPT_OUT


def test_unparseable_evidence_time_is_refused_not_trusted() -> None:
    bad = ConsentEvidence(at="sometime", evidence="form#1")
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at=OPTED_OUT, evidence=bad, provider_has_contact_path=True
    )
    assert not decision.allowed


def test_platform_without_a_contact_path_refuses_even_good_evidence() -> None:
    decision = decide_opt_in(
        Consent.UNSUBSCRIBED_BY_CONTACT,
        opted_out_at=OPTED_OUT,
        evidence=LATER,
        provider_has_contact_path=False,
    )
    assert decision.rule == Rule.NO_LEGAL_PATH
