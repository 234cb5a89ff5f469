"""The plan: a frozen, serialisable value, and the pure function that computes it.

`compute_plan(desired, observed, policy)` does no I/O, reads no clock and uses no randomness:
the same inputs give the same plan, byte for byte. Only declared fields are compared
(undeclared ones are unmanaged); list memberships are compared only within the managed lists.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from reconciler.consent import OptInPath, decide_opt_in
from reconciler.errors import PlanError, SourceRef
from reconciler.model import (
    ALL_FIELDS,
    COLLECTION_FIELDS,
    Consent,
    Desired,
    DesiredContact,
    Observed,
    ObservedContact,
)

__all__ = [
    "GLYPHS",
    "PLAN_FORMAT_VERSION",
    "AccountChange",
    "Action",
    "Change",
    "ConsentChange",
    "FieldChange",
    "Plan",
    "PlanPolicy",
    "compute_plan",
    "fingerprint",
    "replan_existing",
]

PLAN_FORMAT_VERSION = 1


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REVIVE = "revive"
    REFUSE = "refuse"
    NOOP = "noop"


GLYPHS: Mapping[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REVIVE: "↺",
    Action.REFUSE: "!",
    Action.NOOP: " ",
}

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class FieldChange(BaseModel):
    model_config = _FROZEN

    path: str  # "first_name", "phone_numbers", "custom_fields.Tier"
    before: Any = None
    after: Any = None


class ConsentChange(BaseModel):
    model_config = _FROZEN

    before: Consent
    after: Consent
    path: OptInPath  # who may make it: the account, or the contact's recorded action
    evidence: str | None = None
    evidence_at: str | None = None


class Change(BaseModel):
    model_config = _FROZEN

    action: Action
    email: str
    source: str  # manifest file:line
    contact_id: str | None = None
    observed_updated_at: str | None = None
    observed_fingerprint: str | None = None
    fields: tuple[FieldChange, ...] = ()
    lists_add: tuple[str, ...] = ()
    lists_remove: tuple[str, ...] = ()
    consent: ConsentChange | None = None
    rule: str | None = None  # set on refuse: which consent rule forbids it
    reason: str | None = None  # for display only; apply never reads it


class AccountChange(BaseModel):
    model_config = _FROZEN

    kind: Literal["create_list", "create_custom_field"]
    name: str
    description: str | None = None
    type: str | None = None


class Plan(BaseModel):
    model_config = _FROZEN

    format_version: int = PLAN_FORMAT_VERSION
    provider: str
    target: str
    manifest_digest: str
    managed_lists: tuple[str, ...]
    account_changes: tuple[AccountChange, ...] = ()
    changes: tuple[Change, ...] = ()
    unchanged: int = 0  # contacts already in the desired state (kept as a count: plans stay small)
    # The newest last-modified time among the contacts read: a later apply lists only the contacts
    # changed since then to find edits made after planning, instead of re-reading the account.
    observed_through: str | None = None

    def count(self, action: Action) -> int:
        if action == Action.NOOP:
            return self.unchanged
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.account_changes) or any(c.action != Action.REFUSE for c in self.changes)

    @property
    def has_refusals(self) -> bool:
        return any(c.action == Action.REFUSE for c in self.changes)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    provider: str
    target: str
    contact_opt_in_path: bool  # the provider can replay a contact's own opt-in legally
    supported_fields: frozenset[str] = frozenset(ALL_FIELDS)  # what the platform can store
    phone_kinds: frozenset[str] = frozenset(("home", "work", "mobile", "other"))
    max_phone_numbers: int = 3
    max_street_addresses: int = 3


def fingerprint(contact: ObservedContact) -> str:
    """A digest of everything the planner could have looked at, to spot edits made since planning
    even when the platform's updated_at has only one-second resolution."""
    doc = {
        "email": contact.email,
        "deleted": contact.deleted,
        "consent": contact.consent.value,
        "fields": dict(sorted(contact.fields.items())),
        "custom_fields": dict(sorted(contact.custom_fields.items())),
        "lists": sorted(contact.lists),
    }
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()[:32]


