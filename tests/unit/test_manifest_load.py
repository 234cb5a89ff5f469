"""Manifest loading: canonical values, ownership, and errors naming file, line, contact and field."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.errors import ManifestError, ManifestErrors
from reconciler.manifest import json_schema, load

EXAMPLE = Path(__file__).resolve().parents[2] / "manifests" / "example"


def write(tmp_path: Path, text: str, name: str = "m.yaml") -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def errors_of(path: Path) -> list[ManifestError]:
    with pytest.raises(ManifestErrors) as info:
        load(path)
    return info.value.errors


def test_example_manifests_load() -> None:
    desired = load(EXAMPLE)
    assert [c.email for c in desired.contacts][:2] == ["bob@example.com", "carol@example.com"]
    assert desired.managed_lists == {"Newsletter", "Customers", "VIP"}


def test_undeclared_fields_are_absent_and_null_is_kept(tmp_path: Path) -> None:
    desired = load(
        write(tmp_path, "contacts:\n  - email: a@x.com\n    job_title: null\n    phone_numbers: null\n")
    )
    (contact,) = desired.contacts
    assert contact.fields == {"job_title": None, "phone_numbers": []}
    assert contact.lists is None and contact.custom_fields == {}


def test_unknown_key_names_file_line_contact_and_suggests(tmp_path: Path) -> None:
    (err,) = errors_of(write(tmp_path, "contacts:\n  - email: a@x.com\n    frist_name: Ann\n"))
    assert str(err).startswith(f"{tmp_path / 'm.yaml'}:3: contact a@x.com: field 'frist_name'")
    assert "did you mean 'first_name'" in str(err)


def test_every_error_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "contacts:\n  - email: not-an-email\n", "a.yaml")
    write(tmp_path, "contacts:\n  - email: b@x.com\n    first_name: " + "x" * 51 + "\n", "b.yaml")
    found = errors_of(tmp_path)
    assert [(e.source.file.rsplit("/", 1)[-1], e.source.line, e.field) for e in found if e.source] == [
        ("a.yaml", 2, "email"),
        ("b.yaml", 3, "first_name"),
    ]


def test_duplicate_email_across_files_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "contacts:\n  - email: Dup@x.com\n", "a.yaml")
    write(tmp_path, "contacts:\n  - email: dup@X.com \n", "b.yaml")
    (err,) = errors_of(tmp_path)
    assert "a.yaml:2" in str(err) and "b.yaml:2" in str(err)


@pytest.mark.parametrize(
    ("snippet", "field"),
    [
        ("birthday_month: 13\n    birthday_day: 1", "birthday_month"),
        ("birthday_month: 2\n    birthday_day: 30", "birthday_day"),
        ("birthday_month: 2", "birthday_month"),
        ("anniversary: 2019-13-01", "anniversary"),
        ("phone_numbers: [{kind: fax, number: '1'}]", "phone_numbers[0].kind"),
        (
            "phone_numbers: [{kind: home, number: '1'}, {number: '2'}, {number: '3'}, {number: '4'}]",
            "phone_numbers",
        ),
        ("street_address: {street: x}", "street_address.kind"),
        ("custom_fields: {Tier: " + "y" * 256 + "}", "custom_fields.Tier"),
        ("lists: [A, A]", "lists[1]"),
        ("consent: {at: yesterday, evidence: form}", "consent.at"),
        ("consent: {at: '2026-01-01T00:00:00Z'}", "consent.evidence"),
    ],
)
def test_api_limits_are_checked_before_any_request(tmp_path: Path, snippet: str, field: str) -> None:
    found = errors_of(write(tmp_path, f"contacts:\n  - email: a@x.com\n    {snippet}\n"))
    assert field in [e.field for e in found]


def test_anniversary_spellings_are_canonicalised(tmp_path: Path) -> None:
    text = "contacts:\n" + "".join(
        f"  - email: a{i}@x.com\n    anniversary: {v}\n"
        for i, v in enumerate(["2019-06-01", "'06/01/2019'", "'6-1-2019'"])
    )
    assert {c.fields["anniversary"] for c in load(write(tmp_path, text)).contacts} == {"2019-06-01"}


def test_defaults_fill_only_what_a_contact_leaves_out(tmp_path: Path) -> None:
    text = (
        "defaults:\n  company_name: Acme\n  lists: [News]\n  custom_fields: {Region: EMEA, Tier: bronze}\n"
        "contacts:\n  - email: a@x.com\n    company_name: Initech\n    custom_fields: {Tier: gold}\n"
        "  - email: b@x.com\n    lists: []\n"
    )
    a, b = load(write(tmp_path, text)).contacts
    assert a.fields["company_name"] == "Initech" and a.lists == {"News"}
    assert a.custom_fields == {"Region": "EMEA", "Tier": "gold"}
    assert b.fields["company_name"] == "Acme" and b.lists == frozenset()


def test_managed_lists_setting_rejects_other_lists(tmp_path: Path) -> None:
    text = "settings:\n  managed_lists: [News]\ncontacts:\n  - email: a@x.com\n    lists: [Other]\n"
    (err,) = errors_of(write(tmp_path, text))
    assert "Other" in str(err)


def test_secrets_in_manifests_are_rejected(tmp_path: Path) -> None:
    (err,) = errors_of(write(tmp_path, "settings:\n  provider: ctct-v3\n  access_token: abc\n"))
    assert "environment variables" in str(err) and err.source and err.source.line == 3


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (err,) = errors_of(write(tmp_path, "contacts:\n  - email: a@x.com\n    lists: [A,\n  - email: b\n"))
    assert err.source is not None and err.source.file.endswith("m.yaml") and err.source.line >= 3


def test_consent_is_normalised_to_utc(tmp_path: Path) -> None:
    text = (
        "contacts:\n  - email: a@x.com\n    consent: {at: '2026-11-01T12:00:00+02:00', evidence: 'form#9'}\n"
    )
    (contact,) = load(write(tmp_path, text)).contacts
    assert contact.consent_evidence is not None and contact.consent_evidence.at == "2026-11-01T10:00:00Z"


def test_digest_is_stable_across_file_splits_and_tracks_content(tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    write(one, "contacts:\n  - email: a@x.com\n  - email: b@x.com\n")
    two = tmp_path / "two"
    two.mkdir()
    write(two, "contacts:\n  - email: b@x.com\n", "1.yaml")
    write(two, "contacts:\n  - email: a@x.com\n", "2.yaml")
    assert load(one).digest == load(two).digest
    write(two, "contacts:\n  - email: a@x.com\n    first_name: A\n", "2.yaml")
    assert load(one).digest != load(two).digest


def test_empty_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"no \*\.yaml"):
        load(tmp_path)


def test_schema_describes_every_key_the_loader_accepts() -> None:
    from reconciler.manifest.contact import CONTACT_KEYS
    from reconciler.manifest.loader import SETTINGS_KEYS, TOP_KEYS

    schema = json_schema()
    defs = schema["$defs"]
    assert set(TOP_KEYS) == set(schema["properties"])
    assert set(CONTACT_KEYS) == set(defs["Contact"]["properties"])
    assert set(SETTINGS_KEYS) == set(defs["Settings"]["properties"])
    assert all("description" in p for p in defs["Contact"]["properties"].values())


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="contacts:emailists- []{}\n\t'\"#&*!|>%@`0123456789.,?", max_size=120))
def test_any_text_gives_a_manifest_or_a_manifest_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "m.yaml"
    path.write_text(text)
    with contextlib.suppress(ManifestError):
        load(path)
