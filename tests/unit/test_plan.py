"""The planner: pure, scoped to what the manifests declare, consent-aware."""

from __future__ import annotations

import pytest

from reconciler.errors import PlanError
from reconciler.model import Consent, ConsentEvidence
from reconciler.plan import Action, compute_plan, replan_existing
from unit.factories import POLICY, desired, live, observed, want


def test_new_contact_is_created_with_its_declared_fields_and_lists() -> None:
    plan = compute_plan(desired(want("a@x.com", first_name="Ann", lists={"Newsletter"})), observed(), POLICY)
    (change,) = plan.changes
    assert change.action == Action.CREATE
    assert [(f.path, f.after) for f in change.fields] == [("first_name", "Ann")]
    assert change.lists_add == ("Newsletter",)


def test_contact_already_matching_is_unchanged_and_not_listed() -> None:
    plan = compute_plan(
        desired(want("a@x.com", first_name="Ann", lists={"Newsletter"})),
        observed(live("A@X.com", first_name="Ann", lists={"Newsletter"})),
        POLICY,
    )
    assert plan.changes == ()
    assert plan.unchanged == 1
    assert not plan.has_changes


def test_undeclared_fields_are_not_compared() -> None:
    plan = compute_plan(
        desired(want("a@x.com", first_name="Ann")),
        observed(
            live("a@x.com", first_name="Ann", last_name="Lee", job_title="CEO", custom={"Tier": "gold"})
        ),
        POLICY,
    )
    assert plan.changes == ()


def test_null_clears_a_declared_field() -> None:
    plan = compute_plan(
        desired(want("a@x.com", job_title=None, custom={"Tier": None})),
        observed(live("a@x.com", job_title="CEO", custom={"Tier": "gold"})),
        POLICY,
    )
    (change,) = plan.changes
    assert {(f.path, f.before, f.after) for f in change.fields} == {
        ("job_title", "CEO", None),
        ("custom_fields.Tier", "gold", None),
    }


def test_unmanaged_list_memberships_are_never_removed() -> None:
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"})),
        observed(live("a@x.com", lists={"Partners", "Newsletter"})),
        POLICY,
    )
    assert plan.changes == ()


def test_managed_list_not_declared_for_a_contact_is_removed() -> None:
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"}), managed={"Newsletter", "Customers"}),
        observed(live("a@x.com", lists={"Customers", "Partners"})),
        POLICY,
    )
    (change,) = plan.changes
    assert change.lists_add == ("Newsletter",)
    assert change.lists_remove == ("Customers",)


def test_contact_without_lists_key_keeps_every_membership() -> None:
    plan = compute_plan(
        desired(want("a@x.com", first_name="A"), managed={"Newsletter"}),
        observed(live("a@x.com", first_name="A", lists={"Newsletter"})),
        POLICY,
    )
    assert plan.changes == ()


def test_deleted_contact_is_revived_not_created() -> None:
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"})),
        observed(live("a@x.com", deleted=True)),
        POLICY,
    )
    (change,) = plan.changes
    assert change.action == Action.REVIVE
    assert change.contact_id == "c-1"


def test_deleted_contact_matching_fields_is_still_revived() -> None:
    plan = compute_plan(
        desired(want("a@x.com", first_name="A")),
        observed(live("a@x.com", first_name="A", deleted=True)),
        POLICY,
    )
    assert [c.action for c in plan.changes] == [Action.REVIVE]


def test_contact_unsubscribed_by_themselves_is_refused_a_list() -> None:
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"})),
        observed(live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT)),
        POLICY,
    )
    (change,) = plan.changes
    assert change.action == Action.REFUSE
    assert change.rule == "consent/contact-opt-out"
    assert "unsubscribed themselves" in (change.reason or "")
    assert plan.has_refusals and not plan.has_changes


def test_contact_unsubscribed_by_themselves_may_still_have_fields_updated() -> None:
    plan = compute_plan(
        desired(want("a@x.com", first_name="Ann")),
        observed(live("a@x.com", first_name="Anne", consent=Consent.UNSUBSCRIBED_BY_CONTACT)),
        POLICY,
    )
    assert [c.action for c in plan.changes] == [Action.UPDATE]