def _observed_value(contact: ObservedContact, name: str) -> Any:
    value = contact.fields.get(name)
    if value is None and name in COLLECTION_FIELDS:
        return []
    return value


def _check_references(desired: Desired, observed: Observed, policy: PlanPolicy) -> None:
    declared_lists = {ld.name for ld in desired.lists}
    declared_fields = {cf.name for cf in desired.custom_fields}
    problems: list[str] = []
    unsupported: dict[str, str] = {}
    for contact in desired.contacts:
        for name in contact.fields.keys() - policy.supported_fields:
            unsupported.setdefault(name, str(contact.source))
        problems.extend(_platform_limits(contact, policy))
    for name, where in sorted(unsupported.items()):
        problems.append(
            f"{where}: field '{name}' cannot be stored on {policy.provider}; remove it from the manifests"
        )
    for name in sorted(desired.managed_lists):
        if name not in observed.lists and name not in declared_lists:
            problems.append(
                f"list '{name}' does not exist on the account; declare it under `lists:` to create it "
                "(or fix the name)"
            )
    missing_fields: dict[str, str] = {}
    for contact in desired.contacts:
        for name in contact.custom_fields:
            if name not in observed.custom_fields and name not in declared_fields:
                missing_fields.setdefault(name, str(contact.source))
    for name, where in sorted(missing_fields.items()):
        problems.append(
            f"{where}: custom field '{name}' does not exist on the account; declare it under "
            "`custom_fields:` to create it (or fix the name)"
        )
    if problems:
        raise PlanError("cannot plan:\n  " + "\n  ".join(problems))


def _platform_limits(contact: DesiredContact, policy: PlanPolicy) -> list[str]:
    out = []
    phones = contact.fields.get("phone_numbers") or []
    for phone in phones:
        if phone["kind"] not in policy.phone_kinds:
            out.append(
                f"{contact.source}: {policy.provider} has no '{phone['kind']}' phone number; "
                f"use one of: {', '.join(sorted(policy.phone_kinds))}"
            )
    if len(phones) > policy.max_phone_numbers:
        out.append(
            f"{contact.source}: {policy.provider} stores at most {policy.max_phone_numbers} phone number(s)"
        )
    addresses = contact.fields.get("street_addresses") or []
    if len(addresses) > policy.max_street_addresses:
        out.append(
            f"{contact.source}: {policy.provider} stores at most {policy.max_street_addresses} address(es)"
        )
    return out


def _account_changes(desired: Desired, observed: Observed) -> tuple[AccountChange, ...]:
    out = [
        AccountChange(kind="create_list", name=ld.name, description=ld.description)
        for ld in desired.lists
        if ld.name not in observed.lists
    ]
    out += [
        AccountChange(kind="create_custom_field", name=cf.name, type=cf.type)
        for cf in desired.custom_fields
        if cf.name not in observed.custom_fields
    ]
    return tuple(sorted(out, key=lambda a: (a.kind, a.name)))


def _create(d: DesiredContact) -> Change:
    fields = [
        FieldChange(path=k, before=None, after=v) for k, v in sorted(d.fields.items()) if v not in (None, [])
    ]
    fields += [
        FieldChange(path=f"custom_fields.{k}", before=None, after=v)
        for k, v in sorted(d.custom_fields.items())
        if v is not None
    ]
    return Change(
        action=Action.CREATE,
        email=d.email,
        source=str(d.source),
        fields=tuple(fields),
        lists_add=tuple(sorted(d.lists or ())),
    )


