"""The core promise on Constant Contact v2 (simulator), for any live account and manifest:

1. convergence: apply the plan, plan again, and nothing is left to change;
2. preservation: every field the manifest does not declare (including v2 properties the
   reconciler never models: middle_name, notes, department, unmanaged custom-field slots),
   every unmanaged list membership and every contact no manifest mentions is exactly as it was;
3. consent: no OPTOUT contact is put back on a list except by an ACTION_BY_VISITOR write, and
   that write is sent only for a contact whose manifest entry carries their evidence.
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
    Desired,
    DesiredContact,
    ListDef,
    canonical_addresses,
    canonical_phones,
    email_key,
)
from reconciler.plan import Action, PlanPolicy, compute_plan
from reconciler.providers.ctct_v2 import CtctV2Provider, SlotNames
from reconciler.providers.ctct_v2.mapping import to_observed
from reconciler.sim.ctct_v2 import SimConfig, SimStore, create_app
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import BearerAuth, RetryPolicy, Transport

API_KEY, TOKEN = "property-api-key", "property-token"
EMAILS = [f"p{i}@example.com" for i in range(6)]
LISTS = {f"L{i}": str(i + 1) for i in range(4)}
SLOTS = SlotNames.parse("F0=CustomField1,F1=CustomField2,F2=CustomField3")
NEW_LIST = "L_new"
STATUSES = ["ACTIVE", "ACTIVE", "UNCONFIRMED", "OPTOUT", "OPTOUT", "REMOVED", "NON_SUBSCRIBER", "TEMP_HOLD"]
OPT_OUT_AT = "2026-02-01T00:00:00.000Z"
UNMODELLED = ("prefix_name", "middle_name", "department_name", "notes")

names = st.sampled_from(["Ann", "Bob", "Zoë", "O'Neil", "Lee-Ann", "Ng"])
text_or_none = st.one_of(st.none(), names)
numbers = st.sampled_from(["+1-555-0100", "020 7946 0000"])
phones = st.lists(
    st.fixed_dictionaries({"kind": st.sampled_from(["home", "work", "mobile", "other"]), "number": numbers}),
    max_size=2,
    unique_by=lambda p: p["kind"],
)
addresses = st.lists(
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["home", "work"]),
         "street": st.sampled_from(["1 Main St", "9 Elm Rd\nFlat 2"]),
         "city": st.sampled_from(["Boston", "Leeds"]), "state": st.sampled_from([None, "MA"]),
         "country": st.sampled_from(["US", "GB"])}
    ),
    max_size=2,
    unique_by=lambda a: a["kind"],
)
custom_values = st.sampled_from(["gold", "silver", "42"])
_PHONE_PROPS = {"home": "home_phone", "work": "work_phone", "mobile": "cell_phone", "other": "fax"}


def _wire_address(a: dict[str, Any], extra: bool) -> dict[str, Any]:
    lines = a["street"].split("\n")
    wire = {"address_type": "PERSONAL" if a["kind"] == "home" else "BUSINESS", "city": a["city"],
            "country_code": a["country"].lower(), **{f"line{i + 1}": line for i, line in enumerate(lines)}}
    if a["state"]:
        wire["state_code"] = a["state"]
    if extra:
        wire["sub_postal_code"] = "7885"  # unmodelled: must survive writes that keep this address
    return wire


@st.composite
def live_contact(draw: st.DrawFn, email: str, index: int) -> dict[str, Any]:
    status = draw(st.sampled_from(STATUSES))
    can_have_lists = status not in ("OPTOUT", "REMOVED")
    lists = draw(st.sets(st.sampled_from(sorted(LISTS.values())), min_size=1)) if can_have_lists else set()
    if status == "NON_SUBSCRIBER":
        lists = set()
    email_entry: dict[str, Any] = {"email_address": email, "opt_in_source": draw(
        st.sampled_from(["ACTION_BY_OWNER", "ACTION_BY_VISITOR", "ACTION_BY_SYSTEM"]))}
    if status == "OPTOUT":
        email_entry["opt_out_date"] = OPT_OUT_AT
    slots = draw(st.sets(st.sampled_from(["CustomField1", "CustomField2", "CustomField3", "CustomField9"])))
    record: dict[str, Any] = {
        "id": str(100 + index),
        "status": status,
        "email_addresses": [email_entry],
        "lists": [{"id": i} for i in sorted(lists)],
        "custom_fields": [{"name": s, "value": draw(custom_values)} for s in sorted(slots)],
        "addresses": [_wire_address(a, draw(st.booleans())) for a in draw(addresses)],
        "created_date": "2026-01-01T00:00:00.000Z",
        "modified_date": "2026-01-01T00:00:00.000Z",
    }
    for p in draw(phones):
        record[_PHONE_PROPS[p["kind"]]] = p["number"]
    for name in ("first_name", "last_name", "job_title", "company_name", "middle_name", "prefix_name"):
        value = draw(text_or_none)
        if value is not None:
            record[name] = value
    if draw(st.booleans()):
        record["notes"] = [{"id": f"n{index}", "note": "met at expo", "created_date": OPT_OUT_AT}]
    if status == "OPTOUT":
        record["_opt_out_by"] = draw(st.sampled_from(["owner", "visitor"]))
    return record


@st.composite
def desired_contact(draw: st.DrawFn, email: str, managed: frozenset[str]) -> DesiredContact:
    fields: dict[str, Any] = {}
    for name in draw(st.sets(st.sampled_from(["first_name", "last_name", "job_title", "company_name"]))):
        fields[name] = draw(text_or_none)
    if draw(st.booleans()):
        fields["phone_numbers"] = canonical_phones(draw(phones))
    if draw(st.booleans()):
        fields["street_addresses"] = canonical_addresses(draw(addresses))
    chosen = draw(st.sets(st.sampled_from(["F0", "F1", "F2"])))
    custom = {n: draw(st.one_of(st.none(), custom_values)) for n in chosen}
    lists = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(sorted(managed)))))
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1") if draw(st.booleans()) else None
    cased = email.upper() if draw(st.booleans()) else email
    return DesiredContact(
        email=cased, source=SourceRef("m.yaml", 1), fields=fields, custom_fields=custom, lists=lists,
        consent_evidence=evidence,
    )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, Any], Desired]:
    live_emails = draw(st.lists(st.sampled_from(EMAILS), unique=True, min_size=1, max_size=5))
    state = {
        "version": 1,
        "lists": [{"id": i, "name": n} for n, i in LISTS.items()],
        "contacts": [draw(live_contact(e, i)) for i, e in enumerate(live_emails)],
    }
    managed = draw(st.frozensets(st.sampled_from([*sorted(LISTS), NEW_LIST]), min_size=1))
    # Mostly contacts that exist (the interesting cases: consent, preservation), some new ones.
    kept = draw(st.lists(st.sampled_from(live_emails), unique=True, min_size=1))
    wanted = kept + draw(st.lists(st.sampled_from([e for e in EMAILS if e not in live_emails]), unique=True,
                                  max_size=2))
    contacts = tuple(sorted((draw(desired_contact(e, managed)) for e in wanted), key=lambda c: c.key))
    desired = Desired(
        contacts=contacts,
        managed_lists=managed,
        lists=(ListDef(NEW_LIST),) if NEW_LIST in managed else (),
        digest="sha256:property",
    )
    return state, desired


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[RunningServer, SimStore]]:
    store = SimStore()
    config = SimConfig(api_key=API_KEY, token=TOKEN, rate_per_second=0, daily_quota=0)
    with start_server(create_app(config, store)) as running:
        yield running, store


def _provider(url: str) -> CtctV2Provider:
    transport = Transport(
        f"{url}/v2", auth=BearerAuth(TOKEN), rate_per_second=0,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01), default_params={"api_key": API_KEY},
    )
    return CtctV2Provider(transport, f"{url}/v2", SLOTS)


def _snapshot(store: SimStore) -> dict[str, dict[str, Any]]:
    state = store.to_state()
    list_names = {item["id"]: item["name"] for item in state["lists"]}
    out = {}
    for raw in state["contacts"]:
        o = to_observed(raw, list_names, SLOTS)
        out[o.key] = {
            "fields": dict(o.fields),
            "custom": dict(o.custom_fields),
            "lists": set(o.lists),
            "status": raw["status"],
            "unmodelled": {k: raw.get(k) for k in UNMODELLED},
            "sub_postal": sorted(a.get("sub_postal_code") or "" for a in raw.get("addresses") or []),
            "raw": raw,
        }
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenario())
def test_apply_then_plan_converges_preserves_everything_undeclared_and_keeps_consent(
    server: tuple[RunningServer, SimStore], case: tuple[dict[str, Any], Desired]
) -> None:
    running, store = server
    state, desired = case
    store.load_state(state)
    httpx.delete(f"{running.url}/__sim__/requests")
    before = _snapshot(store)

    provider = _provider(running.url)
    policy = PlanPolicy("ctct-v2", provider.target, True, provider.capabilities.fields)
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    report = apply_plan(plan, observed, provider, check_stale=False)
    assert report.ok, [r for r in report.results if r.outcome != Outcome.APPLIED]

    replan = compute_plan(desired, provider.read(), policy)
    provider.close()
    assert not replan.has_changes, replan.to_json()
    refused = {email_key(c.email) for c in plan.changes if c.action == Action.REFUSE}
    assert {email_key(c.email) for c in replan.changes} == refused

    after = _snapshot(store)
    declared = {c.key: c for c in desired.contacts}
    for key, old in before.items():
        new = after[key]
        d = declared.get(key)
        if d is None or key in refused:
            assert new["raw"] == old["raw"], f"{key} was not managed (or was refused) but changed"
            continue
        assert new["unmodelled"] == old["unmodelled"], f"{key}: a property never modelled changed"
        for name in old["fields"]:
            if name not in d.fields:
                assert new["fields"][name] == old["fields"][name], f"{key}: undeclared {name} changed"
        if "street_addresses" not in d.fields:
            assert new["sub_postal"] == old["sub_postal"], f"{key}: an address lost what it was not asked to"
        for name, value in old["custom"].items():
            if name not in d.custom_fields:
                assert new["custom"].get(name) == value, f"{key}: undeclared custom field {name} changed"
        unmanaged = old["lists"] - desired.managed_lists if d.lists is not None else old["lists"]
        assert unmanaged <= new["lists"], f"{key}: unmanaged list membership lost"
        if d.lists is None:
            assert new["lists"] == old["lists"]
        if old["status"] == "OPTOUT" and new["status"] != "OPTOUT":
            assert d.consent_evidence is not None, f"{key} was opted back in without evidence"

    assert store.illegal_log == [], store.illegal_log
    visitor_ids = {r["path"].rsplit("/", 1)[1] for r in httpx.get(f"{running.url}/__sim__/requests").json()
                   if "ACTION_BY_VISITOR" in r["query"]}
    for contact_id in visitor_ids:
        old = next(o for o in before.values() if o["raw"]["id"] == contact_id)
        key = email_key(old["raw"]["email_addresses"][0]["email_address"])
        assert old["status"] == "OPTOUT" and declared[key].consent_evidence is not None
