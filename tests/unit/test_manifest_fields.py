"""Manifest fields: limits, canonical values, and what null and absence mean."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError, ManifestErrors
from reconciler.manifest import load
from reconciler.model import ConsentEvidence, DesiredContact


def contact(tmp_path: Path, body: str) -> DesiredContact:
    (tmp_path / "m.yaml").write_text(f"contacts:\n  - email: a@x.com\n{body}")
    (only,) = load(tmp_path).contacts
    return only


def errors_of(tmp_path: Path, body: str) -> list[ManifestError]:
    (tmp_path / "m.yaml").write_text(f"contacts:\n  - email: a@x.com\n{body}")
    with pytest.raises(ManifestErrors) as info:
        load(tmp_path)
    return info.value.errors


def fields_of(tmp_path: Path, body: str) -> list[str | None]:
    return [e.field for e in errors_of(tmp_path, body)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("    first_name: " + "x" * 51 + "\n", "first_name"),
        ("    company_name: " + "x" * 51 + "\n", "company_name"),
        ("    phone_numbers: [{number: '" + "1" * 26 + "'}]\n", "phone_numbers[0].number"),
        ("    phone_numbers: [{kind: fax, number: '1'}]\n", "phone_numbers[0].kind"),
        ("    phone_numbers: [{kind: work}]\n", "phone_numbers[0].number"),
        (
            "    phone_numbers: [{number: '1'}, {number: '2'}, {number: '3'}, {number: '4'}]\n",
            "phone_numbers",
        ),
        ("    street_address: {street: x}\n", "street_address.kind"),
        ("    street_address: {kind: hq}\n", "street_address.kind"),
        ("    street_address: {kind: work, street: '" + "s" * 256 + "'}\n", "street_address.street"),
        ("    street_address: {kind: work, city: '" + "c" * 51 + "'}\n", "street_address.city"),
        (
            "    street_addresses: [{kind: work}, {kind: home}, {kind: other}, {kind: work}]\n",
            "street_addresses",
        ),
        ("    street_addresses: [{kind: work}, {kind: mansion}]\n", "street_addresses[1].kind"),
        ("    custom_fields: {Tier: " + "y" * 256 + "}\n", "custom_fields.Tier"),
        ("    custom_fields: {" + ", ".join(f"F{i}: v" for i in range(26)) + "}\n", "custom_fields"),
        ("    custom_fields: {" + "N" * 51 + ": v}\n", "custom_fields." + "N" * 51),
        ("    lists: [" + ", ".join(f"L{i}" for i in range(51)) + "]\n", "lists"),
        ("    lists: ['" + "L" * 256 + "']\n", "lists[0]"),
    ],
)
def test_length_enum_and_count_limits(tmp_path: Path, body: str, field: str) -> None:
    assert fields_of(tmp_path, body) == [field]


def test_email_must_be_valid_and_at_most_80_characters(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(
        "contacts:\n  - email: a b@x.com\n  - email: a@localhost\n  - email: " + "a" * 70 + "@example.com\n"
    )
    with pytest.raises(ManifestErrors) as info:
        load(tmp_path)
    assert [(e.source.line, e.field) for e in info.value.errors if e.source] == [
        (2, "email"),
        (3, "email"),
        (4, "email"),
    ]


def test_the_limits_themselves_are_allowed(tmp_path: Path) -> None:
    body = (
        "    first_name: " + "x" * 50 + "\n"
        "    phone_numbers: [{number: '" + "1" * 25 + "'}, {number: '2'}, {number: '3'}]\n"
        "    custom_fields: {" + ", ".join(f"F{i}: v" for i in range(25)) + "}\n"
        "    lists: [" + ", ".join(f"L{i}" for i in range(50)) + "]\n"
    )
    c = contact(tmp_path, body)
    assert len(c.fields["phone_numbers"]) == 3 and len(c.custom_fields) == 25 and len(c.lists or ()) == 50


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("    birthday_month: 4\n", "birthday_month"),
        ("    birthday_day: 4\n", "birthday_day"),
        ("    birthday_month: 4\n    birthday_day: null\n", "birthday_month"),
        ("    birthday_month: 13\n    birthday_day: 1\n", "birthday_month"),
        ("    birthday_month: 1\n    birthday_day: 32\n", "birthday_day"),
        ("    birthday_month: 4\n    birthday_day: 31\n", "birthday_day"),
        ("    birthday_month: true\n    birthday_day: 1\n", "birthday_month"),
    ],
)
def test_birthday_month_and_day_are_declared_together_and_form_a_real_day(
    tmp_path: Path, body: str, field: str
) -> None:
    assert fields_of(tmp_path, body) == [field]


def test_birthday_allows_29_february_and_clearing_both(tmp_path: Path) -> None:
    assert contact(tmp_path, "    birthday_month: 2\n    birthday_day: 29\n").fields == {
        "birthday_month": 2,
        "birthday_day": 29,
    }
    cleared = contact(tmp_path, "    birthday_month: null\n    birthday_day: null\n")
    assert cleared.fields == {"birthday_month": None, "birthday_day": None}


@pytest.mark.parametrize(
    "spelling",
    [
        "2019-06-01",
        "'2019-06-01'",
        "2019-6-1",
        "2019/06/01",
        "2019/6/1",
        "06/01/2019",
        "6/1/2019",
        "6-1-2019",
        "6-01-2019",
        "' 06/01/2019 '",
    ],
)
def test_anniversary_spellings_are_canonicalised(tmp_path: Path, spelling: str) -> None:
    assert contact(tmp_path, f"    anniversary: {spelling}\n").fields == {"anniversary": "2019-06-01"}


@pytest.mark.parametrize(
    "spelling", ["2019-02-30", "'13/01/2019'", "2019-06/01", "June 1st", "20190601", "'2019-06-01T10:00'"]
)
def test_anniversary_that_is_not_a_real_date_in_an_accepted_form_is_an_error(
    tmp_path: Path, spelling: str
) -> None:
    assert fields_of(tmp_path, f"    anniversary: {spelling}\n") == ["anniversary"]


def test_explicit_null_clears_while_absent_keys_stay_unmanaged(tmp_path: Path) -> None:
    c = contact(
        tmp_path,
        "    job_title: null\n    anniversary: ''\n    phone_numbers: null\n    street_address: null\n"
        "    custom_fields: {Tier: null, Note: ''}\n",
    )
    assert c.fields == {"job_title": None, "anniversary": None, "phone_numbers": [], "street_addresses": []}
    assert c.custom_fields == {"Tier": None, "Note": None}
    assert c.lists is None and c.consent_evidence is None


def test_empty_lists_mean_on_none_of_the_managed_lists(tmp_path: Path) -> None:
    assert contact(tmp_path, "    lists: []\n").lists == frozenset()


def test_collections_are_canonicalised_and_street_address_is_one_element_street_addresses(
    tmp_path: Path,
) -> None:
    c = contact(
        tmp_path,
        "    phone_numbers: [{kind: work, number: ' +1-555-0100 '}, {number: 5550199}]\n"
        "    street_address: {kind: home, city: Boston, postal_code: 02108}\n",
    )
    assert c.fields["phone_numbers"] == [
        {"kind": "other", "number": "5550199"},
        {"kind": "work", "number": "+1-555-0100"},
    ]
    assert c.fields["street_addresses"] == [
        {
            "kind": "home",
            "street": None,
            "city": "Boston",
            "state": None,
            "postal_code": "02108",
            "country": None,
        }
    ]


def test_street_address_and_street_addresses_together_is_an_error(tmp_path: Path) -> None:
    body = "    street_address: {kind: home}\n    street_addresses: [{kind: work}]\n"
    assert fields_of(tmp_path, body) == ["street_addresses"]


def test_custom_field_values_of_other_yaml_types_become_strings(tmp_path: Path) -> None:
    c = contact(tmp_path, "    custom_fields: {A: 7, B: 1.5, C: true, D: 2020-01-31, E: gold}\n")
    assert c.custom_fields == {"A": "7", "B": "1.5", "C": "true", "D": "2020-01-31", "E": "gold"}


def test_email_is_kept_as_written_but_trimmed(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("contacts:\n  - email: ' Jane@Example.COM '\n")
    (c,) = load(tmp_path).contacts
    assert c.email == "Jane@Example.COM" and c.key == "jane@example.com"


def test_names_are_trimmed(tmp_path: Path) -> None:
    assert contact(tmp_path, "    first_name: '  Ann  '\n").fields == {"first_name": "Ann"}


@pytest.mark.parametrize(
    ("at", "normalised"),
    [
        ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00Z"),
        ("'2026-11-01T12:00:00+02:00'", "2026-11-01T10:00:00Z"),
        ("'2026-11-01T05:00:00-05:00'", "2026-11-01T10:00:00Z"),
        ("'2026-11-01 10:00:00.250Z'", "2026-11-01T10:00:00.25Z"),
        ("'2030-01-01T00:00:00Z'", "2030-01-01T00:00:00Z"),  # the loader never looks at the clock
    ],
)
def test_consent_time_is_parsed_and_normalised_to_utc(tmp_path: Path, at: str, normalised: str) -> None:
    c = contact(
        tmp_path, f"    consent:\n      at: {at}\n      evidence: ' https://forms.example.com/s/1 '\n"
    )
    assert c.consent_evidence == ConsentEvidence(normalised, "https://forms.example.com/s/1", "signup_form")


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ("{at: '2026-11-01T10:00:00', evidence: form}", "consent.at"),  # no timezone
        ("{at: 2026-11-01, evidence: form}", "consent.at"),  # a date, not a date-time
        ("{at: yesterday, evidence: form}", "consent.at"),
        ("{at: '0001-01-01T00:00:00+01:00', evidence: form}", "consent.at"),
        ("{at: '2026-11-01T10:00:00Z'}", "consent.evidence"),
        ("{at: '2026-11-01T10:00:00Z', evidence: ''}", "consent.evidence"),
        ("{at: '2026-11-01T10:00:00Z', evidence: form, method: phone_call}", "consent.method"),
    ],
)
def test_consent_must_parse_and_carry_evidence(tmp_path: Path, consent: str, field: str) -> None:
    assert fields_of(tmp_path, f"    consent: {consent}\n") == [field]
