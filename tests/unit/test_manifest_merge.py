"""Merging manifest files: defaults, settings, declarations, managed lists and the digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError, ManifestErrors
from reconciler.manifest import load
from reconciler.model import CustomFieldDef, ListDef


def write(directory: Path, text: str, name: str = "m.yaml") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    return directory


def errors_of(path: Path) -> list[ManifestError]:
    with pytest.raises(ManifestErrors) as info:
        load(path)
    return info.value.errors


def test_defaults_fill_only_keys_a_contact_leaves_out(tmp_path: Path) -> None:
    text = (
        "defaults:\n"
        "  company_name: Acme\n"
        "  phone_numbers: [{kind: work, number: '1'}]\n"
        "  street_addresses: [{kind: work, city: Boston}]\n"
        "  lists: [News]\n"
        "  custom_fields: {Region: EMEA, Tier: bronze}\n"
        "contacts:\n"
        "  - email: a@x.com\n"
        "    company_name: null\n"
        "    street_address: {kind: home, city: Salem}\n"
        "    custom_fields: {Tier: gold}\n"
        "  - email: b@x.com\n"
        "    lists: []\n"
        "    custom_fields: {Region: null}\n"
    )
    a, b = load(write(tmp_path, text)).contacts
    assert a.fields["company_name"] is None and a.fields["phone_numbers"] == [{"kind": "work", "number": "1"}]
    assert [addr["city"] for addr in a.fields["street_addresses"]] == ["Salem"]
    assert a.custom_fields == {"Region": "EMEA", "Tier": "gold"} and a.lists == {"News"}
    assert b.fields["company_name"] == "Acme" and b.lists == frozenset()
    assert b.custom_fields == {"Region": None, "Tier": "bronze"}


def test_without_defaults_undeclared_keys_stay_absent(tmp_path: Path) -> None:
    (c,) = load(write(tmp_path, "contacts:\n  - email: a@x.com\n")).contacts
    assert c.fields == {} and c.custom_fields == {} and c.lists is None


def test_defaults_apply_to_contacts_in_every_file(tmp_path: Path) -> None:
    write(tmp_path, "defaults:\n  job_title: Engineer\n", "0-defaults.yaml")
    write(tmp_path, "contacts:\n  - email: a@x.com\n", "1-contacts.yaml")
    (c,) = load(tmp_path).contacts
    assert c.fields == {"job_title": "Engineer"}


def test_defaults_may_be_split_across_files_but_each_key_given_once(tmp_path: Path) -> None:
    write(tmp_path, "defaults:\n  job_title: Engineer\n", "a.yaml")
    write(tmp_path, "defaults:\n  company_name: Acme\n  job_title: CTO\n", "b.yaml")
    (err,) = errors_of(tmp_path)
    assert err.field == "defaults.job_title" and err.source is not None and err.source.line == 3
    assert f"{tmp_path / 'a.yaml'}:2" in err.message


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("email: a@x.com", "cannot be a default"),
        ("consent: {}", "cannot be a default"),
        ("frist_name: A", "first_name"),
    ],
)
def test_defaults_take_contact_keys_except_email_and_consent(tmp_path: Path, key: str, message: str) -> None:
    (err,) = errors_of(write(tmp_path, f"defaults:\n  {key}\n"))
    assert message in err.message and err.field is not None and err.field.startswith("defaults.")


def test_defaults_plus_own_custom_fields_must_stay_within_25(tmp_path: Path) -> None:
    own = ", ".join(f"F{i}: v" for i in range(20))
    text = "defaults:\n  custom_fields: {" + ", ".join(f"D{i}: v" for i in range(6)) + "}\n"
    text += "contacts:\n  - email: a@x.com\n    custom_fields: {" + own + "}\n"
    (err,) = errors_of(write(tmp_path, text))
    assert err.field == "custom_fields" and err.contact == "a@x.com"


def test_managed_lists_are_declared_lists_and_every_list_named(tmp_path: Path) -> None:
    text = (
        "lists:\n  - name: Declared\ndefaults:\n  lists: [FromDefaults]\n"
        "contacts:\n  - email: a@x.com\n    lists: [Own]\n  - email: b@x.com\n"
    )
    assert load(write(tmp_path, text)).managed_lists == {"Declared", "FromDefaults", "Own"}


def test_explicit_managed_lists_setting_wins(tmp_path: Path) -> None:
    text = "settings:\n  managed_lists: [News, VIP]\nlists:\n  - name: News\ncontacts:\n  - email: a@x.com\n"
    assert load(write(tmp_path, text)).managed_lists == {"News", "VIP"}


def test_a_list_outside_explicit_managed_lists_is_an_error_at_the_item(tmp_path: Path) -> None:
    text = (
        "settings:\n  managed_lists: [News]\n"
        "defaults:\n  lists: [Other]\n"
        "contacts:\n  - email: a@x.com\n    lists:\n      - News\n      - Partners\n"
    )
    found = errors_of(write(tmp_path, text))
    assert [(e.source.line if e.source else 0, e.contact, e.field) for e in found] == [
        (4, None, "defaults.lists[0]"),
        (9, "a@x.com", "lists[1]"),
    ]


def test_each_setting_may_be_set_in_one_file_only(tmp_path: Path) -> None:
    write(tmp_path, "settings:\n  provider: ctct-v3\n", "a.yaml")
    write(tmp_path, "settings:\n  base_url: https://api.cc.email/v3\n", "b.yaml")
    assert load(tmp_path).settings == {"provider": "ctct-v3", "base_url": "https://api.cc.email/v3"}
    write(tmp_path, "settings:\n  provider: ctct-v2\n", "c.yaml")
    (err,) = errors_of(tmp_path)
    assert err.field == "settings.provider" and f"{tmp_path / 'a.yaml'}:2" in err.message


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ("provider: ctct-v4", "settings.provider"),
        ("base_url: ftp://x", "settings.base_url"),
        ("managed_lists: News", "settings.managed_lists"),
        ("managed_lists: [News, News]", "settings.managed_lists[1]"),
    ],
)
def test_settings_values_are_checked(tmp_path: Path, settings: str, field: str) -> None:
    (err,) = errors_of(write(tmp_path, f"settings:\n  {settings}\n"))
    assert err.field == field


def test_declarations_are_sorted_and_duplicates_rejected(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lists:\n  - name: VIP\n  - {name: News, description: Monthly}\ncustom_fields:\n  - name: Tier\n",
        "a.yaml",
    )
    write(tmp_path, "custom_fields:\n  - {name: Joined, type: date}\n", "b.yaml")
    desired = load(tmp_path)
    assert desired.lists == (ListDef("News", "Monthly"), ListDef("VIP"))
    assert desired.custom_fields == (CustomFieldDef("Joined", "date"), CustomFieldDef("Tier", "string"))
    write(tmp_path, "lists:\n  - name: VIP\ncustom_fields:\n  - {name: Tier, type: number}\n", "c.yaml")
    found = errors_of(tmp_path)
    assert [e.field for e in found] == ["lists[0].name", "custom_fields[0].name"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("lists:\n  - name: ''\n", "lists[0].name"),
        ("lists:\n  - name: '" + "L" * 256 + "'\n", "lists[0].name"),
        ("custom_fields:\n  - name: '" + "F" * 51 + "'\n", "custom_fields[0].name"),
        ("custom_fields:\n  - {name: X, type: number}\n", "custom_fields[0].type"),
    ],
)
def test_declaration_limits(tmp_path: Path, text: str, field: str) -> None:
    (err,) = errors_of(write(tmp_path, text))
    assert err.field == field


def test_contacts_are_sorted_by_key(tmp_path: Path) -> None:
    text = "contacts:\n  - email: c@x.com\n  - email: A@x.com\n  - email: b@x.com\n"
    assert [c.key for c in load(write(tmp_path, text)).contacts] == ["a@x.com", "b@x.com", "c@x.com"]


def test_empty_sections_and_empty_files_declare_nothing(tmp_path: Path) -> None:
    write(tmp_path, "settings:\nlists:\ncontacts:\n", "a.yaml")
    write(tmp_path, "# nothing yet\n", "b.yaml")
    desired = load(tmp_path)
    assert desired.contacts == () and desired.managed_lists == frozenset() and desired.settings == {}


FULL = (
    "settings:\n  provider: ctct-v3\n"
    "lists:\n  - name: News\n"
    "custom_fields:\n  - name: Tier\n"
    "defaults:\n  company_name: Acme\n"
    "contacts:\n"
    "  - email: a@x.com\n    first_name: A\n    lists: [News]\n"
    "  - email: b@x.com\n    custom_fields: {Tier: gold}\n"
)


def test_digest_is_stable_across_file_splits_order_and_comments(tmp_path: Path) -> None:
    one = load(write(tmp_path / "one", FULL)).digest
    split = tmp_path / "split"
    write(split, "# the account\nsettings: {provider: ctct-v3}\nlists: [{name: News}]\n", "1.yaml")
    write(split, "defaults:\n  company_name: Acme\ncustom_fields:\n  - name: Tier\n", "2.yaml")
    write(split, "contacts:\n  - email: b@x.com\n    custom_fields:\n      Tier: gold\n", "3.yaml")
    write(split, "contacts:\n  - {lists: [News], first_name: A, email: a@x.com}\n", "4.yml")
    assert load(split).digest == one
    assert one.startswith("sha256:") and len(one) == len("sha256:") + 64


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("first_name: A", "first_name: B"),
        ("first_name: A", "first_name: null"),
        ("lists: [News]", "lists: []"),
        ("company_name: Acme", "company_name: Initech"),
        ("provider: ctct-v3", "provider: ctct-v2"),
        ("- name: Tier", "- {name: Tier, type: date}"),
        ("email: a@x.com", "email: A@x.com"),
    ],
)
def test_digest_changes_when_content_changes(tmp_path: Path, old: str, new: str) -> None:
    assert old in FULL
    before = load(write(tmp_path / "before", FULL)).digest
    assert load(write(tmp_path / "after", FULL.replace(old, new, 1))).digest != before
