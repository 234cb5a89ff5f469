"""Scoping a run with --target/--exclude, and ignore rules that silence drift on chosen fields."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.model import Consent, Desired, Observed
from reconciler.plan import Action, Plan, compute_plan
from reconciler.scope import (
    IgnoreRule,
    ScopeError,
    Selector,
    apply_ignores,
    parse_ignore_rules,
    parse_selector,
    scope_desired,
)
from unit.factories import POLICY, desired, live, observed, want


def emails(d: Desired) -> list[str]:
    return [c.email for c in d.contacts]


def sample() -> tuple[Desired, Observed]:
    """a: wants Newsletter; b: on Customers live, no lists declared; c: wants VIP (a new list)."""
    d = desired(
        want("a@x.com", lists={"Newsletter"}, job_title="CTO"),
        want("b@x.com", job_title="CEO"),
        want("c@x.com", lists={"VIP"}, custom={"Tier": "gold"}),
        declare_lists=("VIP",),
        declare_fields=("Tier", "Brand_New"),
    )
    o = observed(
        live("a@x.com", cid="1", job_title="Intern"),
        live("b@x.com", cid="2", lists={"Customers"}, job_title="Intern"),
        live("c@x.com", cid="3"),
    )
    return d, o


def test_selector_is_an_email_key_or_a_list_name() -> None:
    assert parse_selector("  Jane@Example.COM ") == Selector("email", "jane@example.com")
    assert parse_selector("@Event Attendees") == Selector("list", "Event Attendees")


@pytest.mark.parametrize("text", ["@", "jane", ""])
def test_selector_that_is_neither_email_nor_list_is_an_error(text: str) -> None:
    with pytest.raises(ScopeError):
        parse_selector(text)


def test_no_targets_and_no_excludes_keep_every_contact() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, [], [])) == ["a@x.com", "b@x.com", "c@x.com"]


def test_email_target_keeps_only_that_contact_whatever_its_case() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, ["B@X.com"], [])) == ["b@x.com"]


def test_list_target_matches_membership_wanted_by_the_manifest() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, ["@Newsletter"], [])) == ["a@x.com"]


def test_list_target_matches_membership_on_the_account() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, ["@Customers"], [])) == ["b@x.com"]


def test_targets_are_a_union() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, ["@Newsletter", "c@x.com"], [])) == ["a@x.com", "c@x.com"]


def test_exclude_removes_contacts_from_the_targets() -> None:
    d, o = sample()
    assert emails(scope_desired(d, o, [], ["@Customers", "c@x.com"])) == ["a@x.com"]


def test_target_naming_an_undeclared_email_is_an_error() -> None:
    d, o = sample()
    with pytest.raises(ScopeError, match="not declared"):
        scope_desired(d, o, ["nobody@x.com"], [])


def test_target_naming_an_unknown_list_is_an_error_with_a_suggestion() -> None:
    d, o = sample()
    with pytest.raises(ScopeError, match="did you mean 'Newsletter'"):
        scope_desired(d, o, ["@Newsleter"], [])


def test_scoped_plan_creates_nothing_only_out_of_scope_contacts_need() -> None:
    d, o = sample()
    plan = compute_plan(scope_desired(d, o, ["a@x.com"], []), o, POLICY)
    assert plan.account_changes == ()
    assert [c.email for c in plan.changes] == ["a@x.com"]


def test_scoped_plan_keeps_what_in_scope_contacts_need_created() -> None:
    d, o = sample()
    plan = compute_plan(scope_desired(d, o, ["c@x.com"], []), o, POLICY)
    assert [(a.kind, a.name) for a in plan.account_changes] == [("create_list", "VIP")]


def test_scoped_contact_changes_exactly_as_in_the_unscoped_plan() -> None:
    d = desired(want("a@x.com", lists={"Newsletter"}), want("b@x.com", lists={"Customers"}))
    o = observed(live("a@x.com", cid="1", lists={"Customers"}), live("b@x.com", cid="2"))
    whole = compute_plan(d, o, POLICY).changes[0]
    scoped = compute_plan(scope_desired(d, o, ["a@x.com"], []), o, POLICY).changes
    assert [(c.lists_add, c.lists_remove) for c in scoped] == [(whole.lists_add, whole.lists_remove)]
    assert scoped[0].lists_remove == ("Customers",)


def test_scoped_desired_has_a_digest_of_its_own() -> None:
    d, o = sample()
    one, other = scope_desired(d, o, ["a@x.com"], []), scope_desired(d, o, ["b@x.com"], [])
    assert len({d.digest, one.digest, other.digest}) == 3


# -- ignore rules ---------------------------------------------------------------------------------


def drift() -> tuple[Plan, Desired, Observed]:
    d = desired(
        want("a@x.com", job_title="CTO", custom={"Tier": "gold", "Region": "EMEA"}, lists={"Newsletter"}),
        want("vip@x.com", job_title="CEO", custom={"Tier": "gold"}),
        managed={"Newsletter", "Customers"},
    )
    o = observed(
        live("a@x.com", cid="1", job_title="Intern", custom={"Tier": "silver", "Region": "AMER"}),
        live("vip@x.com", cid="2", job_title="Intern", custom={"Tier": "silver"}, lists={"Partners"}),
    )
    return compute_plan(d, o, POLICY), d, o


def paths(plan: Plan) -> dict[str, list[str]]:
    return {c.email: [f.path for f in c.fields] for c in plan.changes}


def ignore(*raw: dict[str, Any]) -> tuple[IgnoreRule, ...]:
    return parse_ignore_rules(list(raw))


def test_rule_without_contacts_silences_the_field_for_everyone() -> None:
    plan, d, o = drift()
    out = apply_ignores(plan, ignore({"field": "job_title"}), desired=d, observed=o)
    assert paths(out) == {
        "a@x.com": ["custom_fields.Region", "custom_fields.Tier"],
        "vip@x.com": ["custom_fields.Tier"],
    }


def test_rule_with_contacts_silences_the_field_only_for_them() -> None:
    plan, d, o = drift()
    out = apply_ignores(
        plan, ignore({"field": "custom_fields.Tier", "contacts": ["@Partners"]}), desired=d, observed=o
    )
    assert paths(out)["vip@x.com"] == ["job_title"]
    assert "custom_fields.Tier" in paths(out)["a@x.com"]


def test_contact_left_with_no_changes_counts_as_unchanged() -> None:
    plan, d, o = drift()
    rules = ignore({"field": "job_title"}, {"field": "custom_fields.*", "contacts": ["vip@x.com"]})
    out = apply_ignores(plan, rules, desired=d, observed=o)
    assert list(paths(out)) == ["a@x.com"]
    assert out.unchanged == plan.unchanged + 1


def test_lists_rule_silences_membership_drift() -> None:
    plan, d, o = drift()
    out = apply_ignores(plan, ignore({"field": "lists.Newsletter"}), desired=d, observed=o)
    (a,) = [c for c in out.changes if c.email == "a@x.com"]
    assert a.lists_add == ()


def test_ignoring_the_list_add_of_a_refused_contact_leaves_an_update_of_its_fields() -> None:
    d = desired(want("bob@x.com", lists={"Newsletter"}, job_title="CTO"))
    o = observed(live("bob@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT, job_title="Intern"))
    plan = compute_plan(d, o, POLICY)
    assert plan.changes[0].action == Action.REFUSE
    (out,) = apply_ignores(plan, ignore({"field": "lists"}), desired=d, observed=o).changes
    assert (out.action, out.rule, out.lists_add, [f.path for f in out.fields]) == (
        Action.UPDATE,
        None,
        (),
        ["job_title"],
    )


def test_a_missing_contact_is_still_reported_when_its_fields_are_ignored() -> None:
    d = desired(want("new@x.com", job_title="CTO"))
    o = observed()
    out = apply_ignores(compute_plan(d, o, POLICY), ignore({"field": "job_title"}), desired=d, observed=o)
    assert [(c.action, c.fields) for c in out.changes] == [(Action.CREATE, ())]


def test_ignores_leave_the_original_plan_untouched() -> None:
    plan, d, o = drift()
    before = plan.to_json()
    apply_ignores(plan, ignore({"field": "job_title"}), desired=d, observed=o)
    assert plan.to_json() == before


def test_ignore_rule_naming_an_unknown_list_is_an_error() -> None:
    plan, d, o = drift()
    with pytest.raises(ScopeError, match="no list named 'VIPS'"):
        apply_ignores(plan, ignore({"field": "job_title", "contacts": ["@VIPS"]}), desired=d, observed=o)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"feild": "job_title"}], "unknown key 'feild'; did you mean 'field'"),
        ([{"field": "job_tilte"}], "did you mean 'job_title'"),
        ([{"field": "custom_fields."}], "is not a field"),
        ([{"field": "job_title", "contacts": "a@x.com"}], "non-empty list"),
        ([{"field": "job_title", "contacts": ["not-an-email"]}], "contacts[0]"),
        (["job_title"], "must be a mapping"),
    ],
)
def test_invalid_ignore_rule_is_an_error_naming_the_rule(raw: list[Any], message: str) -> None:
    with pytest.raises(ScopeError) as info:
        parse_ignore_rules(raw)
    assert "ignore[0]" in str(info.value) and message in str(info.value)


def test_every_invalid_ignore_rule_is_reported_at_once() -> None:
    with pytest.raises(ScopeError) as info:
        parse_ignore_rules([{"field": "nope"}, {"field": "job_title"}, {}])
    assert "ignore[0]" in str(info.value) and "ignore[2]" in str(info.value)
    assert "ignore[1]" not in str(info.value)


def test_no_ignore_rules_parse_to_none() -> None:
    assert parse_ignore_rules(None) == ()
