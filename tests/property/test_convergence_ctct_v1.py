"""The core promise on Constant Contact v1 (XML/Atom simulator), for any live account and any
manifest:

1. convergence: apply the plan, plan again, and nothing is left to change;
2. preservation: every field the manifest does not declare, every element reconciler has no
   canonical name for (Note, MiddleName, unnamed CustomField slots...), every unmanaged list
   membership and every contact no manifest mentions is exactly as it was on the server;
3. consent: no Do-Not-Mail contact is ever put back on a list without the contact's evidence,
   and the simulator never saw an account-side attempt to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.apply import Outcome, apply_plan
from reconciler.errors import SourceRef
from reconciler.model import (
    ConsentEvidence,
    CustomFieldDef,
    Desired,
    DesiredContact,
    ListDef,
    canonical_addresses,
    canonical_phones,
    email_key,
)
from reconciler.plan import Action, PlanPolicy, compute_plan
from reconciler.providers.ctct_v1 import CAPABILITIES, CtctV1Provider, V1Settings, build
from reconciler.providers.ctct_v1.mapping import to_observed
from reconciler.sim.ctct_v1 import SimConfig, SimStore, create_app
from reconciler.sim.ctct_v1.wire import contact_entry
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import RetryPolicy

USER = "prop"
SLOTS = "F0=CustomField1,F1=CustomField2,F2=CustomField3"
ENV = {
    "CTCT_V1_API_KEY": "prop-key",
    "CTCT_V1_USERNAME": USER,
    "CTCT_V1_PASSWORD": "prop-password",
    "RECONCILER_CTCT_V1_CUSTOM_FIELDS": SLOTS,
}
SETTINGS = V1Settings.create(SLOTS)
EMAILS = [f"p{i}@example.com" for i in range(6)]
LISTS = {f"L{i}": i + 1 for i in range(4)}
NEW_LIST = "L_new"
OPT_OUT_AT = "2026-02-01T00:00:00.000Z"
# Elements reconciler never names: they must survive every write untouched.
UNNAMED = ("Name", "MiddleName", "EmailType", "Note", "CustomField9", "CustomField15")

names = st.sampled_from(["Ann", "Bob", "Zoë", "O'Neil", "Lee-Ann", "Ng", "A & B <c>"])
text_or_none = st.one_of(st.none(), names)
numbers = st.sampled_from(["+1-555-0100", "020 7946 0000"])
phones = st.lists(
    st.fixed_dictionaries({"kind": st.sampled_from(["home", "work"]), "number": numbers}),
    max_size=2,
    unique_by=lambda p: p["kind"],
)
addresses = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.just("work"),
            "street": st.sampled_from(["1 Main St", "9 Elm Rd\nFlat 2"]),
            "city": st.sampled_from(["Boston", "Leeds"]),
            "state": st.sampled_from(["MA", "West Yorkshire", None]),
            "postal_code": st.sampled_from(["02108", None]),
            "country": st.sampled_from(["US", "United Kingdom"]),
        }
    ),
    max_size=1,
)
custom_values = st.sampled_from(["gold", "silver", "42"])


@st.composite
def live_contact(draw: st.DrawFn, email: str, index: int) -> dict[str, Any]:
    status = draw(st.sampled_from(["Active", "Active", "Unconfirmed", "Removed", "Do Not Mail"]))
    record: dict[str, Any] = {
        "id": index + 1,
        "EmailAddress": email,
        "Status": status,
        "InsertTime": "2026-01-01T00:00:00.000Z",
        "LastUpdateTime": "2026-01-01T00:00:00.000Z",
    }
    if status in ("Active", "Unconfirmed"):
        chosen = draw(st.sets(st.sampled_from(sorted(LISTS.values())), min_size=1))
        record["lists"] = [{"id": i} for i in sorted(chosen)]
    if status == "Do Not Mail":
        record.update(
            OptOutTime=OPT_OUT_AT,
            OptOutSource=draw(st.sampled_from(["ACTION_BY_CONTACT", "ACTION_BY_CUSTOMER"])),
        )
    for name in (
        "FirstName",
        "LastName",
        "JobTitle",
        "CompanyName",
        *UNNAMED,
        "CustomField1",
        "CustomField2",
        "CustomField3",
        "CustomField8",
        "SubPostalCode",
    ):
        if draw(st.booleans()):
            record[name] = draw(custom_values if name.startswith("Custom") else names)
    record["EmailType"] = draw(st.sampled_from(["HTML", "Text"]))
    for phone in draw(phones):
        record["HomePhone" if phone["kind"] == "home" else "WorkPhone"] = phone["number"]
    for address in draw(addresses):
        lines = address["street"].split("\n")
        record.update(Addr1=lines[0], Addr2=lines[1] if len(lines) > 1 else "", City=address["city"])
        state, country = address["state"] or "", address["country"]
        record["StateCode" if len(state) == 2 else "StateName"] = state
        record["CountryCode" if len(country) == 2 else "CountryName"] = country
        record["PostalCode"] = address["postal_code"] or ""
    return record


@st.composite
def desired_contact(draw: st.DrawFn, email: str, managed: frozenset[str], live: bool) -> DesiredContact:
    fields: dict[str, Any] = {}
    for name in draw(st.sets(st.sampled_from(["first_name", "last_name", "job_title", "company_name"]))):
        fields[name] = draw(text_or_none)
    if draw(st.booleans()):
        fields["phone_numbers"] = canonical_phones(draw(phones))
    if draw(st.booleans()):
        fields["street_addresses"] = canonical_addresses(draw(addresses))
    pool = ["F0", "F1", "F2", "CustomField8"]  # a slot without a name is addressed by its own
    custom = {n: draw(st.one_of(st.none(), custom_values)) for n in draw(st.sets(st.sampled_from(pool)))}
    if live:
        lists = (
            draw(st.one_of(st.none(), st.frozensets(st.sampled_from(sorted(managed))))) if managed else None
        )
    else:
        # v1 cannot create a contact that is on no list; the provider refuses those (tested elsewhere).
        lists = draw(st.frozensets(st.sampled_from(sorted(managed)), min_size=1))
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1") if draw(st.booleans()) else None
    return DesiredContact(
        email=email.upper() if draw(st.booleans()) else email,
        source=SourceRef("m.yaml", 1),
        fields=fields,
        custom_fields=custom,
        lists=lists,
        consent_evidence=evidence,
    )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, Any], Desired]:
    live_emails = draw(st.lists(st.sampled_from(EMAILS), unique=True, max_size=5))
    state = {
        "version": 1,
        "lists": [{"id": number, "name": name} for name, number in LISTS.items()],
        "contacts": [draw(live_contact(e, i)) for i, e in enumerate(live_emails)],
    }
    managed = draw(st.frozensets(st.sampled_from([*sorted(LISTS), NEW_LIST])))
    candidates = EMAILS if managed else live_emails
    wanted = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=5)) if candidates else []
    desired = Desired(
        contacts=tuple(
            sorted((draw(desired_contact(e, managed, e in live_emails)) for e in wanted), key=lambda c: c.key)
        ),
        managed_lists=managed,
        lists=(ListDef(NEW_LIST),) if NEW_LIST in managed else (),
        custom_fields=(CustomFieldDef("F0"),),  # declared and already there: nothing to create
        digest="sha256:property",
    )
    return state, desired


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[RunningServer, SimStore]]:
    store = SimStore()
    cfg = SimConfig(
        username=USER, api_key="prop-key", password="prop-password", rate_per_second=0, daily_quota=0
    )
    with start_server(create_app(cfg, store)) as running:
        yield running, store


def _provider(url: str) -> CtctV1Provider:
    return build(url, ENV, 0, retry=RetryPolicy(max_attempts=3, base_delay=0.01))


def _snapshot(url: str) -> dict[str, dict[str, Any]]:
    state = httpx.get(f"{url}/__sim__/state").json()
    list_names = {str(item["id"]): item["name"] for item in state["lists"]}
    out = {}
    for record in state["contacts"]:
        o = to_observed(contact_entry(record, USER, full=True), list_names, SETTINGS)
        out[o.key] = {
            "fields": dict(o.fields),
            "custom": dict(o.custom_fields),
            "lists": set(o.lists),
            "consent": o.consent,
            "unnamed": {name: record.get(name, "") for name in UNNAMED},
            "sub_postal_code": record.get("SubPostalCode", ""),
            "updated": record["LastUpdateTime"],
        }
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenario())
def test_apply_then_plan_converges_and_preserves_everything_undeclared(
    server: tuple[RunningServer, SimStore], case: tuple[dict[str, Any], Desired]
) -> None:
    running, store = server
    state, desired = case
    store.load_state(state)
    before = _snapshot(running.url)

    provider = _provider(running.url)
    policy = PlanPolicy(
        provider="ctct-v1",
        target=provider.target,
        contact_opt_in_path=True,
        supported_fields=CAPABILITIES.fields,
    )
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    report = apply_plan(plan, observed, provider, check_stale=False)
    assert report.ok, [r for r in report.results if r.outcome not in (Outcome.APPLIED, Outcome.REFUSED)]

    replan = compute_plan(desired, provider.read(), policy)
    provider.close()
    assert not replan.has_changes, replan.to_json()
    refused = {email_key(c.email) for c in plan.changes if c.action == Action.REFUSE}
    assert {email_key(c.email) for c in replan.changes} == refused

    after = _snapshot(running.url)
    declared = {c.key: c for c in desired.contacts}
    for key, old in before.items():
        new = after[key]
        d = declared.get(key)
        if d is None or key in refused:
            assert new == old, f"{key} was not managed (or was refused) but changed"
            continue
        assert new["unnamed"] == old["unnamed"], f"{key}: an element reconciler does not manage changed"
        for name, value in old["fields"].items():
            if name not in d.fields:
                assert new["fields"][name] == value, f"{key}: undeclared {name} changed"
        if "street_addresses" not in d.fields:
            assert new["sub_postal_code"] == old["sub_postal_code"]
        for name, value in old["custom"].items():
            if name not in d.custom_fields:
                assert new["custom"].get(name) == value, f"{key}: undeclared custom field {name} changed"
        unmanaged = old["lists"] - desired.managed_lists if d.lists is not None else old["lists"]
        assert unmanaged <= new["lists"], f"{key}: unmanaged list membership lost"
        if d.lists is None:
            assert new["lists"] == old["lists"]
        if old["consent"] == "unsubscribed_by_contact" and new["lists"]:
            assert d.consent_evidence is not None, f"{key}: opted back in without evidence"
    assert store.illegal_log == [], store.illegal_log
