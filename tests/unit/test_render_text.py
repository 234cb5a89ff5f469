"""Text plans: Terraform-like, one block per contact, colour only on request."""

from __future__ import annotations

import re

import pytest

from reconciler.plan import Action, Change, FieldChange
from reconciler.render import render_plan
from unit.test_render_common import (
    ACCOUNT,
    REFUSAL_REASON,
    create,
    full_plan,
    plan_of,
    refuse,
    revive,
    update,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _text(*changes: Change, **kw: object) -> str:
    return render_plan(plan_of(*changes, unchanged=17), "text", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (create(), "  + contact frank@example.com will be created"),
        (update(), "  ~ contact jane@example.com will be updated in place"),
        (revive(), "  ↺ contact carol@example.com will be revived (it was deleted)"),
        (refuse(), "  ! contact bob@example.com is refused: consent/contact-opt-out"),
    ],
)
def test_each_action_shows_its_glyph_and_words_for_its_contact(change: Change, expected: str) -> None:
    assert expected in _text(change)


def test_refusal_shows_rule_reason_and_what_it_would_have_done() -> None:
    out = _text(refuse())
    assert "consent/contact-opt-out" in out
    assert " ".join(out.split()).count(" ".join(REFUSAL_REASON.split())) == 1
    assert '(would have added lists ["Newsletter"])' in out


def test_refusal_reason_is_wrapped_within_the_width_and_indented() -> None:
    out = render_plan(plan_of(refuse()), "text", width=60)
    reason_lines = [line for line in out.splitlines() if "unsubscribed" in line or "manifest," in line]
    assert reason_lines
    assert all(len(line) <= 60 and line.startswith("      ") for line in reason_lines)


def test_no_changes_says_so_and_counts_the_contacts_checked() -> None:
    out = render_plan(plan_of(unchanged=17), "text")
    assert out == "No changes. The account matches the manifests (17 contacts checked).\n"


def test_only_refusals_says_no_changes_will_be_made_and_lists_them() -> None:
    out = _text(refuse())
    assert out.startswith("No changes will be made on ctct-v3 https://api.cc.email/v3; 1 contact refused:")
    assert "bob@example.com is refused" in out
    assert "will perform" not in out


def test_changes_header_names_provider_and_target() -> None:
    assert _text(create()).startswith(
        "reconciler will perform the following actions on ctct-v3 https://api.cc.email/v3:\n"
    )


def test_summary_line_counts_each_action() -> None:
    out = render_plan(full_plan(), "text")
    assert out.endswith(
        "Plan: 2 account changes, 1 to create, 1 to update, 1 to revive, 1 refused, 17 unchanged.\n"
    )


def test_account_changes_come_before_contacts() -> None:
    out = render_plan(full_plan(), "text")
    assert '  + list "Event Attendees" will be created' in out
    assert '  + custom field "Region" (string) will be created' in out
    assert out.index('list "Event Attendees"') < out.index("contact frank@example.com")


def test_refusals_come_after_the_changes_that_will_be_made() -> None:
    out = render_plan(plan_of(refuse("a@example.com"), update("z@example.com")), "text")
    assert out.index("z@example.com") < out.index("a@example.com")


def test_created_contact_shows_fields_and_lists_as_json() -> None:
    out = _text(create())
    assert '      + first_name     = "Frank"\n' in out
    assert '      + phone_numbers  = [{"kind": "mobile", "number": "+1 555 010 0100"}]\n' in out
    assert '      + lists          = ["Customers", "Newsletter"]\n' in out


def test_updated_contact_shows_before_and_after_and_list_deltas() -> None:
    out = _text(update())
    assert '      ~ job_title      = "VP Engineering" -> "CTO"\n' in out
    assert '      ~ custom_fields.Tier = "silver" -> "gold"\n' in out
    assert '      + lists          += ["Customers"]\n' in out
    assert '      - lists          -= ["Event Attendees"]\n' in out


def test_updated_collection_shows_only_what_changed_item_by_item() -> None:
    out = _text(update())
    assert '      ~ phone_numbers[mobile].number = "555-010-0100" -> "555-010-0199"\n' in out
    assert '      + phone_numbers  += {"kind": "work", "number": "555-010-0200"}\n' in out
    assert '      ~ street_addresses[home].city = "Springfield" -> "Shelbyville"\n' in out
    assert "postal_code" not in out  # unchanged parts of an address stay out of the way


def test_cleared_field_is_shown_as_removed_to_null() -> None:
    change = Change(
        action=Action.UPDATE,
        email="a@example.com",
        source="c.yaml:1",
        fields=(FieldChange(path="company_name", before="Acme", after=None),),
    )
    assert '      - company_name   = "Acme" -> null\n' in _text(change)


def test_account_opt_in_says_the_account_may_re_add() -> None:
    assert '~ subscription   = "unsubscribed_by_account" -> "subscribed" (account may re-add)' in _text(
        update()
    )


def test_contact_opt_in_shows_the_evidence_and_when() -> None:
    assert "(contact's own opt-in: form-123 sent from carol@example.com at 2026-02-01T10:00:00Z)" in _text(
        revive()
    )


def test_each_contact_shows_its_manifest_source_in_one_column() -> None:
    out = _text(create(), update())
    lines = [line for line in out.splitlines() if line.startswith("  ") and "(contacts.yaml:" in line]
    assert len(lines) == 2
    assert len({line.index("(contacts.yaml:") for line in lines}) == 1


def test_markup_in_values_is_printed_literally() -> None:
    change = Change(
        action=Action.UPDATE,
        email="a@example.com",
        source="c.yaml:1",
        fields=(FieldChange(path="job_title", before="[bold]x[/bold]", after=":smile: [red]"),),
    )
    assert '"[bold]x[/bold]" -> ":smile: [red]"' in _text(change)


def test_colour_codes_appear_only_when_color_is_true() -> None:
    plain = render_plan(full_plan(), "text", color=False)
    coloured = render_plan(full_plan(), "text", color=True)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


@pytest.mark.parametrize(
    ("change", "sgr"),
    [(create(), "32"), (update(), "33"), (revive(), "36"), (refuse(), "31")],
)
def test_each_action_has_its_colour(change: Change, sgr: str) -> None:
    assert f"\x1b[{sgr}m" in _text(change, color=True)


def test_colour_is_unaffected_by_no_color_and_force_color_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI.search(render_plan(full_plan(), "text", color=True))
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not ANSI.search(render_plan(full_plan(), "text", color=False))


def test_account_change_lines_follow_the_declared_order() -> None:
    out = render_plan(plan_of(account=ACCOUNT), "text")
    assert out.index("Event Attendees") < out.index("Region")


def test_terminal_control_characters_in_plan_data_are_shown_escaped() -> None:
    hostile = "evil\x1b[2J\u202e@example.com"
    change = refuse(hostile, reason="bad\x1b]0;title\x07 reason").model_copy(
        update={"source": "c\x9b.yaml:1"}
    )
    out = _text(change, color=True)
    assert "\x1b[2J" not in out and "\x1b]" not in out and "\x9b" not in out and "\u202e" not in out
    assert "evil\\u001b[2J\\u202e@example.com" in out
    assert "bad\\u001b]0;title\\u0007 reason" in out
