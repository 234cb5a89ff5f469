"""Drift classification: what the contact did is reported and never healed; the rest is correctable."""

from __future__ import annotations

from dataclasses import replace

from reconciler.drift_classify import DriftClass, DriftReason, classify, correctable_plan
from reconciler.model import Consent, ConsentEvidence, ObservedContact
from reconciler.plan import Action, Plan, compute_plan
from unit.factories import POLICY, desired, live, observed, want


def _by(contact: ObservedContact, who: str | None) -> ObservedContact:
    return replace(contact, updated_by=who)


def _classes(plan: Plan, *contacts: ObservedContact) -> dict[str, tuple[DriftClass, DriftReason]]:
    report = classify(plan, observed(*contacts))
    return {i.email: (i.drift_class, i.reason) for i in report.items}


def test_contact_in_sync_is_no_drift() -> None:
    state = observed(_by(live("a@x.com", first_name="Ann"), "account"))
    report = classify(compute_plan(desired(want("a@x.com", first_name="Ann")), state, POLICY), state)
    assert not report.has_drift
    assert report.unchanged == 1
    assert (report.correctable, report.contact_owned) == (0, 0)


def test_field_last_changed_by_the_account_is_correctable() -> None:
    state = observed(_by(live("a@x.com", first_name="Annie"), "account"))
    plan = compute_plan(desired(want("a@x.com", first_name="Ann")), state, POLICY)
    assert _classes(plan, *state.contacts.values()) == {
        "a@x.com": (DriftClass.CORRECTABLE, DriftReason.ACCOUNT_SIDE)
    }


def test_field_last_changed_by_the_contact_is_contact_owned() -> None:
    state = observed(_by(live("a@x.com", first_name="Annie"), "contact"))
    plan = compute_plan(desired(want("a@x.com", first_name="Ann")), state, POLICY)
    assert _classes(plan, *state.contacts.values()) == {
        "a@x.com": (DriftClass.CONTACT_OWNED, DriftReason.CONTACT_EDIT)
    }


def test_unknown_last_editor_is_treated_as_the_account() -> None:
    state = observed(_by(live("a@x.com", first_name="Annie"), None))
    plan = compute_plan(desired(want("a@x.com", first_name="Ann")), state, POLICY)
    assert _classes(plan, *state.contacts.values())["a@x.com"][0] == DriftClass.CORRECTABLE


def test_contact_opt_out_blocking_a_desired_list_is_contact_owned() -> None:
    bob = _by(live("b@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT), "account")
    plan = compute_plan(desired(want("b@x.com", lists={"Newsletter"})), observed(bob), POLICY)
    assert plan.changes[0].action == Action.REFUSE
    assert _classes(plan, bob) == {"b@x.com": (DriftClass.CONTACT_OWNED, DriftReason.CONTACT_OPT_OUT)}


def test_replaying_a_contacts_own_opt_in_is_contact_owned() -> None:
    bob = live("b@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at="2026-01-01T00:00:00Z")
    evidence = ConsentEvidence(at="2026-02-01T00:00:00Z", evidence="form/1")
    plan = compute_plan(
        desired(want("b@x.com", lists={"Newsletter"}, evidence=evidence)), observed(bob), POLICY
    )
    assert plan.changes[0].consent is not None
    assert _classes(plan, bob) == {"b@x.com": (DriftClass.CONTACT_OWNED, DriftReason.CONTACT_OPT_IN)}


def test_re_adding_a_contact_the_account_unsubscribed_is_correctable() -> None:
    dave = _by(live("d@x.com", consent=Consent.UNSUBSCRIBED_BY_ACCOUNT), "account")
    plan = compute_plan(desired(want("d@x.com", lists={"Newsletter"})), observed(dave), POLICY)
    assert _classes(plan, dave) == {"d@x.com": (DriftClass.CORRECTABLE, DriftReason.ACCOUNT_SIDE)}


def test_missing_contact_is_correctable() -> None:
    plan = compute_plan(desired(want("new@x.com", first_name="New")), observed(), POLICY)
    assert _classes(plan) == {"new@x.com": (DriftClass.CORRECTABLE, DriftReason.MISSING)}


def test_deleted_contact_is_correctable() -> None:
    carol = _by(live("c@x.com", deleted=True, first_name="Carol"), "account")
    plan = compute_plan(desired(want("c@x.com", first_name="Carol")), observed(carol), POLICY)
    assert _classes(plan, carol) == {"c@x.com": (DriftClass.CORRECTABLE, DriftReason.DELETED)}


def test_lists_and_custom_fields_to_create_count_as_correctable() -> None:
    plan = compute_plan(desired(declare_lists=("VIP",), declare_fields=("Shoe",)), observed(), POLICY)
    report = classify(plan, observed())
    assert report.has_drift
    assert (report.correctable, report.contact_owned) == (2, 0)


def test_correctable_plan_keeps_only_correctable_changes_and_account_changes() -> None:
    ann = _by(live("a@x.com", cid="c-a", first_name="Annie"), "account")
    eve = _by(live("e@x.com", cid="c-e", first_name="Evie"), "contact")
    bob = _by(live("b@x.com", cid="c-b", consent=Consent.UNSUBSCRIBED_BY_CONTACT), "contact")
    state = observed(ann, eve, bob)
    plan = compute_plan(
        desired(
            want("a@x.com", first_name="Ann"),
            want("e@x.com", first_name="Eve"),
            want("b@x.com", lists={"Newsletter"}),
            declare_lists=("VIP",),
        ),
        state,
        POLICY,
    )
    healing = correctable_plan(plan, classify(plan, state))
    assert [c.email for c in healing.changes] == ["a@x.com"]
    assert [a.name for a in healing.account_changes] == ["VIP"]


def test_summary_masks_emails_when_given_a_mask() -> None:
    state = observed(_by(live("ann@example.com", first_name="Annie"), "account"))
    report = classify(compute_plan(desired(want("ann@example.com", first_name="Ann")), state, POLICY), state)
    (entry,) = report.summary(lambda e: "masked")
    assert entry["email"] == "masked"
    assert entry["paths"] == ["first_name"]
