"""Export: manifests written from a live account re-plan with no changes, whatever the values."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from reconciler.export import ExportError, export_manifests, yaml_scalar
from reconciler.manifest import load
from reconciler.model import (
    SCALAR_FIELDS,
    Consent,
    Observed,
    ObservedContact,
    canonical_addresses,
    canonical_phones,
    email_key,
)
from reconciler.plan import Plan, compute_plan
from unit.factories import POLICY

AWKWARD = [
    "yes", "No", "on", "OFF", "y", "true", "null", "~", "0123", "01234", "2019-06-01", "a: b", "#x",
    "x #y", "- item", "[a]", "{b}", "*alias", "&anchor", "!tag", "%pct", "@at", "`tick", "|", ">", "?q",
    "'single'", '"double"', "back\\slash", "tab\there", "line\nbreak", "ünïcödé", "日本語", "emoji 😀",
    "1e3", "0x1F", ".inf", ".nan", "12:30", "1_000", "+1", "-1", "3.14", "O'Brien", "NULL", "True",
    "ctrl\x07char", "\x85nel", "line\u2028sep", "bom\ufeff", "<<", "a,b", "C:\\path", "Plain Name",
]  # fmt: skip
LISTS = {"Newsletter": "l1", "Customers": "l2", "yes": "l3", "2019": "l4", "a: b": "l5", "Empty": "l6"}
FIELDS = {"Tier": "f1", "Region": "f2", "yes": "f3", "a: b": "f4", "Joined": "f5", "日本": "f6"}
PHONE_KINDS = ["home", "work", "mobile", "other"]
ADDRESS_KINDS = ["home", "work", "other"]


def contact(
    email: str,
    *,
    lists: set[str] | None = None,
    custom: dict[str, str] | None = None,
    consent: Consent = Consent.SUBSCRIBED,
    deleted: bool = False,
    **fields: Any,
) -> ObservedContact:
    base: dict[str, Any] = {name: None for name in SCALAR_FIELDS}
    base.update(phone_numbers=[], street_addresses=[])
    base.update(fields)
    return ObservedContact(
        email=email,
        contact_id=f"id-{email}",
        updated_at="2026-01-01T00:00:00Z",
        consent=consent,
        deleted=deleted,
        fields=base,
        custom_fields=custom or {},
        lists=frozenset(lists or ()),
    )


def account(*contacts: ObservedContact) -> Observed:
    return Observed(
        target="http://sim/v3",
        contacts={c.key: c for c in contacts},
        lists=dict(LISTS),
        custom_fields=dict(FIELDS),
    )


def _random_contact(rng: random.Random, i: int) -> ObservedContact:
    text = [s for s in AWKWARD if s == s.strip()]
    fields: dict[str, Any] = {}
    for name in ("first_name", "last_name", "job_title", "company_name"):
        if rng.random() < 0.7:
            fields[name] = rng.choice(text)
    if rng.random() < 0.5:
        fields["birthday_month"], fields["birthday_day"] = rng.randint(1, 12), rng.randint(1, 28)
    if rng.random() < 0.4:
        fields["anniversary"] = f"{rng.randint(1990, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    phones = [
        {
            "kind": rng.choice(PHONE_KINDS),
            "number": rng.choice(["+1-555-0100", "0123 456", "555", "(0)20 7946"]),
        }
        for _ in range(rng.randint(0, 3))
    ]
    addresses = [
        {
            "kind": rng.choice(ADDRESS_KINDS),
            "street": rng.choice(["1 Main St", "#5, Rue: Haute", None]),
            "city": rng.choice(["Boston", "Zürich", "yes", None]),
            "state": rng.choice(["ON", "NO", "MA", None]),
            "postal_code": rng.choice(["02108", "SW1A 1AA", "2019-06-01", "0", None]),
            "country": rng.choice(["NO", "US", "Österreich", None]),
        }
        for _ in range(rng.randint(0, 2))
    ]
    fields["phone_numbers"] = canonical_phones(phones)
    fields["street_addresses"] = canonical_addresses(addresses)
    custom = {
        name: rng.choice([*AWKWARD, " lead", "trail ", "x" * 255]) for name in FIELDS if rng.random() < 0.4
    }
    status = rng.random()
    consent = Consent.SUBSCRIBED if status < 0.8 else rng.choice(list(Consent))
    lists = (
        set()
        if consent == Consent.UNSUBSCRIBED_BY_CONTACT
        else set(rng.sample(sorted(LISTS), rng.randint(0, 3)))
    )
    email = f"Person.{i}+tag@Example.com" if i % 7 == 0 else f"p{i}@example.com"
    return contact(email, lists=lists, custom=custom, consent=consent, deleted=rng.random() < 0.03, **fields)


def generated(n: int, seed: int = 7) -> Observed:
    rng = random.Random(seed)
    return account(*(_random_contact(rng, i) for i in range(n)))


def replan(out_dir: Path, observed: Observed) -> Plan:
    return compute_plan(load(out_dir), observed, POLICY)


def assert_no_changes(plan: Plan) -> None:
    assert plan.account_changes == ()
    assert [(c.email, c.action, c.fields, c.lists_add, c.lists_remove) for c in plan.changes] == []


def test_large_generated_account_replans_with_no_changes(tmp_path: Path) -> None:
    observed = generated(3000)
    summary = export_manifests(observed, tmp_path, contacts_per_file=1000)
    plan = replan(tmp_path, observed)
    assert_no_changes(plan)
    live = sum(1 for c in observed.contacts.values() if not c.deleted)
    assert plan.unchanged == summary.contacts == live
    assert summary.skipped_deleted == len(observed.contacts) - live
    assert {o.reason for o in summary.omitted} == set()


def test_awkward_strings_read_back_as_the_same_strings(tmp_path: Path) -> None:
    # As keys too, except "<<", which YAML reads as a merge however it is quoted.
    cases = {f"p{i}@x.com": {(v if v != "<<" else "k"): v} for i, v in enumerate(AWKWARD)}
    lines = ["contacts:"]
    for email, custom in cases.items():
        ((key, value),) = custom.items()
        lines += [
            f"  - email: {email}",
            "    custom_fields:",
            f"      {yaml_scalar(key)}: {yaml_scalar(value)}",
        ]
    (tmp_path / "m.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert {c.email: dict(c.custom_fields) for c in load(tmp_path).contacts} == cases


def test_plain_strings_stay_unquoted_for_readable_manifests() -> None:
    assert [yaml_scalar(s) for s in ("Jane", "jane@example.com", "O'Brien", "Acme Inc.")] == [
        "Jane",
        "jane@example.com",
        "O'Brien",
        "Acme Inc.",
    ]
    assert [yaml_scalar(s) for s in ("yes", "0123", "2019-06-01", "a: b")] == [
        '"yes"',
        '"0123"',
        '"2019-06-01"',
        '"a: b"',
    ]


def test_field_without_a_value_is_left_out_not_written_as_null(tmp_path: Path) -> None:
    observed = account(contact("a@x.com", first_name="A", last_name="", custom={"Tier": ""}))
    export_manifests(observed, tmp_path, lists=set())
    (loaded,) = load(tmp_path).contacts
    assert (dict(loaded.fields), dict(loaded.custom_fields)) == ({"first_name": "A"}, {})


def test_deleted_contact_is_left_out_and_counted(tmp_path: Path) -> None:
    observed = account(contact("a@x.com", first_name="A"), contact("gone@x.com", deleted=True))
    summary = export_manifests(observed, tmp_path)
    assert [c.email for c in load(tmp_path).contacts] == ["a@x.com"]
    assert summary.skipped_deleted == 1
    assert any("deleted" in line for line in summary.lines())
    assert_no_changes(replan(tmp_path, observed))


def test_contact_who_unsubscribed_is_exported_with_no_lists_and_no_refusal(tmp_path: Path) -> None:
    bob = contact("bob@x.com", consent=Consent.UNSUBSCRIBED_BY_CONTACT, first_name="Bob")
    observed = account(bob, contact("a@x.com", lists={"Newsletter"}))
    export_manifests(observed, tmp_path)
    (loaded,) = [c for c in load(tmp_path).contacts if c.email == "bob@x.com"]
    assert loaded.lists == frozenset()
    plan = replan(tmp_path, observed)
    assert not plan.has_refusals
    assert_no_changes(plan)


def test_list_filter_keeps_every_contact_with_memberships_of_those_lists_only(tmp_path: Path) -> None:
    observed = account(
        contact("a@x.com", lists={"Newsletter", "Customers"}),
        contact("b@x.com", lists={"Customers"}),
    )
    summary = export_manifests(observed, tmp_path, lists={"Newsletter"})
    desired = load(tmp_path)
    assert desired.managed_lists == {"Newsletter"}
    assert {c.email: c.lists for c in desired.contacts} == {
        "a@x.com": frozenset({"Newsletter"}),
        "b@x.com": frozenset(),
    }
    assert summary.lists == ("Newsletter",)
    assert_no_changes(replan(tmp_path, observed))


def test_contacts_on_lists_only_leaves_out_contacts_on_none_of_the_lists(tmp_path: Path) -> None:
    observed = account(contact("a@x.com", lists={"Newsletter"}), contact("b@x.com", lists={"Customers"}))
    summary = export_manifests(observed, tmp_path, lists={"Newsletter"}, contacts_on_lists_only=True)
    assert [c.email for c in load(tmp_path).contacts] == ["a@x.com"]
    assert summary.skipped_not_on_lists == 1
    assert_no_changes(replan(tmp_path, observed))


def test_empty_list_filter_manages_no_memberships(tmp_path: Path) -> None:
    observed = account(contact("a@x.com", lists={"Newsletter"}, first_name="A"))
    export_manifests(observed, tmp_path, lists=set())
    desired = load(tmp_path)
    assert desired.managed_lists == frozenset()
    assert desired.contacts[0].lists is None
    assert_no_changes(replan(tmp_path, observed))


def test_every_account_list_is_declared_even_without_members(tmp_path: Path) -> None:
    export_manifests(account(contact("a@x.com")), tmp_path)
    assert {ld.name for ld in load(tmp_path).lists} == set(LISTS)


def test_field_filter_leaves_every_other_field_unmanaged(tmp_path: Path) -> None:
    observed = account(
        contact("a@x.com", first_name="A", job_title="CTO", custom={"Tier": "gold", "Region": "EMEA"})
    )
    export_manifests(observed, tmp_path, fields={"first_name", "custom_fields.Tier"})
    desired = load(tmp_path)
    (loaded,) = desired.contacts
    assert dict(loaded.fields) == {"first_name": "A"}
    assert dict(loaded.custom_fields) == {"Tier": "gold"}
    assert [cf.name for cf in desired.custom_fields] == ["Tier"]
    assert_no_changes(replan(tmp_path, observed))


def test_birthday_month_alone_in_the_field_filter_exports_the_pair(tmp_path: Path) -> None:
    observed = account(contact("a@x.com", birthday_month=4, birthday_day=12, first_name="A"))
    export_manifests(observed, tmp_path, fields={"birthday_month"})
    assert dict(load(tmp_path).contacts[0].fields) == {"birthday_month": 4, "birthday_day": 12}


def test_unknown_list_in_the_filter_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="'Newsleter'"):
        export_manifests(account(), tmp_path, lists={"Newsleter"})


def test_unknown_field_in_the_filter_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="'frist_name'"):
        export_manifests(account(), tmp_path, fields={"frist_name"})


@pytest.mark.parametrize(
    ("fields", "custom", "field"),
    [
        ({"first_name": " padded"}, {}, "first_name"),
        ({"job_title": "x" * 51}, {}, "job_title"),
        ({"anniversary": "someday"}, {}, "anniversary"),
        ({"birthday_month": 4}, {}, "birthday_month/birthday_day"),
        ({"phone_numbers": [{"kind": "fax", "number": "1"}]}, {}, "phone_numbers"),
        ({"phone_numbers": [{"kind": "home", "number": str(n)} for n in range(4)]}, {}, "phone_numbers"),
        ({"street_addresses": canonical_addresses([{"city": "Boston"}])}, {}, "street_addresses"),
        ({}, {"Tier": "x" * 256}, "custom_fields.Tier"),
        ({}, {"Tier": "\ud800"}, "custom_fields.Tier"),
    ],
)
def test_value_a_manifest_cannot_hold_is_left_unmanaged_and_reported(
    tmp_path: Path, fields: dict[str, Any], custom: dict[str, str], field: str
) -> None:
    observed = account(contact("a@x.com", custom=custom, last_name="Kept", **fields))
    summary = export_manifests(observed, tmp_path)
    assert [(o.email, o.field) for o in summary.omitted] == [("a@x.com", field)]
    assert "last_name" in load(tmp_path).contacts[0].fields
    assert_no_changes(replan(tmp_path, observed))


def test_contact_whose_email_a_manifest_cannot_hold_is_left_out_and_reported(tmp_path: Path) -> None:
    observed = account(contact("a@x.com"), contact("not an email"))
    summary = export_manifests(observed, tmp_path)
    assert summary.skipped_invalid == ("not an email",)
    assert_no_changes(replan(tmp_path, observed))


def test_custom_field_named_like_a_secret_is_not_exported(tmp_path: Path) -> None:
    observed = Observed(
        "http://sim/v3",
        {email_key("a@x.com"): contact("a@x.com", custom={"Promo Token": "t"})},
        {},
        {"Promo Token": "f9"},
    )
    summary = export_manifests(observed, tmp_path)
    assert summary.custom_fields == ()
    assert_no_changes(replan(tmp_path, observed))


def test_contacts_are_split_into_numbered_files_of_the_given_size(tmp_path: Path) -> None:
    observed = account(*(contact(f"p{i}@x.com") for i in range(5)))
    summary = export_manifests(observed, tmp_path, contacts_per_file=2)
    assert [p.name for p in summary.files] == [
        "account.yaml",
        "contacts-0001.yaml",
        "contacts-0002.yaml",
        "contacts-0003.yaml",
    ]
    assert len(load(tmp_path).contacts) == 5


def test_export_of_the_same_account_is_byte_identical(tmp_path: Path) -> None:
    observed = generated(200)
    export_manifests(observed, tmp_path / "a")
    export_manifests(observed, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_non_empty_directory_is_refused_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not empty"):
        export_manifests(account(), tmp_path)


def test_overwrite_replaces_a_larger_previous_export(tmp_path: Path) -> None:
    export_manifests(account(*(contact(f"p{i}@x.com") for i in range(5))), tmp_path, contacts_per_file=1)
    smaller = account(contact("p0@x.com"))
    export_manifests(smaller, tmp_path, contacts_per_file=1, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["account.yaml", "contacts-0001.yaml"]
    assert_no_changes(replan(tmp_path, smaller))


def test_overwrite_refuses_when_other_manifests_would_be_merged(tmp_path: Path) -> None:
    (tmp_path / "hand-written.yaml").write_text("contacts: []\n")
    with pytest.raises(ExportError, match=r"hand-written\.yaml"):
        export_manifests(account(), tmp_path, overwrite=True)