def _field_changes(d: DesiredContact, o: ObservedContact) -> list[FieldChange]:
    out: list[FieldChange] = []
    for name in sorted(d.fields):
        want, have = d.fields[name], _observed_value(o, name)
        if want is None and name in COLLECTION_FIELDS:
            want = []
        if want != have:
            out.append(FieldChange(path=name, before=have, after=want))
    for name in sorted(d.custom_fields):
        want_cf, have_cf = d.custom_fields[name], o.custom_fields.get(name)
        if want_cf != have_cf:
            out.append(FieldChange(path=f"custom_fields.{name}", before=have_cf, after=want_cf))
    return out


def _update(
    d: DesiredContact, o: ObservedContact, managed: frozenset[str], policy: PlanPolicy
) -> Change | None:
    fields = _field_changes(d, o)
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    if d.lists is not None:
        add = tuple(sorted(d.lists - o.lists))
        remove = tuple(sorted((o.lists & managed) - d.lists))
    if not (fields or add or remove or o.deleted):
        return None

    common: dict[str, Any] = {
        "email": d.email,
        "source": str(d.source),
        "contact_id": o.contact_id,
        "observed_updated_at": o.updated_at,
        "observed_fingerprint": fingerprint(o),
        "fields": tuple(fields),
        "lists_add": add,
        "lists_remove": remove,
    }
    consent: ConsentChange | None = None
    if add:
        decision = decide_opt_in(
            o.consent,
            opted_out_at=o.opted_out_at,
            evidence=d.consent_evidence,
            provider_has_contact_path=policy.contact_opt_in_path,
        )
        if not decision.allowed:
            return Change(
                action=Action.REFUSE,
                rule=decision.rule.value if decision.rule else None,
                reason=decision.reason,
                **common,
            )
        if decision.path != OptInPath.NONE:
            ev = d.consent_evidence if decision.path == OptInPath.CONTACT_EVIDENCE else None
            consent = ConsentChange(
                before=o.consent,
                after=Consent.SUBSCRIBED,
                path=decision.path,
                evidence=ev.evidence if ev else None,
                evidence_at=ev.at if ev else None,
            )
    action = Action.REVIVE if o.deleted else Action.UPDATE
    return Change(action=action, consent=consent, **common)


def replan_existing(change: Change, live: ObservedContact) -> Change | None:
    """A create met a contact that exists after all (a 409, or an earlier POST that landed): the
    equivalent change against that contact, decided by the same rules as any plan. No evidence
    travels with a create, so a contact who opted out is refused; no membership is removed."""
    prefix = "custom_fields."
    custom = {f.path.removeprefix(prefix): f.after for f in change.fields if f.path.startswith(prefix)}
    fields = {f.path: f.after for f in change.fields if not f.path.startswith(prefix)}
    file, _, line = change.source.rpartition(":")
    desired = DesiredContact(
        email=change.email,
        source=SourceRef(file, int(line)) if line.isdigit() else SourceRef(change.source, 0),
        fields=fields,
        custom_fields=custom,
        lists=frozenset(change.lists_add),
    )
    return _update(desired, live, frozenset(), PlanPolicy("", "", contact_opt_in_path=False))


def _sorted(contacts: Iterable[DesiredContact]) -> list[DesiredContact]:
    return sorted(contacts, key=lambda c: c.key)


def compute_plan(desired: Desired, observed: Observed, policy: PlanPolicy) -> Plan:
    _check_references(desired, observed, policy)
    changes: list[Change] = []
    unchanged = 0
    for d in _sorted(desired.contacts):
        o = observed.contacts.get(d.key)
        change = _create(d) if o is None else _update(d, o, desired.managed_lists, policy)
        if change is None:
            unchanged += 1
        else:
            changes.append(change)
    return Plan(
        provider=policy.provider,
        target=policy.target,
        manifest_digest=desired.digest,
        managed_lists=tuple(sorted(desired.managed_lists)),
        account_changes=_account_changes(desired, observed),
        changes=tuple(changes),
        unchanged=unchanged,
        observed_through=max(
            (o.updated_at for o in observed.contacts.values() if o.updated_at), default=None
        ),
    )
