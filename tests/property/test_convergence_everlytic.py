"""The core promise on Everlytic, through both front-ends (REST and XML-RPC), for any live
account and any manifest:

1. convergence: apply the plan, plan again, and nothing is left to change;
2. preservation: every property no declared field maps to, every subscription on a list the
   manifest does not manage (and every SMS status) and every contact no manifest mentions is
   exactly as it was on the server;
3. merge writes: the simulator's request log shows that each write carried only properties of
   fields the manifest declares for that contact, never a read-only one, and that no request
   was refused;
4. consent: nobody who opted out is opted back in (the simulator logs no illegal attempt).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sim.everlytic_support import LiveSim, policy_for, serve_both

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
from reconciler.plan import Action, compute_plan
from reconciler.sim.everlytic.rules import READ_ONLY

EMAILS = [f"p{i}@example.com" for i in range(6)]
LISTS = {f"L{i}": i + 1 for i in range(4)}
NEW_LIST = "L_new"
CUSTOM = {"F0": "title", "F1": "department", "F2": "industry"}
ENV = {
    "EVERLYTIC_USERNAME": "sim-user",
    "EVERLYTIC_API_KEY": "sim-api-key",
    "RECONCILER_EVERLYTIC_CUSTOM_FIELDS": ",".join(f"{k}={v}" for k, v in CUSTOM.items()),
    "RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL": "owner@example.com",
}
# The properties each canonical field may write: the merge contract, stated independently of
# the provider's own mapping.
FIELD_PROPS: dict[str, set[str]] = {
    "first_name": {"name"},
    "last_name": {"lastname"},
    "job_title": {"company_position"},
    "company_name": {"company_name"},
    "birthday_month": {"birth_date"},
    "birthday_day": {"birth_date"},
    "phone_numbers": {"telephone_home", "telephone_office", "mobile"},
    "street_addresses": {"address", "city", "state", "zip", "country"},
}
SYSTEM_UPDATED = {"date_modified", "update_count"}
READ_METHODS = {
    "contacts.ListContacts",
    "contacts.GetContact",
    "lists.ListLists",
    "list._subscriptions.ListSubscriptions",
}
STATUSES = [("on", None), ("off", "contact"), ("suppressed", "contact"), ("off", "account")]
SUBSCRIPTIONS = [
    None,
    ("subscribed", ""),
    ("confirmed", "subscribed"),
    ("unconfirmed", ""),
    ("forwarded", ""),
    ("unsubscribed", "contact"),
    ("unsubscribed", "account"),
    ("", "subscribed"),  # SMS only
]

names = st.sampled_from(["Ann", "Bob", "Zoë", "O'Neil", "Lee-Ann", "Ng"])
text_or_none = st.one_of(st.none(), names)
numbers = st.sampled_from(["+1-555-0100", "020 7946 0000"])
phones = st.lists(
    st.fixed_dictionaries({"kind": st.sampled_from(["home", "work", "mobile"]), "number": numbers}),
    max_size=3,
    unique_by=lambda p: p["kind"],
)
addresses = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.just("work"),
            "street": st.sampled_from(["1 Main St", "9 Elm Rd"]),
            "city": st.sampled_from(["Boston", "Leeds"]),
            "country": st.sampled_from(["US", "GB"]),
        }
    ),
    max_size=1,
)
birthdays = st.one_of(st.none(), st.tuples(st.integers(1, 12), st.integers(1, 28)))
custom_values = st.sampled_from(["gold", "silver", "42"])


@st.composite
def live_contact(draw: st.DrawFn, email: str, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    status, by = draw(st.sampled_from(STATUSES))
    record: dict[str, Any] = {
        "id": index + 1,
        "email": email,
        "status": status,
        "date_create": 1_767_225_600,
        "date_modified": 1_767_225_600,
        "score": 2.5,
        "email_bounce_soft_count": 1,
    }
    if by:
        record["sim_status_by"] = by
    for prop in ("name", "lastname", "company_position", "company_name", *CUSTOM.values()):
        record[prop] = draw(text_or_none) or ""
    record["birth_date"] = draw(st.sampled_from(["", "1980-04-12", "0000-00-00", "1975-11-03"]))
    for prop in ("telephone_home", "telephone_office", "mobile", "telephone_fax"):
        record[prop] = draw(st.one_of(st.just(""), numbers))
    for address in draw(addresses):
        record.update(address=address["street"], city=address["city"], country=address["country"])
    record["gender"] = draw(st.sampled_from(["unknown", "female"]))
    subs = []
    for list_id in LISTS.values():
        choice = draw(st.sampled_from(SUBSCRIPTIONS))
        if choice is None:
            continue
        email_status, extra = choice
        sub: dict[str, Any] = {"list_id": list_id, "contact_id": index + 1, "email_status": email_status}
        if email_status == "unsubscribed":
            sub.update(sim_unsubscribed_by=extra, email_unsubscribed_date=1_769_904_000)
        else:
            sub["mobile_status"] = extra
        subs.append(sub)
    return record, subs


@st.composite
def desired_contact(draw: st.DrawFn, email: str, managed: frozenset[str]) -> DesiredContact:
    fields: dict[str, Any] = {}
    for name in draw(st.sets(st.sampled_from(["first_name", "last_name", "job_title", "company_name"]))):
        fields[name] = draw(text_or_none)
    if draw(st.booleans()):
        bd = draw(birthdays)
        fields["birthday_month"], fields["birthday_day"] = bd if bd else (None, None)
    if draw(st.booleans()):
        fields["phone_numbers"] = canonical_phones(draw(phones))
    if draw(st.booleans()):
        fields["street_addresses"] = canonical_addresses(draw(addresses))
    custom = {
        n: draw(st.one_of(st.none(), custom_values)) for n in draw(st.sets(st.sampled_from(sorted(CUSTOM))))
    }
    lists = draw(st.one_of(st.none(), st.frozensets(st.sampled_from(sorted(managed))))) if managed else None
    evidence = ConsentEvidence(at="2026-06-01T00:00:00Z", evidence="form#1") if draw(st.booleans()) else None
    cased = email.upper() if draw(st.booleans()) else email
    return DesiredContact(cased, SourceRef("m.yaml", 1), fields, custom, lists, evidence)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[dict[str, Any], Desired]:
    live_emails = draw(st.lists(st.sampled_from(EMAILS), unique=True, max_size=5))
    drawn = [draw(live_contact(e, i)) for i, e in enumerate(live_emails)]
    state = {
        "version": 1,
        "lists": [{"id": i, "name": n} for n, i in LISTS.items()],
        "contacts": [record for record, _subs in drawn],
        "subscriptions": [sub for _record, subs in drawn for sub in subs],
    }
    managed = draw(st.frozensets(st.sampled_from([*sorted(LISTS), NEW_LIST])))
    wanted = draw(st.lists(st.sampled_from(EMAILS), unique=True, max_size=5))
    contacts = tuple(sorted((draw(desired_contact(e, managed)) for e in wanted), key=lambda c: c.key))
    lists = (ListDef(NEW_LIST),) if NEW_LIST in managed else ()
    return state, Desired(contacts, managed, lists, (), {}, "sha256:property")


@pytest.fixture(scope="module")
def fronts() -> Iterator[dict[str, LiveSim]]:
    with serve_both() as both:
        yield both


@pytest.fixture(scope="module", params=["rest", "xmlrpc"])
def front(request: pytest.FixtureRequest, fronts: dict[str, LiveSim]) -> LiveSim:
    return fronts[request.param]


def _writes(front: LiveSim) -> list[tuple[str, Any, dict[str, Any]]]:
    """(kind, target, body) for every write in the request log: kind is "contact" (target: the
    contact id, or None for a create), "subscription" (target: list id) or "list"."""
    out: list[tuple[str, Any, dict[str, Any]]] = []
    for entry in front.admin("GET", "requests"):
        body, path = entry["body"], entry["path"]
        if front.variant == "xmlrpc":
            method, params = body["method"], body["params"]
            if method == "contacts.UpdateContact":
                out.append(("contact", params[0], params[1]))
            elif method == "contacts.CreateContact":
                out.append(("contact", None, params[0]))
            elif method == "list._subscriptions.ListSubscription":
                out.append(("subscription", params[0], params[1]))
            elif method not in READ_METHODS:
                out.append(("list" if method == "lists.CreateList" else method, None, {}))
        elif entry["method"] != "GET":
            if path.startswith("/api/2.0/contacts"):
                target = int(path.rsplit("/", 1)[1]) if entry["method"] == "PUT" else None
                out.append(("contact", target, body))
            elif path.startswith("/api/2.0/list_subscriptions/"):
                out.append(("subscription", int(path.rsplit("/", 1)[1]), body))
            else:
                out.append(("list" if path == "/api/2.0/lists" else path, None, body or {}))
    return out


def _allowed(d: DesiredContact) -> set[str]:
    props = {p for name in d.fields for p in FIELD_PROPS[name]}
    return props | {CUSTOM[name] for name in d.custom_fields}


def _check_request_log(
    front: LiveSim, before: dict[str, Any], after: dict[str, Any], desired: Desired
) -> None:
    declared = {c.key: c for c in desired.contacts}
    email_of = {c["id"]: email_key(c["email"]) for c in [*before["contacts"], *after["contacts"]]}
    list_names = {item["id"]: item["name"] for item in after["lists"]}
    old_subs = {(s["list_id"], s["contact_id"]): s for s in before["subscriptions"]}
    for kind, target, body in _writes(front):
        if kind == "contact":
            assert not READ_ONLY & body.keys(), f"read-only property sent: {body}"
            key = email_key(body["email"]) if target is None else email_of[target]
            extra = {"email", "list_id"} if target is None else set()
            undeclared = body.keys() - _allowed(declared[key]) - extra
            assert not undeclared, f"{key}: sent {sorted(undeclared)}, which the manifest does not declare"
        elif kind == "subscription":
            assert body.keys() <= {"list_id", "contact_id", "email_status", "mobile_status"}, body
            assert list_names[target] in desired.managed_lists, f"subscription written on unmanaged {target}"
            assert email_of[body["contact_id"]] in declared
            if "mobile_status" in body:
                old = old_subs.get((target, body["contact_id"]))
                assert body["mobile_status"] == (old["mobile_status"] if old else ""), "SMS status changed"
        else:
            assert kind == "list", f"unexpected write {kind}"


def _by_email(state: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[int, dict[str, Any]]]]:
    subs: dict[int, dict[int, dict[str, Any]]] = {}
    for s in state["subscriptions"]:
        subs.setdefault(s["contact_id"], {})[s["list_id"]] = s
    return {email_key(c["email"]): (c, subs.get(c["id"], {})) for c in state["contacts"]}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(scenario())
def test_apply_then_plan_converges_sends_only_declared_fields_and_preserves_the_rest(
    front: LiveSim, case: tuple[dict[str, Any], Desired]
) -> None:
    state, desired = case
    front.store.load_state(state)
    front.admin("DELETE", "requests")
    before = front.store.to_state()

    provider = front.provider(ENV)
    policy = policy_for(provider)
    observed = provider.read()
    plan = compute_plan(desired, observed, policy)
    report = apply_plan(plan, observed, provider, check_stale=True)
    assert report.ok, [r for r in report.results if r.outcome != Outcome.APPLIED]

    replan = compute_plan(desired, provider.read(), policy)
    provider.close()
    assert not replan.has_changes, replan.to_json()
    refused = {email_key(c.email) for c in plan.changes if c.action == Action.REFUSE}
    assert {email_key(c.email) for c in replan.changes} == refused

    after = front.store.to_state()
    _check_request_log(front, before, after, desired)
    assert front.admin("GET", "refused") == [], "the simulator refused a request"
    assert front.store.illegal_log == []

    declared = {c.key: c for c in desired.contacts}
    new = _by_email(after)
    for key, (old_record, old_subs) in _by_email(before).items():
        record, subs = new[key]
        d = declared.get(key)
        if d is None or key in refused:
            assert (record, subs) == (old_record, old_subs), (
                f"{key} was not managed (or was refused) but changed"
            )
            continue
        untouchable = old_record.keys() - _allowed(d) - SYSTEM_UPDATED
        assert {k: record[k] for k in untouchable} == {k: old_record[k] for k in untouchable}, key
        managed_ids = (
            {LISTS[n] for n in desired.managed_lists if n in LISTS} if d.lists is not None else set()
        )
        for list_id, sub in old_subs.items():
            if list_id not in managed_ids:
                assert subs.get(list_id) == sub, f"{key}: subscription on unmanaged list {list_id} changed"
            elif sub["mobile_status"]:
                assert subs[list_id]["mobile_status"] == sub["mobile_status"], f"{key}: SMS status lost"
