"""Markdown plans for pull-request comments: summary, table, refusals, folded when long."""

from __future__ import annotations

import re

from reconciler.plan import Action, Change, FieldChange
from reconciler.render import render_plan
from unit.test_render_common import ACCOUNT, create, full_plan, plan_of, refuse, revive, update

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _md(*changes: Change, unchanged: int = 17) -> str:
    return render_plan(plan_of(*changes, unchanged=unchanged), "markdown")


def _rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]


def test_markdown_starts_with_the_summary_line() -> None:
    out = render_plan(full_plan(), "markdown")
    assert (
        "**Plan:** 2 account changes, 1 to create, 1 to update, 1 to revive, 1 refused, 17 unchanged\n" in out
    )
    assert out.index("**Plan:**") < out.index("| Action |")


def test_markdown_table_has_one_row_per_contact_change_with_glyph_and_word() -> None:
    rows = _rows(_md(create(), update(), revive()))
    assert rows[0].startswith("| `+` create | frank@example.com |")
    assert rows[1].startswith("| `~` update | jane@example.com |")
    assert rows[2].startswith("| `↺` revive | carol@example.com |")
    assert len(rows) == 3


def test_markdown_row_says_briefly_what_changes() -> None:
    (row,) = _rows(_md(update()))
    assert 'job\\_title → "CTO"' in row
    assert "+lists Customers" in row
    assert "−lists Event Attendees" in row
    assert "street\\_addresses changed" in row


def test_markdown_refused_section_shows_rule_and_reason() -> None:
    out = _md(update(), refuse())
    section = out[out.index("#### Refused (1)") :]
    assert "**bob@example.com**" in section
    assert "`consent/contact-opt-out`" in section
    assert "the contact unsubscribed themselves" in section
    assert "bob@example.com" not in "".join(_rows(out))


def test_markdown_lists_account_changes() -> None:
    out = render_plan(plan_of(account=ACCOUNT), "markdown")
    assert "- `+` create list **Event Attendees**" in out
    assert "- `+` create custom field **Region** (string)" in out


def test_markdown_with_nothing_to_do_says_no_changes() -> None:
    out = _md(unchanged=5)
    assert "**Plan:** No changes. The account matches the manifests (5 contacts checked).\n" in out
    assert "| Action |" not in out


def test_markdown_with_only_refusals_says_no_changes_will_be_made() -> None:
    out = _md(refuse())
    assert "**Plan:** no changes will be made; " in out
    assert "| Action |" not in out
    assert "#### Refused (1)" in out


def test_markdown_folds_more_than_20_changes_into_details() -> None:
    out = _md(*(create(f"c{i:02}@example.com") for i in range(21)))
    assert "<details><summary>Show 21 contact changes</summary>\n\n| Action |" in out
    assert out.index("**Plan:**") < out.index("<details>")
    assert "</details>" in out
    assert len(_rows(out)) == 21


def test_markdown_keeps_20_changes_unfolded() -> None:
    out = _md(*(create(f"c{i:02}@example.com") for i in range(20)))
    assert "<details>" not in out


def test_markdown_folds_more_than_20_refusals_but_keeps_their_heading() -> None:
    out = _md(*(refuse(f"r{i:02}@example.com") for i in range(21)))
    assert "#### Refused (21)" in out
    assert out.index("#### Refused (21)") < out.index("<details><summary>Show 21 refusals</summary>")


def test_markdown_escapes_pipes_and_specials_in_values() -> None:
    change = Change(
        action=Action.UPDATE,
        email="x_y@example.com",
        source="c.yaml:1",
        fields=(FieldChange(path="job_title", before="a", after="A|B *bold* <b>[x](y)</b> `c` $m$"),),
    )
    (row,) = _rows(_md(change))
    assert len(_UNESCAPED_PIPE.findall(row)) == 4  # the table's own pipes only
    assert "x\\_y@example.com" in row
    assert "A\\|B \\*bold\\* &lt;b&gt;\\[x\\](y)&lt;/b&gt; \\`c\\` \\$m\\$" in row
    assert "<b>" not in row


def test_markdown_reason_with_newlines_stays_on_one_list_item() -> None:
    out = _md(refuse(reason="line one\n\n# not a heading\n| not | a table |"))
    (item,) = [line for line in out.splitlines() if line.startswith("- **bob")]
    assert "line one # not a heading \\| not \\| a table \\|" in item


def test_markdown_long_values_are_shortened_in_the_table() -> None:
    change = create().model_copy(update={"fields": (FieldChange(path="job_title", after="x" * 200),)})
    (row,) = _rows(_md(change))
    assert "x" * 200 not in row and "…" in row


def test_markdown_ignores_colour() -> None:
    assert render_plan(full_plan(), "markdown", color=True) == render_plan(full_plan(), "markdown")


def test_markdown_revive_row_mentions_the_revival_and_opt_in() -> None:
    (row,) = _rows(_md(revive()))
    assert "revive deleted contact" in row
    assert "contact's own opt-in" in row
