"""v1 wire mapping: reads canonicalise, PUT bodies are the entry as read plus the plan only,
XML is parsed safely, and the provider's settings and credentials are read as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ConfigError, PlanError
from reconciler.model import Consent, CustomFieldDef
from reconciler.plan import Action, Change, FieldChange
from reconciler.providers.ctct_v1 import CAPABILITIES, V1Settings, build, service_root
from reconciler.providers.ctct_v1.atom import ATOM, CTCT, XmlError, parse, serialize
from reconciler.providers.ctct_v1.lists import is_system_list
from reconciler.providers.ctct_v1.mapping import (
    UnstorableValue,
    build_create_entry,
    build_put_entry,
    consent_of,
    contact_of,
    to_observed,
)
from reconciler.providers.ctct_v1.settings import parse_slot_map

U = "http://api.constantcontact.com/ws/customers/joe"
LIST_IDS = {"Newsletter": f"{U}/lists/1", "Partners": f"{U}/lists/3", "Customers": f"{U}/lists/2"}
NAMES = {"1": "Newsletter", "2": "Customers", "3": "Partners"}
SETTINGS = V1Settings.create()
RAW = f"""<?xml version="1.0" encoding="UTF-8"?>
<entry xmlns="http://www.w3.org/2005/Atom">
  <link href="/ws/customers/joe/contacts/7" rel="edit" />
  <id>{U}/contacts/7</id>
  <title type="text">Contact: jane@example.com</title>
  <updated>2026-01-02T00:00:00.000Z</updated>
  <author><name>Constant Contact</name></author>
  <content type="application/vnd.ctct+xml">
    <Contact xmlns="http://ws.constantcontact.com/ns/1.0/" id="{U}/contacts/7">
      <Status>Active</Status>
      <EmailAddress>jane@example.com</EmailAddress>
      <EmailType>HTML</EmailType>
      <Name>Jane D &amp; Co</Name>
      <FirstName>Jane</FirstName>
      <MiddleName></MiddleName>
      <LastName>Doe</LastName>
      <JobTitle>VP</JobTitle>
      <CompanyName>Acme</CompanyName>
      <HomePhone></HomePhone>
      <WorkPhone>+1-555</WorkPhone>
      <Addr1>1 Main St</Addr1>
      <Addr2>Suite 2</Addr2>
      <Addr3></Addr3>
      <City>Boston</City>
      <StateCode>MA</StateCode>
      <StateName>Massachusetts</StateName>
      <CountryCode></CountryCode>
      <CountryName>United States</CountryName>
      <PostalCode>02108</PostalCode>
      <SubPostalCode>1234</SubPostalCode>
      <Note>keep</Note>
      <CustomField1>silver</CustomField1>
      <CustomField3>web</CustomField3>
      <CustomField9>slot nine</CustomField9>
      <InsertTime>2026-01-01T00:00:00.000Z</InsertTime>
      <LastUpdateTime>2026-01-02T00:00:00.000Z</LastUpdateTime>
      <OptInSource>ACTION_BY_CONTACT</OptInSource>
      <ContactLists>
        <ContactList id="{U}/lists/1"><OptInSource>ACTION_BY_CUSTOMER</OptInSource></ContactList>
        <ContactList id="{U}/lists/3"><OptInTime>2026-01-01T00:00:00.000Z</OptInTime></ContactList>
        <ContactList id="{U}/lists/active" />
      </ContactLists>
    </Contact>
  </content>
