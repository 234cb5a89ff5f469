"""v2 wire mapping: reads canonicalise (statuses, phone slots, PERSONAL/BUSINESS addresses,
custom-field slots), PUT bodies are the live record less read-only properties plus the plan."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.errors import ConfigError
from reconciler.model import Consent
from reconciler.plan import Action, Change, FieldChange
from reconciler.providers.ctct_v2.fields import Unstorable, addresses_to_wire, phones_to_wire
from reconciler.providers.ctct_v2.mapping import build_create_body, build_put_body, to_observed
from reconciler.providers.ctct_v2.settings import DEFAULT_SLOT_MAP, SlotNames

SLOTS = SlotNames.parse(DEFAULT_SLOT_MAP)
LIST_IDS = {"Newsletter": "1", "Customers": "2", "Partners": "3"}
LIST_NAMES = {v: k for k, v in LIST_IDS.items()}
LIVE: dict[str, Any] = {
    "id": "238",
    "status": "ACTIVE",
    "prefix_name": "Ms.",
    "first_name": "Jane",
    "middle_name": "Q",
    "last_name": "Doe",
    "job_title": "VP",
    "company_name": "Acme",
    "work_phone": "555-1213",
    "fax": "555-1212",
    "addresses": [
        {"id": "a1", "line1": "1601 Trapelo Rd", "line2": "Suite 329", "city": "Waltham",
         "address_type": "PERSONAL", "state_code": "MA", "country_code": "us", "postal_code": "01720",
         "sub_postal_code": "7885"},
    ],
    "email_addresses": [
        {"id": "e1", "status": "ACTIVE", "confirm_status": "NO_CONFIRMATION_REQUIRED",
         "opt_in_source": "ACTION_BY_SYSTEM", "opt_in_date": "2012-09-17T14:40:41.271Z",
         "email_address": "jane@example.com"},
    ],
    "lists": [{"id": "1", "status": "ACTIVE"}, {"id": "3", "status": "HIDDEN"}],
    "custom_fields": [
        {"name": "CustomField1", "value": "silver"},
        {"name": "CustomField3", "value": "webinar"},
        {"name": "CustomField9", "value": "kept"},
    ],
    "notes": [{"id": "n1", "note": "met at expo", "created_date": "2012-12-03T17:09:22.702Z"}],
    "confirmed": False,
    "source": "API",
    "source_details": "69f9",
    "created_date": "2012-01-01T00:00:00.000Z",
    "modified_date": "2013-01-01T00:00:00.000Z",
}


def change(**kw: Any) -> Change:
    return Change(action=Action.UPDATE, email="jane@example.com", source="m.yaml:1", contact_id="238", **kw)


def test_read_maps_slots_names_phones_and_addresses() -> None:
    o = to_observed(LIVE, LIST_NAMES, SLOTS)
    assert o.contact_id == "238" and o.email == "jane@example.com"
    assert o.updated_at == "2013-01-01T00:00:00.000Z"
    assert o.lists == {"Newsletter", "Partners"}
    assert o.custom_fields == {"Tier": "silver", "Lead_Source": "webinar", "CustomField9": "kept"}
    assert o.fields["phone_numbers"] == [{"kind": "other", "number": "555-1212"},
                                         {"kind": "work", "number": "555-1213"}]
    assert o.fields["street_addresses"] == [
        {"kind": "home", "street": "1601 Trapelo Rd\nSuite 329", "city": "Waltham", "state": "MA",
         "postal_code": "01720", "country": "US"}
    ]
    assert o.consent == Consent.SUBSCRIBED and not o.deleted
    assert "birthday_month" not in o.fields and "anniversary" not in o.fields


@pytest.mark.parametrize(
    ("status", "consent"),
    [
        ("ACTIVE", Consent.SUBSCRIBED),
        ("UNCONFIRMED", Consent.PENDING),
        ("TEMP_HOLD", Consent.TEMP_HOLD),
        ("OPTOUT", Consent.UNSUBSCRIBED_BY_CONTACT),  # v2 cannot say who: the safe reading
        ("REMOVED", Consent.NOT_SET),
        ("NON_SUBSCRIBER", Consent.NOT_SET),
        ("VISITOR", Consent.NOT_SET),
    ],
)
def test_every_status_maps_to_a_consent(status: str, consent: Consent) -> None:
    email = dict(LIVE["email_addresses"][0], status=status, opt_out_date="2026-02-01T00:00:00.000Z")
    o = to_observed({**LIVE, "status": status, "email_addresses": [email]}, LIST_NAMES, SLOTS)
    assert o.consent == consent
    assert o.opted_out_at == ("2026-02-01T00:00:00.000Z" if status == "OPTOUT" else None)


def test_removed_is_on_no_list_not_deleted() -> None:
    """REMOVED == on no list in v2; reporting it deleted would plan an endless revive for any
    contact a manifest keeps off lists."""
    o = to_observed({**LIVE, "status": "REMOVED", "lists": []}, LIST_NAMES, SLOTS)
    assert not o.deleted and o.lists == frozenset()


def test_put_body_is_the_live_record_without_read_only_properties() -> None:
    body = build_put_body(LIVE, change(), LIST_IDS, SLOTS)
    read_only = ("id", "status", "confirmed", "source", "source_details", "created_date", "modified_date")
    assert not set(read_only) & set(body)
    # Unmanaged writable properties ride along, or the PUT would null them.
    assert body["prefix_name"] == "Ms." and body["middle_name"] == "Q" and body["fax"] == "555-1212"
    assert body["addresses"] == [{k: v for k, v in LIVE["addresses"][0].items() if k != "id"}]
    assert body["notes"] == [{"id": "n1", "note": "met at expo"}]
    assert body["lists"] == [{"id": "1"}, {"id": "3"}]
    assert body["custom_fields"] == [{"name": n, "value": v} for n, v in
                                     (("CustomField1", "silver"), ("CustomField3", "webinar"),
                                      ("CustomField9", "kept"))]


def test_put_body_normalises_action_by_system_which_a_write_may_not_repeat() -> None:
    body = build_put_body(LIVE, change(), LIST_IDS, SLOTS)
    (email,) = body["email_addresses"]
    assert email == {"email_address": "jane@example.com", "opt_in_source": "ACTION_BY_OWNER"}


def test_put_body_applies_only_the_plan() -> None:
    c = change(
        fields=(
            FieldChange(path="job_title", before="VP", after="CTO"),
            FieldChange(path="company_name", before="Acme", after=None),
            FieldChange(path="custom_fields.Tier", before="silver", after="gold"),
            FieldChange(path="custom_fields.Lead_Source", before="webinar", after=None),
            FieldChange(path="custom_fields.Region", before=None, after="EMEA"),
        ),
        lists_add=("Customers",),
        lists_remove=("Newsletter",),
    )
    body = build_put_body(LIVE, c, LIST_IDS, SLOTS)
    assert body["job_title"] == "CTO" and "company_name" not in body
    assert body["lists"] == [{"id": "3"}, {"id": "2"}]  # Partners is unmanaged and stays
    assert {cf["name"]: cf["value"] for cf in body["custom_fields"]} == {
        "CustomField1": "gold", "CustomField9": "kept", "CustomField2": "EMEA",
    }
    assert body["first_name"] == "Jane" and body["addresses"][0]["line2"] == "Suite 329"


def test_phone_changes_rewrite_all_four_slots() -> None:
    c = change(fields=(FieldChange(path="phone_numbers", after=[{"kind": "mobile", "number": "555-0199"}]),))
    body = build_put_body(LIVE, c, LIST_IDS, SLOTS)
    assert body["cell_phone"] == "555-0199"
    assert "work_phone" not in body and "fax" not in body and "home_phone" not in body


def test_an_unchanged_address_keeps_its_live_entry_and_a_new_one_is_built() -> None:
    home = to_observed(LIVE, LIST_NAMES, SLOTS).fields["street_addresses"][0]
    work = {"kind": "work", "street": "1 Main St\nFloor 2", "city": "Boston", "state": "MA",
            "postal_code": "02108", "country": "US"}
    wire = addresses_to_wire([work, home], LIVE["addresses"])
    assert wire[0]["sub_postal_code"] == "7885"  # home, kept whole
    assert wire[1] == {"address_type": "BUSINESS", "line1": "1 Main St", "line2": "Floor 2",
                       "state_code": "MA", "city": "Boston", "postal_code": "02108", "country_code": "US"}
    named_state = addresses_to_wire([{"kind": "home", "state": "Greater London", "country": "GB"}], [])
    assert named_state[0]["state"] == "Greater London" and "state_code" not in named_state[0]


@pytest.mark.parametrize(
    "wanted",
    [
        [{"kind": "other", "street": "x"}],
        [{"kind": "home", "street": "a"}, {"kind": "home", "street": "b"}],
        [{"kind": "home", "street": "1\n2\n3\n4"}],
    ],
)
def test_addresses_v2_cannot_hold_are_refused_not_silently_dropped(wanted: list[dict[str, Any]]) -> None:
    with pytest.raises(Unstorable):
        addresses_to_wire(wanted, [])


def test_two_phones_of_one_kind_are_refused() -> None:
    with pytest.raises(Unstorable, match="one work phone"):
        phones_to_wire([{"kind": "work", "number": "1"}, {"kind": "work", "number": "2"}])


def test_create_body_has_the_email_lists_fields_and_slots() -> None:
    c = Change(
        action=Action.CREATE, email="frank@example.com", source="m.yaml:9",
        fields=(FieldChange(path="first_name", after="Frank"),
                FieldChange(path="phone_numbers", after=[{"kind": "mobile", "number": "+1-555-0199"}]),
                FieldChange(path="custom_fields.Tier", after="bronze")),
        lists_add=("Newsletter",),
    )
    assert build_create_body(c, LIST_IDS, SLOTS) == {
        "email_addresses": [{"email_address": "frank@example.com"}],
        "lists": [{"id": "1"}],
        "first_name": "Frank",
        "cell_phone": "+1-555-0199",
        "custom_fields": [{"name": "CustomField1", "value": "bronze"}],
    }


def test_slot_map_default_empty_and_errors() -> None:
    assert SLOTS.by_name["Tier"] == "CustomField1" and SLOTS.by_slot["CustomField7"] == "CustomField7"
    assert SlotNames.from_env({}).by_name["Region"] == "CustomField2"
    bare = SlotNames.from_env({"RECONCILER_CTCT_V2_CUSTOM_FIELDS": ""})
    assert "Tier" not in bare.by_name and len(bare.free_slots()) == 15
    assert SlotNames.parse(" Tier = customfield15 ").by_name["Tier"] == "CustomField15"
    for bad in ("Tier", "Tier=CustomField16", "Tier=CustomField1,Region=CustomField1",
                "Tier=CustomField1,Tier=CustomField2", "CustomField2=CustomField1"):
        with pytest.raises(ConfigError, match="RECONCILER_CTCT_V2_CUSTOM_FIELDS"):
            SlotNames.parse(bad)
