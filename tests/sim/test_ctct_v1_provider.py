"""The v1 provider against the v1 simulator on a real port: the example manifests on the demo
account, consent (refused without evidence, the contact's own path with it), the create
dance (409, a POST that landed before the connection dropped), paging, retries and auth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reconciler.apply import Outcome, apply_plan
from reconciler.errors import ApiError, PlanError, SourceRef
from reconciler.model import ConsentEvidence, Desired, DesiredContact, ListDef
from reconciler.plan import Action, Change, FieldChange, PlanPolicy, compute_plan
from reconciler.providers.ctct_v1 import CAPABILITIES, CtctV1Provider, build
from reconciler.sim.ctct_v1 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import RetryPolicy

ENV = {"CTCT_V1_API_KEY": "sim-api-key", "CTCT_V1_USERNAME": "demo", "CTCT_V1_PASSWORD": "sim-password"}
WORK = {
    "kind": "work",
    "street": "1 Main St",
    "city": "Boston",
    "state": "MA",
    "postal_code": "02108",
    "country": "US",
}


@pytest.fixture
def sim() -> Iterator[tuple[RunningServer, SimStore]]:
    store = SimStore.from_state(load_demo_seed())
    with start_server(create_app(SimConfig(rate_per_second=0, daily_quota=0), store)) as running:
        yield running, store


def _provider(url: str, env: dict[str, str] = ENV) -> CtctV1Provider:
    return build(url, env, 0, retry=RetryPolicy(max_attempts=3, base_delay=0.01))


def _want(
    email: str,
    lists: set[str] | None = None,
    evidence: ConsentEvidence | None = None,
    custom: dict[str, str | None] | None = None,
    **fields: Any,
) -> DesiredContact:
    return DesiredContact(
        email=email,
        source=SourceRef("contacts.yaml", 1),
        fields=fields,
        custom_fields=custom or {},
        lists=frozenset(lists) if lists is not None else None,
        consent_evidence=evidence,
    )


def _desired(*contacts: DesiredContact, managed: set[str] | None = None) -> Desired:
    return Desired(
        contacts=tuple(sorted(contacts, key=lambda c: c.key)),
        managed_lists=frozenset(managed or {"Newsletter", "Customers", "VIP"}),
        lists=(ListDef("Newsletter"), ListDef("Customers"), ListDef("VIP")),
        digest="sha256:test",
    )


def _policy(provider: CtctV1Provider) -> PlanPolicy:
    return PlanPolicy(
        provider="ctct-v1",
        target=provider.target,
        contact_opt_in_path=True,
        supported_fields=CAPABILITIES.fields,
    )


def _example(frank_phone: str = "mobile") -> Desired:
    """manifests/example, less the fields v1 cannot store (birthday, anniversary)."""
    return _desired(
        _want(
            "jane@example.com",
            {"Newsletter", "Customers", "VIP"},
            custom={"Tier": "gold", "Region": "AMER"},
            first_name="Jane",
            last_name="Doe",
            job_title="CTO",
            company_name="Acme",
            street_addresses=[WORK],
        ),
        _want("bob@example.com", {"Newsletter"}, first_name="Bob", last_name="Stone"),
        _want(
            "carol@example.com", {"Customers"}, custom={"Tier": "gold"}, first_name="Carol", last_name="King"
        ),
        _want("dave@example.com", {"Newsletter"}, first_name="Dave", last_name="Moss"),
        _want(
            "frank@example.com",
            {"Newsletter"},
            custom={"Tier": "bronze", "Region": "EMEA"},
            first_name="Frank",
            last_name="Ng",
            company_name="Initech",
            phone_numbers=[{"kind": frank_phone, "number": "+1-555-0199"}],
        ),
    )


def test_fields_v1_cannot_store_are_rejected_at_plan_time(sim: tuple[RunningServer, SimStore]) -> None:
    provider = _provider(sim[0].url)
    desired = _desired(_want("jane@example.com", birthday_month=4, birthday_day=12, anniversary="2019-06-01"))
    with pytest.raises(PlanError, match="birthday_month"):
        compute_plan(desired, provider.read(), _policy(provider))
    provider.close()


def test_example_manifests_apply_then_converge_on_the_demo_account(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    provider = _provider(running.url)
    observed = provider.read()
    plan = compute_plan(_example(frank_phone="work"), observed, _policy(provider))
    actions = {c.email: c.action for c in plan.changes}
    assert actions == {
        "jane@example.com": Action.UPDATE,
        "bob@example.com": Action.REFUSE,
        "carol@example.com": Action.UPDATE,
        "dave@example.com": Action.UPDATE,
        "frank@example.com": Action.CREATE,
    }
    assert [a.name for a in plan.account_changes] == ["VIP"]
    report = apply_plan(plan, observed, provider, check_stale=True)
    assert report.ok and report.count(Outcome.REFUSED) == 1, report.results
    replan = compute_plan(_example(frank_phone="work"), provider.read(), _policy(provider))
    assert not replan.has_changes, replan.to_json()
    jane = store.find_by_email("jane@example.com")
    assert jane is not None
    # Undeclared and unmanaged values are carried through: Lead_Source, her phone, Partners.
    assert (jane["CustomField3"], jane["WorkPhone"]) == ("webinar", "+1-555-0100")
    assert store.list_names(jane) == {"Newsletter", "Customers", "VIP", "Partners"}
    assert jane["OptInSource"] == "ACTION_BY_CUSTOMER"
    assert store.illegal_log == []
    provider.close()


def test_a_mobile_number_fails_that_contact_with_a_clear_reason(sim: tuple[RunningServer, SimStore]) -> None:
    provider = _provider(sim[0].url)
    observed = provider.read()
    report = apply_plan(
        compute_plan(_example(), observed, _policy(provider)), observed, provider, check_stale=False
    )
    failed = [r for r in report.results if r.outcome == Outcome.FAILED]
    assert [r.email for r in failed] == ["frank@example.com"]
    assert "home and work phone numbers" in (failed[0].reason or "")
    assert sim[1].find_by_email("frank@example.com") is None
    provider.close()


def test_contact_opt_out_is_refused_without_evidence_and_replayed_with_it(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    provider = _provider(running.url)
    observed = provider.read()
    without = compute_plan(_desired(_want("bob@example.com", {"Newsletter"})), observed, _policy(provider))
    assert [c.action for c in without.changes] == [Action.REFUSE]
    assert without.changes[0].rule == "consent/contact-opt-out"

    stale = ConsentEvidence(at="2026-01-01T00:00:00Z", evidence="form#0")  # before his opt-out
    assert (
        compute_plan(_desired(_want("bob@example.com", {"Newsletter"}, stale)), observed, _policy(provider))
        .changes[0]
        .rule
        == "consent/evidence-predates-opt-out"
    )

    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#42")
    plan = compute_plan(
        _desired(_want("bob@example.com", {"Newsletter"}, evidence)), observed, _policy(provider)
    )
    assert plan.changes[0].consent is not None and plan.changes[0].consent.path == "contact_evidence"
    assert apply_plan(plan, observed, provider, check_stale=True).ok
    bob = store.find_by_email("bob@example.com")
    assert bob is not None and bob["Status"] == "Active" and bob["OptInSource"] == "ACTION_BY_CONTACT"
    assert [e["event"] for e in httpx.get(f"{running.url}/__sim__/consent").json()] == ["put_by_contact"]
    assert store.illegal_log == []
    provider.close()


def test_a_create_that_meets_a_do_not_mail_contact_is_refused_not_forced(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    provider = _provider(running.url)
    provider.read()
    create = Change(action=Action.CREATE, email="bob@example.com", source="m:1", lists_add=("Newsletter",))
    result = provider.write(create, None)
    assert result.refused_rule == "consent/contact-opt-out" and result.contact_id
    assert store.illegal_log == []
    provider.close()


def test_a_create_that_meets_an_existing_contact_becomes_an_update(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    provider = _provider(running.url)
    provider.read()
    create = Change(
        action=Action.CREATE,
        email="Erin@example.com",
        source="m:1",
        lists_add=("Newsletter",),
        fields=(FieldChange(path="job_title", after="Owner"),),
    )
    result = provider.write(create, None)
    assert result.note == "409 resolved: the contact already existed"
    erin = store.find_by_email("erin@example.com")
    assert (
        erin is not None
        and erin["JobTitle"] == "Owner"
        and store.list_names(erin) == {"Newsletter", "Customers"}
    )
    provider.close()


def test_a_post_that_landed_before_the_connection_dropped_is_not_sent_twice(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    provider = _provider(running.url)
    provider.read()
    httpx.post(
        f"{running.url}/__sim__/faults",
        json={"drop": True, "method": "POST", "path_prefix": "/ws/customers/demo/contacts"},
    )
    create = Change(action=Action.CREATE, email="gina@example.com", source="m:1", lists_add=("Newsletter",))
    result = provider.write(create, None)
    assert result.note == "the earlier create had landed"
    posts = [r for r in httpx.get(f"{running.url}/__sim__/requests").json() if r["method"] == "POST"]
    assert len(posts) == 1
    assert sum(1 for c in store.contacts() if c["EmailAddress"] == "gina@example.com") == 1
    provider.close()


def test_a_contact_on_no_list_cannot_be_created_on_v1(sim: tuple[RunningServer, SimStore]) -> None:
    provider = _provider(sim[0].url)
    provider.read()
    with pytest.raises(ApiError, match="on no list"):
        provider.write(Change(action=Action.CREATE, email="solo@example.com", source="m:1"), None)
    provider.close()


def test_reads_page_through_every_contact_and_survive_server_errors(
    sim: tuple[RunningServer, SimStore],
) -> None:
    running, store = sim
    for i in range(80):
        store.add_contact({"EmailAddress": f"bulk{i:02d}@example.org", "lists": [{"id": 1}]})
    httpx.post(f"{running.url}/__sim__/faults", json={"status": 503, "method": "GET", "count": 2, "after": 3})
    provider = _provider(running.url)
    seen: list[int] = []
    observed = provider.read(progress=seen.append)
    assert len(observed.contacts) == 105 and seen[-1] == 105 and len(seen) == 3
    queries = [
        r["query"]
        for r in httpx.get(f"{running.url}/__sim__/requests").json()
        if r["path"].endswith("/contacts")
    ]
    assert queries[0] == "" and all(q.startswith("next=") for q in queries[1:])
    provider.close()


def test_new_lists_are_created_and_a_taken_name_resolves_to_the_existing_one(
    sim: tuple[RunningServer, SimStore],
) -> None:
    provider = _provider(sim[0].url)
    provider.read()
    uri = provider.create_list(ListDef("VIP"))
    assert uri.endswith("/lists/5")
    assert provider.create_list(ListDef("Partners")).endswith("/lists/3")
    provider.close()


def test_wrong_credentials_name_the_v1_variables(sim: tuple[RunningServer, SimStore]) -> None:
    provider = _provider(sim[0].url, {**ENV, "CTCT_V1_PASSWORD": "wrong-password"})
    with pytest.raises(ApiError, match="CTCT_V1_PASSWORD") as caught:
        provider.read()
    assert caught.value.status == 401 and "wrong-password" not in str(caught.value)
    provider.close()