</entry>""".encode()


def change(**kw: Any) -> Change:
    return Change(action=Action.UPDATE, email="jane@example.com", source="m.yaml:1", contact_id="7", **kw)


def text(raw: bytes, name: str) -> str | None:
    found = contact_of(parse(raw)).find(f"{{{CTCT}}}{name}")
    return None if found is None else (found.text or "")


def test_read_maps_names_slots_phones_address_and_consent() -> None:
    o = to_observed(parse(RAW), NAMES, SETTINGS)
    assert (o.email, o.contact_id, o.updated_at) == ("jane@example.com", "7", "2026-01-02T00:00:00.000Z")
    assert o.lists == {"Newsletter", "Partners"}
    assert o.custom_fields == {"Tier": "silver", "Lead_Source": "web", "CustomField9": "slot nine"}
    assert o.fields["phone_numbers"] == [{"kind": "work", "number": "+1-555"}]
    assert o.fields["street_addresses"] == [
        {
            "kind": "work",
            "street": "1 Main St\nSuite 2",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02108",
            "country": "United States",
        }
    ]
    assert o.consent == Consent.SUBSCRIBED and not o.deleted


def test_statuses_map_onto_canonical_consent() -> None:
    assert consent_of("Unconfirmed") == Consent.PENDING
    assert consent_of("Removed") == Consent.UNSUBSCRIBED_BY_ACCOUNT  # the account may re-add
    assert consent_of("Do Not Mail") == Consent.UNSUBSCRIBED_BY_CONTACT  # whoever put them there
    assert consent_of(None) == Consent.NOT_SET


def test_put_keeps_every_element_and_changes_only_the_plan() -> None:
    body = build_put_entry(
        RAW, change(fields=(FieldChange(path="last_name", before="Doe", after="Dough"),)), LIST_IDS, SETTINGS
    )
    before, after = contact_of(parse(RAW)), contact_of(parse(body))
    assert [el.tag for el in after] == [el.tag for el in before]
    changed = {
        el.tag.rpartition("}")[2]
        for el, old in zip(after, before, strict=True)
        if (el.text or "").strip() != (old.text or "").strip()
    }
    assert changed == {"LastName", "OptInSource"}
    assert text(body, "Name") == "Jane D & Co" and text(body, "SubPostalCode") == "1234"
    assert parse(body).findtext(f"{{{ATOM}}}id") == f"{U}/contacts/7"


def test_every_write_says_the_account_is_acting_unless_told_otherwise() -> None:
    # The entry as read says ACTION_BY_CONTACT (her original sign-up); re-sending that would
    # claim her action for ours.
    assert text(build_put_entry(RAW, change(), LIST_IDS, SETTINGS), "OptInSource") == "ACTION_BY_CUSTOMER"
    replay = build_put_entry(RAW, change(), LIST_IDS, SETTINGS, opt_in_source="ACTION_BY_CONTACT")
    assert text(replay, "OptInSource") == "ACTION_BY_CONTACT"


def test_cleared_fields_become_empty_elements_not_missing_ones() -> None:
    fields = (
        FieldChange(path="job_title", before="VP", after=None),
        FieldChange(path="custom_fields.Tier", before="silver", after=None),
    )
    body = build_put_entry(RAW, change(fields=fields), LIST_IDS, SETTINGS)
    assert text(body, "JobTitle") == "" and text(body, "CustomField1") == ""


def test_lists_are_the_complete_set_with_unmanaged_ones_kept_as_read() -> None:
    body = build_put_entry(
        RAW, change(lists_add=("Customers",), lists_remove=("Newsletter",)), LIST_IDS, SETTINGS
    )
    holder = contact_of(parse(body)).find(f"{{{CTCT}}}ContactLists")
    assert holder is not None
    assert [i.get("id") for i in holder] == [f"{U}/lists/3", f"{U}/lists/active", f"{U}/lists/2"]
    assert holder[0].findtext(f"{{{CTCT}}}OptInTime") == "2026-01-01T00:00:00.000Z"


def test_address_written_reads_back_identically_and_clears_the_stale_zip4() -> None:
    new = {
        "kind": "work",
        "street": "9 Elm Rd",
        "city": "Leeds",
        "state": "West Yorkshire",
        "postal_code": "LS1 1AA",
        "country": "GB",
    }
    body = build_put_entry(
        RAW, change(fields=(FieldChange(path="street_addresses", after=[new]),)), LIST_IDS, SETTINGS
    )
    assert to_observed(parse(body), NAMES, SETTINGS).fields["street_addresses"] == [new]
    assert (text(body, "StateCode"), text(body, "StateName")) == ("", "West Yorkshire")
    assert (text(body, "CountryCode"), text(body, "CountryName")) == ("GB", "")
    assert text(body, "SubPostalCode") == "" and text(body, "Addr2") == ""
    cleared = build_put_entry(
        RAW, change(fields=(FieldChange(path="street_addresses", after=[]),)), LIST_IDS, SETTINGS
    )
    assert to_observed(parse(cleared), NAMES, SETTINGS).fields["street_addresses"] == []


@pytest.mark.parametrize(
    ("path", "after"),
    [
        ("phone_numbers", [{"kind": "mobile", "number": "1"}]),
        ("phone_numbers", [{"kind": "home", "number": "1"}, {"kind": "home", "number": "2"}]),
        ("street_addresses", [{"kind": "work", "street": "a"}, {"kind": "work", "street": "b"}]),
        ("street_addresses", [{"kind": "home", "street": "a"}]),
        ("street_addresses", [{"kind": "work", "street": "a\nb\nc\nd"}]),
        ("custom_fields.Unmapped", "x"),
        ("birthday_month", 4),
    ],
)
def test_values_v1_has_no_place_for_are_refused_not_dropped(path: str, after: Any) -> None:
    with pytest.raises(UnstorableValue):
        build_put_entry(RAW, change(fields=(FieldChange(path=path, after=after),)), LIST_IDS, SETTINGS)


def test_home_and_work_phones_are_the_complete_set() -> None:
    phones = [{"kind": "home", "number": "+44 1"}]
    body = build_put_entry(
        RAW, change(fields=(FieldChange(path="phone_numbers", after=phones),)), LIST_IDS, SETTINGS
    )
    assert (text(body, "HomePhone"), text(body, "WorkPhone")) == ("+44 1", "")


def test_create_entry_has_the_atom_envelope_lists_and_the_accounts_opt_in_source() -> None:
    create = Change(
        action=Action.CREATE,
        email="new@example.com",
        source="m:1",
        lists_add=("Newsletter",),
        fields=(
            FieldChange(path="first_name", after="Ann"),
            FieldChange(path="custom_fields.Region", after="EMEA"),
        ),
    )
    entry = parse(build_create_entry(create, LIST_IDS, SETTINGS, "2026-01-01T00:00:00.000Z"))
    assert {el.tag.rpartition("}")[2] for el in entry} >= {"id", "title", "author", "updated", "content"}
    raw = serialize(entry)
    assert text(raw, "OptInSource") == "ACTION_BY_CUSTOMER" and text(raw, "CustomField2") == "EMEA"
    assert text(raw, "FirstName") == "Ann"
    assert b'<Contact xmlns="http://ws.constantcontact.com/ns/1.0/">' in raw


def test_parser_refuses_dtds_entities_and_garbage() -> None:
    for doc in (
        b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
        b'<!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><a>&b;</a>',
        b"<a><b></a>",
        b"",
    ):
        with pytest.raises(XmlError):
            parse(doc)


def test_serialize_round_trips_namespaces_and_escaping() -> None:
    again = parse(serialize(parse(RAW)))
    assert to_observed(again, NAMES, SETTINGS) == to_observed(parse(RAW), NAMES, SETTINGS)


def test_slot_map_parsing() -> None:
    assert parse_slot_map(" Tier = customfield1 ,Region=CustomField15") == {
        "CustomField1": "Tier",
        "CustomField15": "Region",
    }
    assert (
        V1Settings.from_env({"RECONCILER_CTCT_V1_CUSTOM_FIELDS": ""}).field_slots["CustomField1"]
        == "CustomField1"
    )
    for bad in (
        "Tier",
        "Tier=CustomField16",
        "Tier=CustomField1,Tier=CustomField2",
        "A=CustomField1,B=customfield1",
        "CustomField2=CustomField1",
    ):
        with pytest.raises(ConfigError):
            parse_slot_map(bad)
    with pytest.raises(ConfigError):
        V1Settings.from_env({"RECONCILER_CTCT_V1_ADDRESS_KIND": "mobile"})


def test_capabilities_say_what_v1_can_store() -> None:
    assert CAPABILITIES.fields == {
        "first_name",
        "last_name",
        "job_title",
        "company_name",
        "phone_numbers",
        "street_addresses",
    }
    assert (CAPABILITIES.max_street_addresses, CAPABILITIES.max_phone_numbers, CAPABILITIES.page_size) == (
        1,
        2,
        50,
    )
    assert CAPABILITIES.contact_opt_in_path and CAPABILITIES.write_mode == "replace"
    assert is_system_list(f"{U}/lists/do-not-mail") and not is_system_list(f"{U}/lists/12")


def test_service_root_completes_the_base_url_and_refuses_plain_http_off_loopback() -> None:
    root = "https://api.constantcontact.com/ws/customers/joe"
    for base in ("https://api.constantcontact.com", "https://api.constantcontact.com/ws/customers/", root):
        assert service_root(base, "joe") == root
    assert service_root("http://127.0.0.1:8080", "joe") == "http://127.0.0.1:8080/ws/customers/joe"
    with pytest.raises(ConfigError, match="HTTPS"):
        service_root("http://api.constantcontact.com", "joe")


ENV = {"CTCT_V1_API_KEY": "key-123456", "CTCT_V1_USERNAME": "joe", "CTCT_V1_PASSWORD": "pw-secret"}


def test_build_reads_credentials_from_env_or_files(tmp_path: Path) -> None:
    provider = build(None, ENV, 4.0)
    assert provider.target == "https://api.constantcontact.com/ws/customers/joe"
    provider.close()
    secret = tmp_path / "pw"
    secret.write_text("from-a-file\n")
    env = {
        **ENV,
        "CTCT_V1_PASSWORD": "",
        "CTCT_V1_PASSWORD_FILE": str(secret),
        "CTCT_V1_BASE_URL": "http://localhost:1",
    }
    provider = build(None, env, 4.0)
    assert provider.target == "http://localhost:1/ws/customers/joe"
    provider.close()
    with pytest.raises(ConfigError, match="CTCT_V1_PASSWORD"):
        build(None, {k: v for k, v in ENV.items() if k != "CTCT_V1_PASSWORD"}, 4.0)


def test_custom_fields_cannot_be_created_on_v1() -> None:
    provider = build(None, ENV, 4.0)
    with pytest.raises(PlanError, match=r"CustomField1\.\.CustomField15"):
        provider.create_custom_field(CustomFieldDef("Score"))
    provider.close()
