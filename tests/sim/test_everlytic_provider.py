"""The Everlytic providers (REST and XML-RPC) against the simulator over real HTTP: the example
manifests, consent refusals, creates that may have landed, duplicates, limits and faults."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from unit.factories import desired, want

from reconciler.apply import Outcome, apply_plan
from reconciler.errors import ApiError, PlanError, QuotaExceeded
from reconciler.model import ConsentEvidence, CustomFieldDef, Desired, ListDef
from reconciler.plan import Action, compute_plan
from reconciler.providers.everlytic.api import RestApi
from reconciler.sim.everlytic import (
    DEMO_CUSTOM_FIELDS,
    load_demo_seed,
)
from reconciler.transport import Transport
from sim.everlytic_support import LiveSim, policy_for, serve_both

ENV = {
    "EVERLYTIC_USERNAME": "sim-user",
    "EVERLYTIC_API_KEY": "sim-api-key",
    "RECONCILER_EVERLYTIC_CUSTOM_FIELDS": DEMO_CUSTOM_FIELDS,
    "RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL": "marketing@example.com",
}
VARIANTS = ("rest", "xmlrpc")
WRITE_PATH = {"rest": "/api/2.0/contacts", "xmlrpc": "/api/2.0/xmlrpc/"}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, LiveSim]]:
    with serve_both() as both:
        yield both


@pytest.fixture(params=VARIANTS)
def sim(request: pytest.FixtureRequest, servers: dict[str, LiveSim]) -> LiveSim:
    chosen = servers[request.param]
    chosen.store.load_state(load_demo_seed())
    for one in servers.values():
        one.admin("DELETE", "faults")
        one.admin("DELETE", "requests")
        one.admin("POST", "config", json={"rate_per_second": 0, "daily_quota": 0})
        one.admin("POST", "quota/reset")
    return chosen


def example(anniversary: bool = False) -> Desired:
    """manifests/example, contact by contact (without jane's anniversary, which Everlytic cannot store)."""
    jane_extra = {"anniversary": "2019-06-01"} if anniversary else {}
    address = {
        "kind": "work",
        "street": "1 Main St",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02108",
        "country": "US",
    }
    contacts = (
        want(
            "jane@example.com",
            lists={"Newsletter", "Customers", "VIP"},
            custom={"Tier": "gold", "Region": "AMER"},
            first_name="Jane",
            last_name="Doe",
            job_title="CTO",
            company_name="Acme",
            birthday_month=4,
            birthday_day=12,
            street_addresses=[address],
            **jane_extra,
        ),
        want("bob@example.com", lists={"Newsletter"}, first_name="Bob", last_name="Stone"),
        want(
            "carol@example.com",
            lists={"Customers"},
            custom={"Tier": "gold"},
            first_name="Carol",
            last_name="King",
        ),
        want("dave@example.com", lists={"Newsletter"}, first_name="Dave", last_name="Moss"),
        want(
            "frank@example.com",
            lists={"Newsletter"},
            custom={"Tier": "bronze", "Region": "EMEA"},
            first_name="Frank",
            last_name="Ng",
            company_name="Initech",
            phone_numbers=[{"kind": "mobile", "number": "+1-555-0199"}],
        ),
    )
    lists = (ListDef("Newsletter"), ListDef("Customers"), ListDef("VIP", "Top-tier customers"))
    return Desired(
        tuple(sorted(contacts, key=lambda c: c.key)),
        frozenset({"Newsletter", "Customers", "VIP"}),
        lists,
        (CustomFieldDef("Tier"), CustomFieldDef("Region")),
        {},
        "sha256:example",
    )


_READS = {
    "contacts.ListContacts",
    "contacts.GetContact",
    "lists.ListLists",
    "list._subscriptions.ListSubscriptions",
}


def _writes(sim: LiveSim) -> list[dict[str, Any]]:
    """Every request in the simulator's log that is not a read."""
    return [
        r
        for r in sim.admin("GET", "requests")
        if r["method"] != "GET" and (r["body"] or {}).get("method") not in _READS
    ]


def test_the_example_manifests_plan_apply_and_converge(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    policy = policy_for(provider)
    with pytest.raises(PlanError, match="'anniversary' cannot be stored on everlytic"):
        compute_plan(example(anniversary=True), provider.read(), policy)
    observed = provider.read()
    plan = compute_plan(example(), observed, policy)
    actions = {c.email: c.action for c in plan.changes}
    assert actions == {
        "bob@example.com": Action.REFUSE,
        "carol@example.com": Action.UPDATE,
        "dave@example.com": Action.UPDATE,
        "frank@example.com": Action.CREATE,
        "jane@example.com": Action.UPDATE,
    }
    assert [a.name for a in plan.account_changes] == ["VIP"]
    report = apply_plan(plan, observed, provider, check_stale=True)
    assert report.ok, report.results
    replan = compute_plan(example(), provider.read(), policy)
    assert [(c.email, c.action) for c in replan.changes] == [("bob@example.com", Action.REFUSE)]
    assert not replan.account_changes
    jane = sim.store.find_by_email("jane@example.com")
    assert jane is not None and jane["title"] == "webinar" and jane["telephone_office"] == "+1-555-0100"
    assert sim.store.subscriptions_of(jane["id"])[3]["email_status"] == "subscribed"  # Partners untouched
    assert sim.admin("GET", "illegal") == [] and sim.admin("GET", "refused") == []
    provider.close()


def test_an_opted_out_contact_is_refused_with_or_without_evidence(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    policy = policy_for(provider)
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#42")
    for ev, rule in ((None, "consent/contact-opt-out"), (evidence, "consent/no-contact-opt-in-path")):
        observed = provider.read()
        plan = compute_plan(
            desired(want("bob@example.com", lists={"Newsletter"}, evidence=ev), managed={"Newsletter"}),
            observed,
            policy,
        )
        assert [(c.action, c.rule) for c in plan.changes] == [(Action.REFUSE, rule)]
        report = apply_plan(plan, observed, provider, check_stale=True)
        assert report.results[0].outcome == Outcome.REFUSED
    assert _writes(sim) == []
    assert sim.admin("GET", "illegal") == []
    provider.close()


def test_a_create_that_landed_before_the_connection_dropped_is_not_sent_twice(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    observed = provider.read()
    plan = compute_plan(
        desired(want("new@example.com", lists={"Customers"}, first_name="New"), managed={"Customers"}),
        observed,
        policy_for(provider),
    )
    sim.admin("POST", "faults", json={"drop": True, "method": "POST", "path_prefix": WRITE_PATH[sim.variant]})
    report = apply_plan(plan, observed, provider, check_stale=True)
    assert report.ok and report.results[0].reason == "the earlier create had landed"
    assert sum(1 for c in sim.store.contacts.values() if c["email"] == "new@example.com") == 1
    provider.close()


def test_a_duplicate_answer_becomes_an_update_and_respects_consent(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    observed = provider.read()
    wanted = desired(
        want("late@example.com", lists={"Customers"}, first_name="Late"),
        want("gone@example.com", lists={"Customers"}, first_name="Gone"),
        managed={"Customers"},
    )
    plan = compute_plan(wanted, observed, policy_for(provider))
    # Both appear on the account after planning; one of them has since unsubscribed herself.
    sim.store.add_contact({"email": "late@example.com", "name": "Old", "telephone_fax": "1"})
    gone = sim.store.add_contact({"email": "gone@example.com"})
    sim.store.subscribe(4, gone, "unsubscribed")
    report = apply_plan(plan, observed, provider, check_stale=False)
    outcomes = {r.email: (r.outcome, r.reason) for r in report.results}
    assert outcomes["late@example.com"] == (Outcome.APPLIED, "409 resolved: the contact already existed")
    assert outcomes["gone@example.com"][0] == Outcome.REFUSED
    late = sim.store.find_by_email("late@example.com")
    assert late is not None and late["name"] == "Late" and late["telephone_fax"] == "1"
    assert sim.store.subscriptions_of(gone) == {4: sim.store.subscriptions_of(gone)[4]}
    assert sim.admin("GET", "illegal") == []
    provider.close()


def test_server_errors_on_writes_are_retried_and_values_it_cannot_hold_fail_one_contact(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    observed = provider.read()
    other = desired(want("erin@example.com", phone_numbers=[{"kind": "other", "number": "1"}]), managed=set())
    with pytest.raises(PlanError, match="no 'other' phone number"):  # caught at plan time already
        compute_plan(other, observed, policy_for(provider))
    two_work = [{"kind": "work", "number": "1"}, {"kind": "work", "number": "2"}]
    wanted = desired(
        want("jane@example.com", last_name="Roe"),
        want("erin@example.com", phone_numbers=two_work),
        managed=set(),
    )
    plan = compute_plan(wanted, observed, policy_for(provider))
    method = "PUT" if sim.variant == "rest" else "POST"
    sim.admin(
        "POST", "faults", json={"status": 503, "method": method, "path_prefix": WRITE_PATH[sim.variant]}
    )
    report = apply_plan(plan, observed, provider, check_stale=True)
    outcomes = {r.email: r for r in report.results}
    assert outcomes["erin@example.com"].outcome == Outcome.FAILED
    assert "one home, one work and one mobile" in str(outcomes["erin@example.com"].reason)
    assert outcomes["jane@example.com"].outcome == Outcome.APPLIED
    assert sim.store.find_by_email("jane@example.com")["lastname"] == "Roe"  # type: ignore[index]
    provider.close()


def test_account_changes_everlytic_cannot_make_stop_cleanly(sim: LiveSim) -> None:
    provider = sim.provider({k: v for k, v in ENV.items() if "LIST_OWNER" not in k})
    with pytest.raises(PlanError, match="RECONCILER_EVERLYTIC_CUSTOM_FIELDS"):
        provider.create_custom_field(CustomFieldDef("Score"))
    observed = provider.read()
    plan = compute_plan(
        desired(want("jane@example.com", lists={"VIP"}), managed={"VIP"}, declare_lists=("VIP",)),
        observed,
        policy_for(provider),
    )
    report = apply_plan(plan, observed, provider, check_stale=True)
    assert report.stopped is not None and "RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL" in report.stopped
    provider.close()


def test_wrong_credentials_and_a_spent_quota_are_explained(sim: LiveSim) -> None:
    wrong = sim.provider({**ENV, "EVERLYTIC_API_KEY": "nope-nope"})
    with pytest.raises(ApiError, match="check EVERLYTIC_USERNAME and EVERLYTIC_API_KEY") as caught:
        wrong.read()
    assert "nope-nope" not in str(caught.value)
    wrong.close()
    sim.admin("POST", "config", json={"daily_quota": 2})
    provider = sim.provider(ENV)
    with pytest.raises(QuotaExceeded):
        provider.read()
    provider.close()


def test_reads_page_through_everything_with_small_pages(sim: LiveSim) -> None:
    provider = sim.provider(ENV)
    provider.capabilities = dataclasses.replace(provider.capabilities, page_size=4)
    observed = provider.read()
    assert len(observed.contacts) == 25 and set(observed.lists) >= {"Newsletter", "Partners"}
    contact_pages = [
        r for r in sim.admin("GET", "requests") if "contacts" in r["path"] or "ListContacts" in str(r["body"])
    ]
    assert len(contact_pages) == (7 if sim.variant == "rest" else 8)  # XML-RPC ends on an empty page
    provider.close()


def test_a_server_that_ignores_paging_is_caught_instead_of_looping() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        page = {
            "links": [{"rel": "next", "href": "http://ev.test/api/2.0/contacts?page=2"}],
            "collection": [{"data": {"id": 1, "email": "a@example.com"}}],
        }
        return httpx.Response(200, json=page)

    transport = Transport(
        "http://ev.test/api/2.0", auth=None, rate_per_second=0, transport=httpx.MockTransport(handler)
    )
    with pytest.raises(ApiError, match="already returned"):
        list(RestApi(transport).contacts(10, {}))
