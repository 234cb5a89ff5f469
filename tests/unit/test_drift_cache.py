"""The drift state file: a faithful, compact cache of the account between runs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reconciler.drift_cache import DriftState, load_state, merge_observed, names_still_valid, save_state
from reconciler.model import Consent, Observed
from reconciler.plan import compute_plan
from unit.factories import POLICY, desired, live, observed, want

STARTED = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def _account() -> Observed:
    return observed(
        replace(
            live("a@x.com", cid="c-a", first_name="Ann", lists={"Newsletter"}, custom={"Tier": "gold"}),
            updated_by="contact",
        ),
        live("b@x.com", cid="c-b", consent=Consent.UNSUBSCRIBED_BY_CONTACT, opted_out_at="2026-01-02"),
        live("c@x.com", cid="c-c", deleted=True, phone_numbers=[{"kind": "work", "number": "1"}]),
    )


def test_state_round_trips_everything_the_planner_compares(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    account = _account()
    save_state(path, DriftState("http://sim/v3", account, STARTED, 3))
    loaded = load_state(path)
    assert loaded is not None
    assert (loaded.target, loaded.read_started_at, loaded.incremental_runs) == ("http://sim/v3", STARTED, 3)
    want_all = desired(
        want("a@x.com", first_name="Bea", job_title=None, custom={"Tier": "x"}, lists={"Customers"}),
        want("b@x.com", lists={"Newsletter"}),
        want("c@x.com", phone_numbers=None),
    )
    assert compute_plan(want_all, loaded.observed, POLICY) == compute_plan(want_all, account, POLICY)
    assert {k: c.updated_by for k, c in loaded.observed.contacts.items()}["a@x.com"] == "contact"


def test_contacts_are_stored_without_their_empty_values(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    save_state(path, DriftState("t", observed(live("a@x.com"), live("b@x.com", cid="c-2")), STARTED))
    doc = json.loads(path.read_text())
    assert doc["contacts"][0] == {
        "email": "a@x.com",
        "id": "c-1",
        "consent": "subscribed",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    assert " " not in path.read_text()


def test_missing_or_corrupt_state_means_no_cache(tmp_path: Path) -> None:
    assert load_state(tmp_path / "absent.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert load_state(tmp_path / "bad.json") is None
    (tmp_path / "old.json").write_text('{"version": 0}')
    assert load_state(tmp_path / "old.json") is None


def test_merge_replaces_changed_contacts_and_keeps_the_rest() -> None:
    cached = _account()
    changed = observed(live("a@x.com", cid="c-a", first_name="Annie"))
    merged = merge_observed(cached, changed)
    assert merged.contacts["a@x.com"].fields["first_name"] == "Annie"
    assert set(merged.contacts) == {"a@x.com", "b@x.com", "c@x.com"}


def test_merge_drops_the_old_address_of_a_contact_that_changed_it() -> None:
    changed = observed(live("new@x.com", cid="c-a"))
    merged = merge_observed(_account(), changed)
    assert "a@x.com" not in merged.contacts
    assert merged.contacts["new@x.com"].contact_id == "c-a"


def test_renamed_list_invalidates_cached_names_but_a_new_one_does_not() -> None:
    cached = observed(lists={"Newsletter": "l-1"})
    assert names_still_valid(cached, observed(lists={"Newsletter": "l-1", "VIP": "l-2"}))
    assert not names_still_valid(cached, observed(lists={"News": "l-1"}))