def test_contact_unsubscribed_by_the_account_may_be_re_added() -> None:
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"})),
        observed(live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_ACCOUNT)),
        POLICY,
    )
    (change,) = plan.changes
    assert change.action == Action.UPDATE
    assert change.consent is not None and change.consent.path == "account"


def test_evidence_newer_than_the_opt_out_allows_the_contact_path() -> None:
    ev = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1")
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"}, evidence=ev)),
        observed(
            live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at="2026-03-01T00:00:00Z")
        ),
        POLICY,
    )
    (change,) = plan.changes
    assert change.consent is not None
    assert change.consent.path == "contact_evidence"
    assert change.consent.evidence == "form#1"


def test_evidence_older_than_the_opt_out_is_refused() -> None:
    ev = ConsentEvidence(at="2026-01-01T00:00:00Z", evidence="form#1")
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"}, evidence=ev)),
        observed(
            live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at="2026-03-01T00:00:00Z")
        ),
        POLICY,
    )
    assert plan.changes[0].rule == "consent/evidence-predates-opt-out"


def test_provider_without_a_contact_path_refuses_even_with_evidence() -> None:
    ev = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1")
    policy = POLICY.__class__(provider="x", target="t", contact_opt_in_path=False)
    plan = compute_plan(
        desired(want("a@x.com", lists={"Newsletter"}, evidence=ev)),
        observed(live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT)),
        policy,
    )
    assert plan.changes[0].rule == "consent/no-contact-opt-in-path"


def test_undeclared_missing_list_is_a_plan_error_naming_it() -> None:
    with pytest.raises(PlanError, match="Newslettr"):
        compute_plan(desired(want("a@x.com", lists={"Newslettr"})), observed(), POLICY)


def test_declared_missing_list_and_field_are_created_first() -> None:
    plan = compute_plan(
        desired(
            want("a@x.com", lists={"VIP"}, custom={"Score": "1"}),
            declare_lists=("VIP",),
            declare_fields=("Score",),
        ),
        observed(),
        POLICY,
    )
    assert [(a.kind, a.name) for a in plan.account_changes] == [
        ("create_custom_field", "Score"),
        ("create_list", "VIP"),
    ]


def test_changes_are_ordered_by_email_and_plan_is_deterministic() -> None:
    d = desired(want("b@x.com", first_name="B"), want("a@x.com", first_name="A"))
    first = compute_plan(d, observed(), POLICY)
    assert [c.email for c in first.changes] == ["a@x.com", "b@x.com"]
    assert compute_plan(d, observed(), POLICY).to_json() == first.to_json()


def test_phone_numbers_compare_as_canonical_sets() -> None:
    phones = [{"kind": "home", "number": "1"}, {"kind": "work", "number": "2"}]
    plan = compute_plan(
        desired(want("a@x.com", phone_numbers=phones)),
        observed(live("a@x.com", phone_numbers=phones)),
        POLICY,
    )
    assert plan.changes == ()


def test_field_the_platform_cannot_store_is_a_plan_error() -> None:
    policy = POLICY.__class__(
        provider="everlytic",
        target="t",
        contact_opt_in_path=False,
        supported_fields=frozenset({"first_name"}),
    )
    with pytest.raises(PlanError, match="'anniversary' cannot be stored on everlytic"):
        compute_plan(desired(want("a@x.com", anniversary="2019-06-01")), observed(), policy)


def test_a_create_that_meets_an_opted_out_contact_becomes_a_refusal() -> None:
    (create,) = compute_plan(
        desired(want("a@x.com", first_name="A", lists={"Newsletter"})), observed(), POLICY
    ).changes
    existing = live("a@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT)
    replanned = replan_existing(create, existing)
    assert replanned is not None and replanned.action == Action.REFUSE


def test_a_create_that_meets_a_matching_contact_needs_no_write() -> None:
    (create,) = compute_plan(
        desired(want("a@x.com", first_name="A", lists={"Newsletter"})), observed(), POLICY
    ).changes
    assert replan_existing(create, live("a@x.com", first_name="A", lists={"Newsletter", "Partners"})) is None
