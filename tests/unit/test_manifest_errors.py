"""Manifest errors: every one names file, exact line, contact and field, and all are reported
at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ManifestError, ManifestErrors
from reconciler.manifest import load


def write(directory: Path, text: str, name: str = "m.yaml") -> Path:
    (directory / name).write_text(text, encoding="utf-8")
    return directory / name


def errors_of(path: Path) -> list[ManifestError]:
    with pytest.raises(ManifestErrors) as info:
        load(path)
    return info.value.errors


def where(err: ManifestError) -> tuple[int, str | None, str | None]:
    assert err.source is not None
    return err.source.line, err.contact, err.field


def test_error_names_file_as_given_exact_line_contact_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, "contacts:\n  - email: a@x.com\n    first_name: Ann\n    last_name: " + "x" * 51 + "\n"
    )
    (err,) = errors_of(path)
    assert err.source is not None and err.source.file == str(path)
    assert where(err) == (4, "a@x.com", "last_name")
    assert str(err).startswith(f"{path}:4: contact a@x.com: field 'last_name': is 51 characters long")


def test_directory_errors_name_the_file_under_the_directory_as_passed(tmp_path: Path) -> None:
    write(tmp_path, "contacts:\n  - email: nope\n", "b.yml")
    (err,) = errors_of(tmp_path)
    assert err.source is not None and err.source.file == str(tmp_path / "b.yml")


def test_nested_field_errors_point_at_the_item_key(tmp_path: Path) -> None:
    text = (
        "contacts:\n"
        "  - email: a@x.com\n"
        "    phone_numbers:\n"
        "      - {kind: work, number: '1'}\n"
        "      - kind: fax\n"
        "        number: '2'\n"
        "    custom_fields:\n"
        "      Tier: [gold]\n"
    )
    found = errors_of(write(tmp_path, text))
    assert [where(e) for e in found] == [
        (5, "a@x.com", "phone_numbers[1].kind"),
        (8, "a@x.com", "custom_fields.Tier"),
    ]


def test_unknown_key_suggests_the_closest_known_one(tmp_path: Path) -> None:
    (err,) = errors_of(write(tmp_path, "contacts:\n  - email: a@x.com\n    frist_name: Ann\n"))
    assert where(err) == (3, "a@x.com", "frist_name")
    assert "did you mean 'first_name'?" in err.message


@pytest.mark.parametrize(
    ("text", "line", "field", "hint"),
    [
        ("contact:\n  - email: a@x.com\n", 1, "contact", "did you mean 'contacts'?"),
        ("settings:\n  provder: ctct-v3\n", 2, "settings.provder", "'provider'"),
        ("lists:\n  - name: A\n    descripton: x\n", 3, "lists[0].descripton", "'description'"),
        (
            "contacts:\n  - email: a@x.com\n    street_address: {kind: work, zip: '1'}\n",
            3,
            "street_address.zip",
            "one of",
        ),
        (
            "contacts:\n  - email: a@x.com\n    consent: {at: '2026-01-01T00:00Z', evidence: e, metod: x}\n",
            3,
            "consent.metod",
            "'method'",
        ),
    ],
)
def test_unknown_keys_are_reported_everywhere(
    tmp_path: Path, text: str, line: int, field: str, hint: str
) -> None:
    (err,) = errors_of(write(tmp_path, text))
    assert err.source is not None and err.source.line == line and err.field == field
    assert hint in err.message


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("first_name: 1999", "must be a string"),
        ("first_name: [a]", "must be a string"),
        ("birthday_month: '4'\n    birthday_day: 1", "whole number"),
        ("phone_numbers: {kind: work}", "must be a list"),
        ("custom_fields: [Tier]", "must be a mapping"),
        ("lists: Newsletter", "must be a list"),
        ("lists: [2024]", "quote it"),
        ("consent: yes-please", "must be a mapping"),
    ],
)
def test_wrong_types_name_the_expected_type(tmp_path: Path, snippet: str, expected: str) -> None:
    (err,) = errors_of(write(tmp_path, f"contacts:\n  - email: a@x.com\n    {snippet}\n"))
    assert expected in err.message and err.contact == "a@x.com"


def test_all_errors_of_all_files_come_in_one_exception_in_file_and_line_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        "contacts:\n  - email: b@x.com\n    first_name: " + "x" * 51 + "\n    lists: [A, A]\n",
        "b.yaml",
    )
    write(tmp_path, "contacts:\n  - email: not-an-email\n  - first_name: No Email\n", "a.yaml")
    found = errors_of(tmp_path)
    assert [(Path(e.source.file).name, e.source.line, e.field) for e in found if e.source] == [
        ("a.yaml", 2, "email"),
        ("a.yaml", 3, "email"),
        ("b.yaml", 3, "first_name"),
        ("b.yaml", 4, "lists[1]"),
    ]


def test_duplicate_email_across_files_names_both_places(tmp_path: Path) -> None:
    write(tmp_path, "contacts:\n  - email: x@y.com\n  - email: Dup@x.com\n", "a.yaml")
    write(tmp_path, "\ncontacts:\n  - email: ' dup@X.com '\n", "b.yaml")
    (err,) = errors_of(tmp_path)
    assert err.source is not None and Path(err.source.file).name == "b.yaml" and err.source.line == 3
    assert f"{tmp_path / 'a.yaml'}:3" in err.message and err.field == "email"


@pytest.mark.parametrize(
    ("text", "line", "variable"),
    [
        ("settings:\n  provider: ctct-v3\n  access_token: abc\n", 3, "CTCT_ACCESS_TOKEN"),
        ("settings:\n  refresh_token: abc\n", 2, "CTCT_REFRESH_TOKEN"),
        ("settings:\n  client_secret: abc\n", 2, "CTCT_CLIENT_SECRET"),
        ("apiKey: abc\n", 1, "CTCT_ACCESS_TOKEN"),
        ("contacts:\n  - email: a@x.com\n    password: hunter2\n", 3, "CTCT_ACCESS_TOKEN"),
        ("contacts:\n  - email: a@x.com\n    custom_fields: {Api-Key: x}\n", 3, "CTCT_ACCESS_TOKEN"),
        ("settings:\n  base_url: https://api.example.com/v3?access_token=abc\n", 2, "CTCT_ACCESS_TOKEN"),
        ("settings:\n  base_url: https://me:pw@api.example.com/v3\n", 2, "CTCT_ACCESS_TOKEN"),
    ],
)
def test_secrets_are_rejected_wherever_they_appear(
    tmp_path: Path, text: str, line: int, variable: str
) -> None:
    (err,) = errors_of(write(tmp_path, text))
    assert "secrets must come from environment variables, not manifests" in err.message
    assert variable in err.message and err.source is not None and err.source.line == line


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "contacts:\n  - email: a@x.com\n    first_name: Ann: Lee\n")
    (err,) = errors_of(path)
    assert err.source is not None and err.source.file == str(path) and err.source.line == 3
    assert "YAML syntax error" in err.message


def test_syntax_error_in_one_file_does_not_hide_errors_in_another(tmp_path: Path) -> None:
    write(tmp_path, "contacts: [\n", "a.yaml")
    write(tmp_path, "contacts:\n  - email: b@x.com\n    lists: oops\n", "b.yaml")
    assert [Path(e.source.file).name for e in errors_of(tmp_path) if e.source] == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize("text", ["- email: a@x.com\n", "just text\n", "42\n"])
def test_a_file_that_is_not_a_mapping_is_an_error(tmp_path: Path, text: str) -> None:
    (err,) = errors_of(write(tmp_path, text))
    assert "must be a mapping" in err.message and err.source is not None and err.source.line == 1


def test_duplicate_yaml_key_is_an_error_at_the_second_key(tmp_path: Path) -> None:
    (err,) = errors_of(
        write(tmp_path, "contacts:\n  - email: a@x.com\n    first_name: A\n    first_name: B\n")
    )
    assert err.source is not None and err.source.line == 4 and "appears twice" in err.message


def test_non_utf8_file_is_an_error_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_bytes(b"contacts:\n  - email: a@x.com\n    first_name: \xff\n")
    (err,) = errors_of(tmp_path / "m.yaml")
    assert err.source is not None and err.source.line == 3 and "UTF-8" in err.message


def test_missing_path_and_empty_directory_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="does not exist"):
        load(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ManifestError, match=r"holds no \*\.yaml or \*\.yml manifest files"):
        load(tmp_path)


def test_secret_inside_a_contact_names_the_contact_and_its_field(tmp_path: Path) -> None:
    text = "contacts:\n  - email: a@x.com\n    phone_numbers: [{number: '1', token: x}]\n"
    (err,) = errors_of(write(tmp_path, text))
    assert where(err) == (3, "a@x.com", "phone_numbers[0].token")
