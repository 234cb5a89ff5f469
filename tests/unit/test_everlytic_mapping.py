"""Everlytic wire <-> canonical mapping: reads, consent, and write bodies that carry exactly
the planned properties (merge semantics) and never a read-only one."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.errors import ConfigError
from reconciler.model import Consent
from reconciler.plan import Action, Change, FieldChange
from reconciler.providers.everlytic import CAPABILITIES, XMLRPC_CAPABILITIES, api_root, build, build_xmlrpc
from reconciler.providers.everlytic.mapping import (
    SUPPORTED_FIELDS,
    UnstorableValue,
    consent_of,
    create_body,
    subscription_body,
    to_observed,
    update_properties,
)
from reconciler.providers.everlytic.settings import EverlyticSettings, parse_custom_fields
from reconciler.sim.everlytic.rules import READ_ONLY

SETTINGS = EverlyticSettings(custom_fields={"Tier": "department", "Region": "industry"})
LIVE: dict[str, Any] = {
    "id": 7,
    "email": "ann@example.com",
    "name": "Ann",
    "lastname": "Lee",
    "company_position": "CTO",
    "company_name": "Acme",
    "title": "Dr",
    "department": "gold",
    "industry": "",
    "birth_date": "1980-04-12",
    "telephone_office": "+1-555-0100",
    "telephone_home": "",
    "mobile": "+1-555-0199",
    "telephone_fax": "+1-555-0000",
    "address": "1 Main St",
    "city": "Boston",
    "state": "",
    "zip": "02108",
    "country": "US",
    "status": "on",
    "date_modified": 1_767_225_600,
    "score": 4.5,
}
LIVE_ADDRESS = {
    "kind": "work",
    "street": "1 Main St",
    "city": "Boston",
    "state": None,
    "postal_code": "02108",
    "country": "US",
}  # LIVE's address, canonical


def _change(*fields: FieldChange, contact_id: str | None = "7", **kw: Any) -> Change:
    action = Action.UPDATE if contact_id else Action.CREATE
    return Change(
        action=action, email="ann@example.com", source="m.yaml:1", contact_id=contact_id, fields=fields, **kw
    )


def _sub(status: str, **kw: Any) -> dict[str, Any]:
    return {"email_status": status, "mobile_status": "", **kw}


def test_read_maps_every_supported_field() -> None:
    contact = to_observed(
        LIVE, {"1": _sub("subscribed"), "2": _sub("unconfirmed")}, {"1": "News", "2": "VIP"}, SETTINGS
    )
    assert contact is not None
    assert contact.contact_id == "7" and contact.updated_at == "2026-01-01T00:00:00Z"
    assert contact.fields == {
        "first_name": "Ann",
        "last_name": "Lee",
        "job_title": "CTO",
        "company_name": "Acme",
        "birthday_month": 4,
        "birthday_day": 12,
        "phone_numbers": [
            {"kind": "mobile", "number": "+1-555-0199"},
            {"kind": "work", "number": "+1-555-0100"},
        ],
        "street_addresses": [LIVE_ADDRESS],
    }
    assert contact.custom_fields == {"Tier": "gold"}  # empty properties are absent, unmapped ones unseen
    assert contact.lists == {"News", "VIP"} and contact.consent == Consent.SUBSCRIBED
    assert "anniversary" not in SUPPORTED_FIELDS and CAPABILITIES.fields == XMLRPC_CAPABILITIES.fields


def test_read_skips_contacts_without_email_and_unsets_zero_dates() -> None:
    assert to_observed({**LIVE, "email": ""}, {}, {}, SETTINGS) is None
    contact = to_observed(
        {**LIVE, "birth_date": "0000-00-00", "address": "", "city": "", "zip": "", "country": ""},
        {},
        {},
        SETTINGS,
    )
    assert contact is not None
    assert (contact.fields["birthday_month"], contact.fields["birthday_day"]) == (None, None)
    assert contact.fields["street_addresses"] == []
    assert contact.consent == Consent.NOT_SET


@pytest.mark.parametrize(
    ("status", "subs", "expected"),
    [
        ("on", [_sub("subscribed")], Consent.SUBSCRIBED),
        ("on", [_sub("confirmed"), _sub("forwarded")], Consent.SUBSCRIBED),
        ("on", [_sub("unconfirmed")], Consent.PENDING),
        ("on", [], Consent.NOT_SET),
        (
            "on",
            [
                _sub(""),
            ],
            Consent.NOT_SET,
        ),
        ("on", [_sub("subscribed"), _sub("unsubscribed")], Consent.UNSUBSCRIBED_BY_CONTACT),
        ("suppressed", [_sub("subscribed")], Consent.UNSUBSCRIBED_BY_CONTACT),
        ("off", [], Consent.UNSUBSCRIBED_BY_CONTACT),
    ],
)
def test_consent_never_reads_an_opt_out_as_the_accounts(
    status: str, subs: list[dict[str, Any]], expected: Consent
) -> None:
    assert consent_of(status, subs)[0] == expected


def test_opted_out_at_is_the_latest_unsubscribe() -> None:
    subs = [
        _sub("unsubscribed", email_unsubscribed_date=1_767_225_600),
        _sub("unsubscribed", email_unsubscribed_date=0),
    ]
    assert consent_of("on", subs) == (Consent.UNSUBSCRIBED_BY_CONTACT, "2026-01-01T00:00:00Z")


def test_update_sends_exactly_the_planned_properties() -> None:
    change = _change(
        FieldChange(path="last_name", before="Lee", after="Roe"),
        FieldChange(path="job_title", before="CTO", after=None),
        FieldChange(path="custom_fields.Region", before=None, after="EMEA"),
    )
    assert update_properties(change, LIVE, SETTINGS) == {
        "lastname": "Roe",
        "company_position": "",
        "industry": "EMEA",
    }


def test_phones_and_address_send_only_the_properties_that_change() -> None:
    before = [{"kind": "mobile", "number": "+1-555-0199"}, {"kind": "work", "number": "+1-555-0100"}]
    after = [{"kind": "home", "number": "1"}, {"kind": "work", "number": "+1-555-0100"}]
    change = _change(FieldChange(path="phone_numbers", before=before, after=after))
    assert update_properties(change, LIVE, SETTINGS) == {"telephone_home": "1", "mobile": ""}
    address = LIVE_ADDRESS
    moved = _change(
        FieldChange(
            path="street_addresses", before=[address], after=[{**address, "city": "Leeds", "country": "GB"}]
        )
    )
    assert update_properties(moved, LIVE, SETTINGS) == {"city": "Leeds", "country": "GB"}
    cleared = _change(FieldChange(path="street_addresses", before=[address], after=[]))
    assert update_properties(cleared, LIVE, SETTINGS) == {"address": "", "city": "", "zip": "", "country": ""}


def test_birthday_keeps_the_records_year_or_writes_a_leap_placeholder() -> None:
    month = _change(FieldChange(path="birthday_month", before=4, after=2))
    assert update_properties(month, LIVE, SETTINGS) == {"birth_date": "1980-02-12"}
    both = _change(FieldChange(path="birthday_month", after=2), FieldChange(path="birthday_day", after=29))
    assert update_properties(both, {**LIVE, "birth_date": ""}, SETTINGS) == {"birth_date": "1904-02-29"}
    cleared = _change(
        FieldChange(path="birthday_month", after=None), FieldChange(path="birthday_day", after=None)
    )
    assert update_properties(cleared, LIVE, SETTINGS) == {"birth_date": ""}
    with pytest.raises(UnstorableValue, match="together"):
        update_properties(
            _change(FieldChange(path="birthday_day", after=3)), {**LIVE, "birth_date": ""}, SETTINGS
        )


@pytest.mark.parametrize(
    "change",
    [
        _change(FieldChange(path="phone_numbers", after=[{"kind": "other", "number": "1"}])),
        _change(
            FieldChange(
                path="phone_numbers", after=[{"kind": "work", "number": "1"}, {"kind": "work", "number": "2"}]
            )
        ),
        _change(FieldChange(path="street_addresses", after=[{"kind": "home", "street": "x"}])),
        _change(
            FieldChange(path="street_addresses", after=[{"kind": "work"}, {"kind": "work", "city": "y"}])
        ),
        _change(FieldChange(path="anniversary", after="2019-06-01")),
        _change(FieldChange(path="custom_fields.Unmapped", after="x")),
    ],
)
def test_values_everlytic_cannot_hold_are_refused_before_anything_is_sent(change: Change) -> None:
    with pytest.raises(UnstorableValue) as caught:
        update_properties(change, LIVE, SETTINGS)
    assert caught.value.contact == "ann@example.com"


def test_no_write_ever_names_a_read_only_property() -> None:
    every = _change(
        *(
            FieldChange(path=name, after=None)
            for name in ("first_name", "last_name", "job_title", "company_name")
        ),
        FieldChange(path="phone_numbers", before=[], after=[{"kind": "home", "number": "1"}]),
        FieldChange(path="custom_fields.Tier", after="x"),
    )
    assert not READ_ONLY & update_properties(every, LIVE, SETTINGS).keys()


def test_create_body_has_no_upsert_and_subscribes_the_planned_lists() -> None:
    change = _change(
        FieldChange(path="first_name", after="Ann"),
        FieldChange(path="phone_numbers", after=[{"kind": "mobile", "number": "9"}]),
        contact_id=None,
        lists_add=("News",),
    )
    assert create_body(change, {"News": "3", "Other": "4"}, SETTINGS) == {
        "email": "ann@example.com",
        "name": "Ann",
        "mobile": "9",
        "list_id": {"3": "subscribed"},
    }


def test_subscription_bodies_keep_the_sms_status_as_it_was() -> None:
    assert subscription_body("3", "7", None, add=True) == {
        "list_id": 3,
        "contact_id": 7,
        "email_status": "subscribed",
    }
    assert subscription_body("3", "7", _sub("subscribed"), add=False) == {
        "list_id": 3,
        "contact_id": 7,
        "email_status": "",
        "mobile_status": "",
    }
    sms = _sub("subscribed", mobile_status="confirmed")
    assert subscription_body("3", "7", sms, add=False)["mobile_status"] == "confirmed"
    assert subscription_body("3", "7", sms, add=True)["mobile_status"] == "confirmed"


def test_custom_field_and_address_settings_are_validated() -> None:
    assert parse_custom_fields(" Tier = department , Region=industry") == {
        "Tier": "department",
        "Region": "industry",
    }
    for bad in ("Tier", "Tier=name", "Tier=department,Tier=industry", "A=title,B=title"):
        with pytest.raises(ConfigError):
            parse_custom_fields(bad)
    with pytest.raises(ConfigError):
        EverlyticSettings.from_env({"RECONCILER_EVERLYTIC_ADDRESS_KIND": "billing"})
    assert EverlyticSettings.from_env({}).custom_fields == {}  # off by default: nothing is overwritten


def test_base_url_is_completed_and_must_be_https_off_loopback() -> None:
    assert api_root("https://acme.everlytic.net") == "https://acme.everlytic.net/api/2.0"
    assert api_root("https://acme.everlytic.net/api/2.0/xmlrpc/") == "https://acme.everlytic.net/api/2.0"
    assert api_root("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/api/2.0"
    for bad in ("http://acme.everlytic.net", "acme.everlytic.net", "ftp://x"):
        with pytest.raises(ConfigError):
            api_root(bad)


@pytest.mark.parametrize("factory", [build, build_xmlrpc])
def test_credentials_come_from_the_environment_or_files(factory: Any, tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="EVERLYTIC_USERNAME and EVERLYTIC_API_KEY"):
        factory(None, {}, 1.0)
    key_file = tmp_path / "key"
    key_file.write_text("file-key-123\n")
    provider = factory(None, {"EVERLYTIC_USERNAME": "u", "EVERLYTIC_API_KEY_FILE": str(key_file)}, 1.0)
    assert provider.target == "https://live.everlytic.net/api/2.0"
    provider.close()
    with pytest.raises(ConfigError, match="cannot read"):
        factory(None, {"EVERLYTIC_USERNAME": "u", "EVERLYTIC_API_KEY_FILE": str(tmp_path / "none")}, 1.0)
