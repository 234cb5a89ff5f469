"""Account-shape settings v1 cannot tell us: which fixed custom-field slot holds which named
field, and which canonical kind its single postal address is.

v1 has no custom-field definitions, only the slots CustomField1..CustomField15, so manifests'
field names are mapped onto slots here (RECONCILER_CTCT_V1_CUSTOM_FIELDS). A slot without a
name is addressable by its own name ("CustomField7"). v1's one address has no kind either; it
is reported as RECONCILER_CTCT_V1_ADDRESS_KIND (default "work": it sits with CompanyName,
JobTitle and WorkPhone in the v1 record, and business mailing is v1's main use)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.errors import ConfigError

__all__ = [
    "ADDRESS_KIND_ENV",
    "CUSTOM_FIELDS_ENV",
    "DEFAULT_ADDRESS_KIND",
    "DEFAULT_CUSTOM_FIELDS",
    "SLOTS",
    "V1Settings",
    "parse_slot_map",
]

CUSTOM_FIELDS_ENV = "RECONCILER_CTCT_V1_CUSTOM_FIELDS"
ADDRESS_KIND_ENV = "RECONCILER_CTCT_V1_ADDRESS_KIND"
# The demo account's layout (and that of the example manifests); set the variable to "" to
# use bare slot names only.
DEFAULT_CUSTOM_FIELDS = "Tier=CustomField1,Region=CustomField2,Lead_Source=CustomField3"
DEFAULT_ADDRESS_KIND = "work"
SLOTS: tuple[str, ...] = tuple(f"CustomField{i}" for i in range(1, 16))
_ADDRESS_KINDS = ("home", "work", "other")
_SLOT_BY_LOWER = {s.lower(): s for s in SLOTS}


def parse_slot_map(spec: str) -> dict[str, str]:
    """ "Tier=CustomField1, Region=CustomField2" -> {"CustomField1": "Tier", ...}. Raises
    ConfigError naming the variable and the bad entry."""
    by_slot: dict[str, str] = {}
    names: set[str] = set()
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        name, sep, slot_text = (part.strip() for part in entry.partition("="))
        slot = _SLOT_BY_LOWER.get(slot_text.lower())
        if not sep or not name or slot is None:
            raise ConfigError(
                f"{CUSTOM_FIELDS_ENV}: '{entry}' is not NAME=CustomFieldN with N from 1 to 15 "
                f"(example: {DEFAULT_CUSTOM_FIELDS})"
            )
        if slot in by_slot or name in names:
            raise ConfigError(f"{CUSTOM_FIELDS_ENV}: '{entry}' maps a name or a slot a second time")
        if name.lower() in _SLOT_BY_LOWER and _SLOT_BY_LOWER[name.lower()] != slot:
            raise ConfigError(f"{CUSTOM_FIELDS_ENV}: '{entry}' would give one slot another slot's name")
        by_slot[slot] = name
        names.add(name)
    return by_slot


@dataclass(frozen=True, slots=True)
class V1Settings:
    slot_names: Mapping[str, str]  # every slot -> the name manifests use for it
    address_kind: str = DEFAULT_ADDRESS_KIND

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> V1Settings:
        spec = env.get(CUSTOM_FIELDS_ENV)
        kind = (env.get(ADDRESS_KIND_ENV) or DEFAULT_ADDRESS_KIND).strip().lower()
        if kind not in _ADDRESS_KINDS:
            raise ConfigError(f"{ADDRESS_KIND_ENV} must be one of {', '.join(_ADDRESS_KINDS)}, got '{kind}'")
        return cls.create(DEFAULT_CUSTOM_FIELDS if spec is None else spec, kind)

    @classmethod
    def create(
        cls, spec: str = DEFAULT_CUSTOM_FIELDS, address_kind: str = DEFAULT_ADDRESS_KIND
    ) -> V1Settings:
        named = parse_slot_map(spec)
        return cls({slot: named.get(slot, slot) for slot in SLOTS}, address_kind)

    @property
    def field_slots(self) -> dict[str, str]:
        """name -> slot, what Observed.custom_fields reports."""
        return {name: slot for slot, name in self.slot_names.items()}
