"""The core promise, for any live account and any manifest (Constant Contact v3 simulator):

1. convergence: apply the plan, plan again, and nothing is left to change;
2. preservation: every field the manifest does not declare, every unmanaged list membership and
   every contact no manifest mentions is exactly as it was on the server;
3. consent: no contact who unsubscribed themselves is ever opted back in without evidence.
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
    SCALAR_FIELDS,
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
from reconciler.providers.ctct_v3.mapping import to_observed
from reconciler.providers.ctct_v3.provider import CtctV3Provider
from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import BearerAuth, RetryPolicy, Transport

TOKEN = "property-token"
EMAILS = [f"p{i}@example.com" for i in range(6)]
LISTS = {f"L{i}": f"00000000-0000-4000-8000-00000000000{i}" for i in range(4)}
FIELDS = {f"F{i}": f"00000000-0000-4000-9000-00000000000{i}" for i in range(3)}
NEW_LIST, NEW_FIELD = "L_new", "F_new"
PERMISSIONS = [
    ("implicit", None),
    ("explicit", None),
    ("pending_confirmation", None),
    ("not_set", None),
    ("unsubscribed", "Contact"),
    ("unsubscribed", "Account"),
]
OPT_OUT_AT = "2026-02-01T00:00:00Z"

names = st.sampled_from(["Ann", "Bob", "Zoë", "O'Neil", "Lee-Ann", "Ng"])
text_or_none = st.one_of(st.none(), names)
phones = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["home", "work", "mobile", "other"]),
            "number": st.sampled_from(["+1-555-0100", "020 7946 0000"]),
        }
    ),
    max_size=2,
    unique_by=lambda p: p["kind"],
)
addresses = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["home", "work"]),
            "street": st.sampled_from(["1 Main St", "9 Elm Rd"]),
            "city": st.sampled_from(["Boston", "Leeds"]),
            "country": st.sampled_from(["US", "GB"]),
        }
    ),
    max_size=1,
)
birthdays = st.one_of(st.none(), st.tuples(st.integers(1, 12), st.integers(1, 28)))
anniversaries = st.sampled_from([None, "2019-06-01", "2020-12-31"])
custom_values = st.sampled_from(["gold", "silver", "42"])


@st.composite
def live_contact(draw: st.DrawFn, email: str, index: int) -> dict[str, Any]:
    permission, source = draw(st.sampled_from(PERMISSIONS))
    deleted = draw(st.booleans()) and draw(st.booleans())
    can_have_lists = permission != "unsubscribed" and not deleted
    email_address: dict[str, Any] = {
        "address": email,
        "permission_to_send": permission,
        "opt_in_source": "Account",
    }
    if permission == "unsubscribed":
        email_address.update(opt_out_source=source, opt_out_date=OPT_OUT_AT)
    record: dict[str, Any] = {
        "contact_id": f"10000000-0000-4000-8000-{index:012d}",
        "email_address": email_address,
        "create_source": "Account",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "list_memberships": sorted(draw(st.sets(st.sampled_from(sorted(LISTS.values())))))
        if can_have_lists
        else [],
        "custom_fields": [
            {"custom_field_id": fid, "value": draw(custom_values)}
            for fid in draw(st.sets(st.sampled_from(sorted(FIELDS.values()))))
        ],
        "phone_numbers": [{"phone_number": p["number"], "kind": p["kind"]} for p in draw(phones)],
        "street_addresses": draw(addresses),
    }
    for name in ("first_name", "last_name", "job_title", "company_name"):
        value = draw(text_or_none)
        if value is not None:
            record[name] = value
    if (bd := draw(birthdays)) is not None:
        record["birthday_month"], record["birthday_day"] = bd
    if (ann := draw(anniversaries)) is not None:
        record["anniversary"] = ann
    if deleted:
        record["deleted_at"] = "2026-03-01"
        record["status"] = "deleted"
    return record


@st.composite
def desired_contact(
    draw: st.DrawFn, email: str, managed: frozenset[str], fields_pool: list[str]
) -> DesiredContact:
    fields: dict[str, Any] = {}
    for name in draw(st.sets(st.sampled_from(["first_name", "last_name", "job_title", "company_name"]))):
        fields[name] = draw(text_or_none)
    if draw(st.booleans()):
        bd = draw(birthdays)
        fields["birthday_month"], fields["birthday_day"] = bd if bd else (None, None)
    if draw(st.booleans()):
        fields["anniversary"] = draw(anniversaries)
    if draw(st.booleans()):
        fields["phone_numbers"] = canonical_phones(draw(phones))
    if draw(st.booleans()):
        fields["street_addresses"] = canonical_addresses(draw(addresses))
    custom = {
        n: draw(st.one_of(st.none(), custom_values)) for n in draw(st.sets(st.sampled_from(fields_pool)))
    }
    lists = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(sorted(managed))))) if managed else None
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1") if draw(st.booleans()) else None
    cased = email.upper() if draw(st.booleans()) else email
    return DesiredContact(
        email=cased,
        source=SourceRef("m.yaml", 1),
        fields=fields,
        custom_fields=custom,
        lists=lists,
        consent_evidence=evidence,
    )


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, Any], Desired]:
    live_emails = draw(st.lists(st.sampled_from(EMAILS), unique=True, max_size=5))
    contacts = [draw(live_contact(e, i)) for i, e in enumerate(live_emails)]
    state = {
        "version": 1,
        "lists": [{"list_id": i, "name": n} for n, i in LISTS.items()],
        "custom_fields": [
            {"custom_field_id": i, "label": n, "name": n, "type": "string"} for n, i in FIELDS.items()
        ],
        "contacts": contacts,
    }
    managed = draw(st.frozensets(st.sampled_from([*sorted(LISTS), NEW_LIST])))
    fields_pool = [*sorted(FIELDS), NEW_FIELD]
    wanted = draw(st.lists(st.sampled_from(EMAILS), unique=True, max_size=5))
    desired_contacts = tuple(
        sorted((draw(desired_contact(e, managed, fields_pool)) for e in wanted), key=lambda c: c.key)
    )
    desired = Desired(
        contacts=desired_contacts,
        managed_lists=managed,
        lists=(ListDef(NEW_LIST),) if NEW_LIST in managed else (),
        custom_fields=(CustomFieldDef(NEW_FIELD),),
        digest="sha256:property",
    )
    return state, desired


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[RunningServer, SimStore]]:
    store = SimStore()
    with start_server(create_app(SimConfig(token=TOKEN, rate_per_second=0, daily_quota=0), store)) as running:
        yield running, store


def _provider(url: str) -> CtctV3Provider:
    transport = Transport(
        f"{url}/v3",
        auth=BearerAuth(TOKEN),
        rate_per_second=0,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
    )
    return CtctV3Provider(transport, f"{url}/v3")


def _snapshot(url: str) -> dict[str, dict[str, Any]]:
    state = httpx.get(f"{url}/__sim__/state").json()
    list_names = {item["list_id"]: item["name"] for item in state["lists"]}
    field_names = {item["custom_field_id"]: item["name"] for item in state["custom_fields"]}
    out = {}
    for raw in state["contacts"]:
        o = to_observed(raw, list_names, field_names)
        out[o.key] = {
            "fields": dict(o.fields),
            "custom": dict(o.custom_fields),
            "lists": set(o.lists),
            "consent": o.consent,
            "updated_at": raw.get("updated_at"),
            "deleted": o.deleted,
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
    policy = PlanPolicy(provider="ctct-v3", target=provider.target, contact_opt_in_path=True)
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    report = apply_plan(plan, observed, provider, check_stale=False)
    assert report.ok, [r for r in report.results if r.outcome != Outcome.APPLIED]

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
        for name in (*SCALAR_FIELDS, "phone_numbers", "street_addresses"):
            if name not in d.fields:
                assert new["fields"][name] == old["fields"][name], f"{key}: undeclared {name} changed"
        for name, value in old["custom"].items():
            if name not in d.custom_fields:
                assert new["custom"].get(name) == value, f"{key}: undeclared custom field {name} changed"
        unmanaged = old["lists"] - desired.managed_lists if d.lists is not None else old["lists"]
        assert unmanaged <= new["lists"], f"{key}: unmanaged list membership lost"
        if d.lists is None:
            assert new["lists"] == old["lists"]
    assert store.illegal_log == [], store.illegal_log
