"""The v2 provider against the v2 simulator on a real port: credentials, paged reads, Mashery's
403s, the uncertain-POST and 409 dances, and the consent paths (ACTION_BY_VISITOR only with
the contact's evidence)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.apply import Outcome, apply_plan
from reconciler.errors import ApiError, ConfigError, PlanError, SourceRef
from reconciler.model import ConsentEvidence, CustomFieldDef, Desired, DesiredContact, ListDef
from reconciler.plan import Action, PlanPolicy, compute_plan
from reconciler.providers.ctct_v2 import CtctV2Provider, build
from reconciler.sim.ctct_v2 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import RetryPolicy

ENV = {"CTCT_V2_API_KEY": "sim-api-key", "CTCT_V2_ACCESS_TOKEN": "sim-token"}
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)
Sim = tuple[RunningServer, SimStore, SimConfig]


@pytest.fixture
def sim() -> Iterator[Sim]:
    store = SimStore.from_state(load_demo_seed())
    config = SimConfig(rate_per_second=0, daily_quota=0)
    with start_server(create_app(config, store)) as running:
        yield running, store, config


def _provider(running: RunningServer, env: dict[str, str] | None = None) -> CtctV2Provider:
    return build(f"{running.url}/v2", env or ENV, 0, retry=FAST)


def _desired(*contacts: DesiredContact, lists: tuple[ListDef, ...] = ()) -> Desired:
    managed = frozenset(n for c in contacts for n in c.lists or ()) | {ld.name for ld in lists}
    return Desired(contacts=tuple(sorted(contacts, key=lambda c: c.key)), managed_lists=managed, lists=lists)


def _contact(email: str, lists: list[str] | None, **kw: Any) -> DesiredContact:
    return DesiredContact(email=email, source=SourceRef("m.yaml", 1),
                          lists=frozenset(lists) if lists is not None else None, **kw)


def _run(provider: CtctV2Provider, desired: Desired) -> tuple[Any, Any]:
    policy = PlanPolicy("ctct-v2", provider.target, True, provider.capabilities.fields)
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    return plan, apply_plan(plan, observed, provider, check_stale=True)


def _requests(running: RunningServer) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = httpx.get(f"{running.url}/__sim__/requests").json()
    return rows


def test_build_needs_both_credentials_and_reads_file_variants(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CTCT_V2_ACCESS_TOKEN"):
        build(None, {"CTCT_V2_API_KEY": "k" * 8}, 4)
    with pytest.raises(ConfigError, match="CTCT_V2_API_KEY and CTCT_V2_ACCESS_TOKEN"):
        build(None, {}, 4)
    key, token = tmp_path / "key", tmp_path / "token"
    key.write_text("file-api-key\n")
    token.write_text("file-token\n")
    provider = build(None, {"CTCT_V2_API_KEY_FILE": str(key), "CTCT_V2_ACCESS_TOKEN_FILE": str(token)}, 4)
    assert provider.target == "https://api.constantcontact.com/v2"
    provider.close()
    assert build(None, {**ENV, "CTCT_V2_BASE_URL": "http://127.0.0.1:1/v2/"}, 4).target == "http://127.0.0.1:1/v2"
    with pytest.raises(ConfigError, match="CTCT_V2_API_KEY_FILE"):
        build(None, {"CTCT_V2_API_KEY_FILE": str(tmp_path / "missing"), "CTCT_V2_ACCESS_TOKEN": "t" * 8}, 4)


def test_read_pages_through_everything_with_status_all(sim: Sim) -> None:
    running, store, _ = sim
    for i in range(1_100):
        email = f"bulk{i}@example.org"
        store.add_contact({"email_addresses": [{"email_address": email}], "lists": [{"id": "1"}]})
    observed = _provider(running).read()
    assert len(observed.contacts) == 1_125
    assert observed.contacts["bob@example.com"].consent.value == "unsubscribed_by_contact"
    assert observed.custom_fields["Tier"] == "CustomField1" and "Partners" in observed.lists
    pages = [r for r in _requests(running) if r["path"] == "/v2/contacts"]
    assert len(pages) == 3 and pages[0]["query"] == "api_key=***&status=ALL&limit=500"
    assert all("next=" in r["query"] and "api_key=***" in r["query"] for r in pages[1:])


def test_the_per_second_403_is_waited_out(sim: Sim) -> None:
    running, _, config = sim
    config.rate_per_second = 2  # the client is unpaced here, so the gateway must push back
    provider = _provider(running)
    for _ in range(3):
        provider.read()
    assert provider._http.stats.throttled > 0
    assert any(r["status"] == 403 for r in _requests(running))


def test_the_daily_quota_stops_apply_cleanly(sim: Sim) -> None:
    running, _, config = sim
    provider = _provider(running)
    desired = _desired(*(_contact(f"n{i}@example.com", ["Newsletter"]) for i in range(4)))
    config.daily_quota = 4  # two reads, then two writes
    plan, report = _run(provider, desired)
    assert len(plan.changes) == 4 and report.stopped and "quota" in report.stopped
    assert report.count(Outcome.APPLIED) == 2 and report.count(Outcome.NOT_ATTEMPTED) == 2


def test_a_create_whose_answer_was_lost_is_looked_up_not_repeated(
    sim: Sim,
) -> None:
    running, store, _ = sim
    fault = {"drop": True, "method": "POST", "path_prefix": "/v2/contacts"}
    httpx.post(f"{running.url}/__sim__/faults", json=fault)
    _, report = _run(_provider(running), _desired(_contact("frank@example.com", ["Newsletter"])))
    (result,) = report.results
    assert result.outcome == Outcome.APPLIED and result.reason == "the earlier create had landed"
    assert sum(c["email_addresses"][0]["email_address"] == "frank@example.com" for c in store.contacts()) == 1


def test_a_409_on_create_becomes_an_update_or_a_refusal(sim: Sim) -> None:
    running, store, _ = sim
    provider = _provider(running)
    policy = PlanPolicy("ctct-v2", provider.target, True, provider.capabilities.fields)
    desired = _desired(_contact("zed@example.com", ["Customers"], fields={"first_name": "Zed"}),
                       _contact("zoe@example.com", ["Customers"]))
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    # Both appear after planning; zoe then opts out herself.
    store.add_contact({"email_addresses": [{"email_address": "zed@example.com"}], "lists": [{"id": "1"}]})
    store.add_contact({"email_addresses": [{"email_address": "zoe@example.com"}], "status": "OPTOUT"})
    report = apply_plan(plan, observed, provider, check_stale=False)
    outcomes = {r.email: (r.outcome, r.reason) for r in report.results}
    assert outcomes["zed@example.com"][0] == Outcome.APPLIED
    assert outcomes["zoe@example.com"][0] == Outcome.REFUSED
    zed = store.find_by_email("zed@example.com")
    assert zed is not None and zed["first_name"] == "Zed" and zed["lists"] == [{"id": "1"}, {"id": "2"}]
    assert httpx.get(f"{running.url}/__sim__/illegal").json() == []


def test_an_opted_out_contact_is_refused_without_evidence_and_nothing_is_sent(
    sim: Sim,
) -> None:
    running, store, _ = sim
    plan, report = _run(_provider(running), _desired(_contact("bob@example.com", ["Newsletter"])))
    (change,) = plan.changes
    assert change.action == Action.REFUSE and change.rule == "consent/contact-opt-out"
    assert report.results[0].outcome == Outcome.REFUSED
    assert not [r for r in _requests(running) if r["method"] in ("PUT", "POST")]
    assert store.find_by_email("bob@example.com")["status"] == "OPTOUT"  # type: ignore[index]


def test_with_evidence_the_contacts_own_action_is_replayed_and_only_then(
    sim: Sim,
) -> None:
    running, store, _ = sim
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#42")
    bob = _contact(
        "bob@example.com", ["Newsletter"], fields={"job_title": "Owner"}, consent_evidence=evidence
    )
    erin = _contact("erin@example.com", ["Customers", "Newsletter"], consent_evidence=evidence)
    plan, report = _run(_provider(running), _desired(bob, erin))
    assert {c.email: c.consent.path if c.consent else None for c in plan.changes} == {
        "bob@example.com": "contact_evidence", "erin@example.com": None,
    }
    assert report.ok
    puts = [(r["path"], r["query"]) for r in _requests(running) if r["method"] == "PUT"]
    assert puts == [
        ("/v2/contacts/102", "api_key=***&action_by=ACTION_BY_VISITOR"),  # bob's opt-in alone
        ("/v2/contacts/102", "api_key=***&action_by=ACTION_BY_OWNER"),  # then the account's edit
        ("/v2/contacts/105", "api_key=***&action_by=ACTION_BY_OWNER"),  # erin: an ordinary update
    ]
    after = store.find_by_email("bob@example.com")
    assert after is not None and after["status"] == "ACTIVE" and after["job_title"] == "Owner"
    (entry,) = httpx.get(f"{running.url}/__sim__/consent").json()
    assert entry["email"] == "bob@example.com" and entry["previous_status"] == "OPTOUT"


def test_removed_carol_comes_back_through_a_put_with_lists(sim: Sim) -> None:
    running, store, _ = sim
    _, report = _run(_provider(running), _desired(_contact("carol@example.com", ["Customers"])))
    assert report.results[0].reason == "revived from REMOVED"
    assert store.find_by_email("carol@example.com")["status"] == "ACTIVE"  # type: ignore[index]


def test_account_changes_lists_are_created_custom_fields_cannot_be(
    sim: Sim,
) -> None:
    running, store, _ = sim
    provider = _provider(running)
    provider.read()
    vip = provider.create_list(ListDef("VIP"))
    assert store.list_id("VIP") == vip and provider.create_list(ListDef("VIP")) == vip  # 409 -> found
    fixed = r"fixed slots CustomField1\.\.CustomField15\..*RECONCILER_CTCT_V2_CUSTOM_FIELDS"
    with pytest.raises(PlanError, match=fixed):
        provider.create_custom_field(CustomFieldDef("Score"))


def test_errors_never_show_the_api_key(sim: Sim) -> None:
    running, _, _ = sim
    provider = build(f"{running.url}/v2", {**ENV, "CTCT_V2_API_KEY": "secret-api-key-123"}, 0, retry=FAST)
    with pytest.raises(ApiError) as caught:
        provider.read()
    assert caught.value.status == 401 and "secret-api-key-123" not in str(caught.value)


def test_an_incremental_read_asks_for_modified_since(sim: Sim) -> None:
    running, store, _ = sim
    since = "2026-04-01T00:00:00Z"
    expected = {c["email_addresses"][0]["email_address"] for c in store.contacts()
                if c["modified_date"] >= "2026-04-01T00:00:00.000Z"}
    changed = _provider(running).read(updated_after=since)
    assert set(changed.contacts) == expected and "carol@example.com" in expected
    (read,) = [r for r in _requests(running) if r["path"] == "/v2/contacts"]
    assert "modified_since=2026-04-01T00%3A00%3A00Z" in read["query"]
