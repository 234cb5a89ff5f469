"""--mask-pii: no email address or phone number survives into any format."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from reconciler.plan import Action, Change, FieldChange, Plan
from reconciler.render import FORMATS, mask_plan, render_plan
from reconciler.render.mask import mask_email, mask_phone, mask_text
from unit.test_render_common import create, full_plan, plan_of, refuse, revive, update

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?\d[\d ().-]{5,}\d")
PHONES = ("+1 555 010 0100", "555-010-0100", "555-010-0199", "555-010-0200", "0201 555 0999")
SHOWS_PHONES = ("text", "json")  # markdown only says "phone_numbers changed"
# Timestamps would look like phone numbers to PHONE; this plan has none, so every hit is a leak.
NO_DATES = re.compile(r"\d{4}-\d{2}-\d{2}")


def _pii_plan() -> Plan:
    phone_in_create = create("Zoë.Smith+news@mail.example.co.uk").model_copy(
        update={
            "fields": (
                FieldChange(path="first_name", after="Zoë"),
                FieldChange(path="custom_fields.Assistant", after="ask pat@example.org"),
                FieldChange(path="phone_numbers", after=[{"kind": "work", "number": "0201 555 0999"}]),
            )
        }
    )
    carol = revive()
    assert carol.consent is not None
    carol = carol.model_copy(update={"consent": carol.consent.model_copy(update={"evidence_at": None})})
    reason = "the contact bob@example.com unsubscribed themselves (ask jane@example.com)"
    jane = update().model_copy(update={"observed_updated_at": None})
    return plan_of(phone_in_create, jane, carol, refuse(reason=reason), unchanged=4)


def _render(fmt: Any, *, mask_pii: bool) -> str:
    return render_plan(_pii_plan(), fmt, mask_pii=mask_pii, color=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_unmasked_output_does_contain_the_pii_the_masking_tests_look_for(fmt: Any) -> None:
    out = _render(fmt, mask_pii=False)
    assert EMAIL.search(out)
    if fmt in SHOWS_PHONES:
        assert PHONE.search(out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_masked_output_contains_no_email_address(fmt: Any) -> None:
    out = _render(fmt, mask_pii=True)
    assert not EMAIL.findall(out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_masked_output_contains_no_phone_number(fmt: Any) -> None:
    out = _render(fmt, mask_pii=True)
    assert not NO_DATES.search(out)
    assert not PHONE.findall(out)
    assert not [p for p in PHONES if p in out]


@pytest.mark.parametrize("fmt", FORMATS)
def test_masked_output_shows_the_masked_forms(fmt: Any) -> None:
    out = _render(fmt, mask_pii=True).replace("\\*", "*")  # undo markdown escaping
    assert "j***@e***.com" in out
    if fmt in SHOWS_PHONES:
        assert "***-0100" in out


def test_masked_json_is_valid_json_and_keeps_the_plan_shape() -> None:
    doc = json.loads(_render("json", mask_pii=True))
    doc.pop("summary")
    masked = Plan.model_validate(doc)
    assert [c.email for c in masked.changes] == [
        "Z***@m***.uk",
        "j***@e***.com",
        "c***@e***.com",
        "b***@e***.com",
    ]


def test_masking_reaches_field_values_evidence_and_reasons() -> None:
    masked = mask_plan(_pii_plan())
    create_change, _, revive_change, refuse_change = masked.changes
    assert create_change.fields[1].after == "ask p***@e***.org"
    assert revive_change.consent is not None
    assert revive_change.consent.evidence == "form-123 sent from c***@e***.com"
    assert refuse_change.reason == "the contact b***@e***.com unsubscribed themselves (ask j***@e***.com)"


def test_masking_phone_fields_keeps_the_kind_and_last_four_digits() -> None:
    masked = mask_plan(plan_of(update()))
    phones = next(f for f in masked.changes[0].fields if f.path == "phone_numbers")
    assert phones.before == [{"kind": "mobile", "number": "***-0100"}]
    assert phones.after == [{"kind": "mobile", "number": "***-0199"}, {"kind": "work", "number": "***-0200"}]


def test_masking_leaves_the_original_plan_untouched() -> None:
    plan = full_plan()
    mask_plan(plan)
    assert plan == full_plan()


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane@example.com", "j***@e***.com"),
        ("a.b+tag@mail.example.co.uk", "a***@m***.uk"),
        ("root@localhost", "r***@l***"),
    ],
)
def test_mask_email_keeps_first_characters_and_top_level_domain(email: str, masked: str) -> None:
    assert mask_email(email) == masked


def test_mask_text_is_idempotent() -> None:
    once = mask_text("mail jane@example.com or bob@x.org")
    assert mask_text(once) == once == "mail j***@e***.com or b***@x***.org"


@pytest.mark.parametrize(("number", "masked"), [("+1 (555) 010-0100", "***-0100"), ("12", "***")])
def test_mask_phone_keeps_only_the_last_four_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_masking_does_not_touch_values_without_pii() -> None:
    change = Change(
        action=Action.UPDATE,
        email="a@example.com",
        source="c.yaml:1",
        fields=(FieldChange(path="job_title", before="CEO", after="CTO @ Acme"),),
    )
    masked = mask_plan(plan_of(change))
    assert masked.changes[0].fields == change.fields
