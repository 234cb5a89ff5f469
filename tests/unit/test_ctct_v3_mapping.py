"""v3 wire mapping: reads canonicalise, PUT bodies are the live record plus the plan only."""

from __future__ import annotations

from typing import Any

from reconciler.model import Consent
from reconciler.plan import Action, Change, ConsentChange, FieldChange
from reconciler.providers.ctct_v3.mapping import (
    build_create_body,
    build_put_body,
    normalise_anniversary,
    to_observed,
)

LIST_IDS = {"Newsletter": "l-news", "Partners": "l-part", "Customers": "l-cust"}
FIELD_IDS = {"Tier": "f-tier", "Source": "f-src"}
LIVE: dict[str, Any] = {
    "contact_id": "c-1",
    "email_address": {
        "address": "jane@example.com",
        "permission_to_send": "implicit",
        "opt_in_source": "Account",
        "created_at": "2026-01-01T00:00:00Z",
    },
    "first_name": "Jane",
    "last_name": "Doe",
    "job_title": "VP",
    "company_name": "Acme",
    "birthday_month": 4,
    "birthday_day": 12,
    "anniversary": "06/01/2019",
    "create_source": "Account",
    "created_at": "2026-01-01T00:00:00Z",
    "updated_at": "2026-01-02T00:00:00Z",
    "custom_fields": [
        {"custom_field_id": "f-tier", "value": "silver"},
        {"custom_field_id": "f-src", "value": "web"},
    ],
    "phone_numbers": [{"phone_number_id": "p1", "phone_number": "+1-555", "kind": "work"}],
    "list_memberships": ["l-news", "l-part"],
}


def change(**kw: Any) -> Change:
    return Change(action=Action.UPDATE, email="jane@example.com", source="m.yaml:1", contact_id="c-1", **kw)


def test_read_maps_names_consent_and_canonical_anniversary() -> None:
    o = to_observed(LIVE, {v: k for k, v in LIST_IDS.items()}, {v: k for k, v in FIELD_IDS.items()})
    assert o.lists == {"Newsletter", "Partners"}
    assert o.custom_fields == {"Tier": "silver", "Source": "web"}
    assert o.fields["anniversary"] == "2019-06-01"
    assert o.fields["phone_numbers"] == [{"kind": "work", "number": "+1-555"}]
    assert o.consent == Consent.SUBSCRIBED


def test_unsubscribed_without_a_source_is_treated_as_the_contacts_own() -> None:
    raw = {**LIVE, "email_address": {"address": "a@x", "permission_to_send": "unsubscribed"}}
    assert to_observed(raw, {}, {}).consent == Consent.UNSUBSCRIBED_BY_CONTACT


def test_put_body_resends_every_core_field_and_changes_only_the_planned_one() -> None:
    body = build_put_body(
        LIVE, change(fields=(FieldChange(path="job_title", before="VP", after="CTO"),)), LIST_IDS, FIELD_IDS
    )
    assert body["job_title"] == "CTO"
    for name in ("first_name", "last_name", "company_name", "birthday_month", "birthday_day", "anniversary"):
        assert body[name] == LIVE[name]
    assert body["email_address"] == {"address": "jane@example.com", "permission_to_send": "implicit"}
    assert body["update_source"] == "Account"


def test_put_body_omits_subresources_the_plan_does_not_touch() -> None:
    body = build_put_body(
        LIVE, change(fields=(FieldChange(path="first_name", after="J"),)), LIST_IDS, FIELD_IDS
    )
    assert not {"custom_fields", "phone_numbers", "list_memberships", "street_addresses"} & body.keys()


def test_put_body_drops_read_only_properties() -> None:
    body = build_put_body(LIVE, change(), LIST_IDS, FIELD_IDS)
    assert not {"contact_id", "created_at", "updated_at", "create_source"} & body.keys()
    assert "opt_in_source" not in body["email_address"]


def test_custom_field_change_keeps_unmanaged_custom_fields() -> None:
    body = build_put_body(
        LIVE, change(fields=(FieldChange(path="custom_fields.Tier", after="gold"),)), LIST_IDS, FIELD_IDS
    )
    assert sorted(body["custom_fields"], key=lambda c: c["custom_field_id"]) == [
        {"custom_field_id": "f-src", "value": "web"},
        {"custom_field_id": "f-tier", "value": "gold"},
    ]


def test_list_change_sends_the_complete_set_keeping_unmanaged_lists() -> None:
    body = build_put_body(
        LIVE, change(lists_add=("Customers",), lists_remove=("Newsletter",)), LIST_IDS, FIELD_IDS
    )
    assert body["list_memberships"] == ["l-part", "l-cust"]


def test_account_opt_in_sets_implicit_permission() -> None:
    consent = ConsentChange(before=Consent.UNSUBSCRIBED_BY_ACCOUNT, after=Consent.SUBSCRIBED, path="account")
    live = {
        **LIVE,
        "email_address": {
            "address": "jane@example.com",
            "permission_to_send": "unsubscribed",
            "opt_out_reason": "x",
        },
    }
    body = build_put_body(
        live, change(lists_add=("Customers",), consent=consent), LIST_IDS, FIELD_IDS, permission="implicit"
    )
    assert body["email_address"] == {"address": "jane@example.com", "permission_to_send": "implicit"}


def test_create_body_has_create_source_and_implicit_permission() -> None:
    c = Change(
        action=Action.CREATE,
        email="new@x.com",
        source="m:1",
        fields=(
            FieldChange(path="first_name", after="N"),
            FieldChange(path="custom_fields.Tier", after="gold"),
            FieldChange(path="phone_numbers", after=[{"kind": "mobile", "number": "1"}]),
        ),
        lists_add=("Newsletter",),
    )
    body = build_create_body(c, LIST_IDS, FIELD_IDS)
    assert body == {
        "email_address": {"address": "new@x.com", "permission_to_send": "implicit"},
        "create_source": "Account",
        "first_name": "N",
        "phone_numbers": [{"phone_number": "1", "kind": "mobile"}],
        "custom_fields": [{"custom_field_id": "f-tier", "value": "gold"}],
        "list_memberships": ["l-news"],
    }


def test_anniversary_spellings_normalise() -> None:
    assert {normalise_anniversary(v) for v in ("2019-06-01", "2019/6/1", "06/01/2019", "6-1-2019")} == {
        "2019-06-01"
    }
