"""Shared render pieces (counts, collection diffs, dispatch), and the plans the render tests use."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.consent import OptInPath, Rule
from reconciler.model import Consent
from reconciler.plan import AccountChange, Action, Change, ConsentChange, FieldChange, Plan
from reconciler.render import FORMATS, render_plan
from reconciler.render.common import summary, summary_phrase
from reconciler.render.diff import collection_changes

REFUSAL_REASON = (
    "the contact unsubscribed themselves; only their own action can opt them back in. "
    "Remove the list(s) from the manifest, or record their new opt-in under `consent:`."
)


def address(city: str, kind: str = "home") -> dict[str, Any]:
    return {
        "kind": kind,
        "street": "1 Main St",
        "city": city,
        "state": None,
        "postal_code": "62701",
        "country": "US",
    }


def create(email: str = "frank@example.com", **extra: Any) -> Change:
    return Change(
        action=Action.CREATE,
        email=email,
        source="contacts.yaml:40",
        fields=(
            FieldChange(path="first_name", after="Frank"),
            FieldChange(path="phone_numbers", after=[{"kind": "mobile", "number": "+1 555 010 0100"}]),
        ),
        lists_add=("Customers", "Newsletter"),
        **extra,
    )


def update(email: str = "jane@example.com") -> Change:
    return Change(
        action=Action.UPDATE,
        email=email,
        source="contacts.yaml:3",
        contact_id="c-jane",
        observed_updated_at="2026-01-01T00:00:00Z",
        observed_fingerprint="sha256:abc",
        fields=(
            FieldChange(path="job_title", before="VP Engineering", after="CTO"),
            FieldChange(path="custom_fields.Tier", before="silver", after="gold"),
            FieldChange(
                path="phone_numbers",
                before=[{"kind": "mobile", "number": "555-010-0100"}],
                after=[
                    {"kind": "mobile", "number": "555-010-0199"},
                    {"kind": "work", "number": "555-010-0200"},
                ],
            ),
            FieldChange(
                path="street_addresses", before=[address("Springfield")], after=[address("Shelbyville")]
            ),
        ),
        lists_add=("Customers",),
        lists_remove=("Event Attendees",),
        consent=ConsentChange(
            before=Consent.UNSUBSCRIBED_BY_ACCOUNT, after=Consent.SUBSCRIBED, path=OptInPath.ACCOUNT
        ),
    )


def revive(email: str = "carol@example.com") -> Change:
    return Change(
        action=Action.REVIVE,
        email=email,
        source="contacts.yaml:20",
        contact_id="c-carol",
        fields=(FieldChange(path="first_name", before=None, after="Carol"),),
        lists_add=("Newsletter",),
        consent=ConsentChange(
            before=Consent.UNSUBSCRIBED_BY_CONTACT,
            after=Consent.SUBSCRIBED,
            path=OptInPath.CONTACT_EVIDENCE,
            evidence="form-123 sent from carol@example.com",
            evidence_at="2026-02-01T10:00:00Z",
        ),
    )


def refuse(email: str = "bob@example.com", reason: str = REFUSAL_REASON) -> Change:
    return Change(
        action=Action.REFUSE,
        email=email,
        source="contacts.yaml:30",
        contact_id="c-bob",
        lists_add=("Newsletter",),
        rule=Rule.CONTACT_OPT_OUT_IS_FINAL.value,
        reason=reason,
    )


def plan_of(*changes: Change, unchanged: int = 0, account: tuple[AccountChange, ...] = ()) -> Plan:
    return Plan(
        provider="ctct-v3",
        target="https://api.cc.email/v3",
        manifest_digest="sha256:test",
        managed_lists=("Customers", "Event Attendees", "Newsletter"),
        account_changes=account,
        changes=changes,
        unchanged=unchanged,
    )


ACCOUNT = (
    AccountChange(kind="create_list", name="Event Attendees", description="People who came"),
    AccountChange(kind="create_custom_field", name="Region", type="string"),
)


def full_plan() -> Plan:
    return plan_of(create(), update(), revive(), refuse(), unchanged=17, account=ACCOUNT)


def test_summary_counts_every_action_and_the_account_changes() -> None:
    assert summary(full_plan()) == {
        "create": 1,
        "update": 1,
        "revive": 1,
        "refuse": 1,
        "unchanged": 17,
        "account_changes": 2,
    }


def test_summary_phrase_shows_zero_counts_and_omits_absent_account_changes() -> None:
    assert summary_phrase(plan_of(update(), unchanged=3)) == (
        "0 to create, 1 to update, 0 to revive, 0 refused, 3 unchanged"
    )


def test_collection_item_changed_in_one_key_shows_only_that_key() -> None:
    (change,) = collection_changes("street_addresses", [address("Springfield")], [address("Shelbyville")])
    assert (change.glyph, change.label, change.value) == (
        "~",
        "street_addresses[home].city",
        '"Springfield" -> "Shelbyville"',
    )


def test_collection_items_without_a_counterpart_show_as_removed_and_added() -> None:
    before = [{"kind": "mobile", "number": "1"}]
    after = [{"kind": "work", "number": "2"}]
    changes = collection_changes("phone_numbers", before, after)
    assert [(c.glyph, c.op, c.value) for c in changes] == [
        ("-", "-=", '{"kind": "mobile", "number": "1"}'),
        ("+", "+=", '{"kind": "work", "number": "2"}'),
    ]


def test_collection_items_with_an_ambiguous_kind_are_not_paired() -> None:
    before = [{"kind": "home", "number": "1"}, {"kind": "home", "number": "2"}]
    after = [{"kind": "home", "number": "3"}, {"kind": "home", "number": "2"}]
    changes = collection_changes("phone_numbers", before, after)
    assert [(c.glyph, c.value) for c in changes] == [
        ("-", '{"kind": "home", "number": "1"}'),
        ("+", '{"kind": "home", "number": "3"}'),
    ]


def test_equal_collections_produce_no_detail_lines() -> None:
    assert collection_changes("street_addresses", [address("A")], [address("A")]) == []


def test_collection_differing_only_in_duplicates_still_shows_a_change() -> None:
    item = {"kind": "home", "number": "1"}
    (change,) = collection_changes("phone_numbers", [item, item], [item])
    assert change.glyph == "~"


def test_unknown_format_is_rejected_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="text, json, markdown"):
        render_plan(full_plan(), "yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("mask_pii", [False, True])
def test_same_plan_renders_to_the_same_bytes(fmt: Any, mask_pii: bool) -> None:
    first = render_plan(full_plan(), fmt, mask_pii=mask_pii, color=True)
    second = render_plan(full_plan(), fmt, mask_pii=mask_pii, color=True)
    assert first.encode() == second.encode()
