"""Builders for canonical values, so planner tests read as the situation they describe."""

from __future__ import annotations

from typing import Any

from reconciler.errors import SourceRef
from reconciler.model import (
    Consent,
    ConsentEvidence,
    CustomFieldDef,
    Desired,
    DesiredContact,
    ListDef,
    Observed,
    ObservedContact,
    email_key,
)
from reconciler.plan import PlanPolicy

POLICY = PlanPolicy(provider="ctct-v3", target="http://sim/v3", contact_opt_in_path=True)
LISTS = {"Newsletter": "l-news", "Customers": "l-cust", "Partners": "l-part"}
FIELDS = {"Tier": "f-tier", "Region": "f-region"}


def want(
    email: str,
    *,
    lists: set[str] | None = None,
    custom: dict[str, str | None] | None = None,
    evidence: ConsentEvidence | None = None,
    **fields: Any,
) -> DesiredContact:
    return DesiredContact(
        email=email,
        source=SourceRef("contacts.yaml", 1),
        fields=fields,
        custom_fields=custom or {},
        lists=frozenset(lists) if lists is not None else None,
        consent_evidence=evidence,
    )


def live(
    email: str,
    *,
    cid: str = "c-1",
    consent: Consent = Consent.SUBSCRIBED,
    lists: set[str] | None = None,
    custom: dict[str, str] | None = None,
    deleted: bool = False,
    opted_out_at: str | None = None,
    **fields: Any,
) -> ObservedContact:
    base: dict[str, Any] = {"phone_numbers": [], "street_addresses": []}
    base.update(fields)
    return ObservedContact(
        email=email,
        contact_id=cid,
        updated_at="2026-01-01T00:00:00Z",
        consent=consent,
        deleted=deleted,
        opted_out_at=opted_out_at,
        fields=base,
        custom_fields=custom or {},
        lists=frozenset(lists or ()),
    )


def desired(
    *contacts: DesiredContact,
    managed: set[str] | None = None,
    declare_lists: tuple[str, ...] = (),
    declare_fields: tuple[str, ...] = (),
) -> Desired:
    referenced = set().union(*[c.lists or set() for c in contacts]) if contacts else set()
    return Desired(
        contacts=tuple(sorted(contacts, key=lambda c: c.key)),
        managed_lists=frozenset(managed if managed is not None else referenced | set(declare_lists)),
        lists=tuple(ListDef(n) for n in declare_lists),
        custom_fields=tuple(CustomFieldDef(n) for n in declare_fields),
        digest="sha256:test",
    )


def observed(*contacts: ObservedContact, lists: dict[str, str] | None = None) -> Observed:
    return Observed(
        target="http://sim/v3",
        contacts={email_key(c.email): c for c in contacts},
        lists=LISTS if lists is None else lists,
        custom_fields=FIELDS,
    )
