"""Account-shape settings Everlytic's API cannot tell us (none of them secret).

* Custom fields: the documented API has no named custom fields, so a manifest's custom field
  can only be stored in one of the spare writable profile properties (title, department,
  industry), named in RECONCILER_EVERLYTIC_CUSTOM_FIELDS as "Tier=department,Region=industry".
  Off by default: on a real account those properties may hold data someone else manages.
* The one postal address has no kind; it is reported as RECONCILER_EVERLYTIC_ADDRESS_KIND
  (default "work": it sits with company_name and telephone_office in the record).
* Creating a list needs its owner's email: RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.errors import ConfigError

__all__ = [
    "ADDRESS_KIND_ENV",
    "CUSTOM_FIELDS_ENV",
    "CUSTOM_FIELD_PROPERTIES",
    "LIST_OWNER_ENV",
    "EverlyticSettings",
    "parse_custom_fields",
]

CUSTOM_FIELDS_ENV = "RECONCILER_EVERLYTIC_CUSTOM_FIELDS"
ADDRESS_KIND_ENV = "RECONCILER_EVERLYTIC_ADDRESS_KIND"
LIST_OWNER_ENV = "RECONCILER_EVERLYTIC_LIST_OWNER_EMAIL"
# Free-text writable properties no canonical field uses. (education_level, gender and the
# like are left out: their allowed values are fixed or undocumented.)
CUSTOM_FIELD_PROPERTIES = ("title", "department", "industry")
_ADDRESS_KINDS = ("home", "work", "other")


def parse_custom_fields(spec: str) -> dict[str, str]:
    """ "Tier=department, Region=industry" -> {"Tier": "department", ...}."""
    out: dict[str, str] = {}
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        name, sep, prop = (part.strip() for part in entry.partition("="))
        if not sep or not name or prop not in CUSTOM_FIELD_PROPERTIES:
            raise ConfigError(
                f"{CUSTOM_FIELDS_ENV}: '{entry}' is not NAME=PROPERTY with PROPERTY one of "
                f"{', '.join(CUSTOM_FIELD_PROPERTIES)} (example: Tier=department,Region=industry)"
            )
        if name in out or prop in out.values():
            raise ConfigError(f"{CUSTOM_FIELDS_ENV}: '{entry}' maps a name or a property a second time")
        out[name] = prop
    return out


@dataclass(frozen=True, slots=True)
class EverlyticSettings:
    custom_fields: Mapping[str, str] = field(default_factory=dict)  # manifest name -> property
    address_kind: str = "work"
    list_owner_email: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EverlyticSettings:
        kind = (env.get(ADDRESS_KIND_ENV) or "work").strip().lower()
        if kind not in _ADDRESS_KINDS:
            raise ConfigError(f"{ADDRESS_KIND_ENV} must be one of {', '.join(_ADDRESS_KINDS)}, got '{kind}'")
        owner = (env.get(LIST_OWNER_ENV) or "").strip() or None
        if owner is not None and "@" not in owner:
            raise ConfigError(f"{LIST_OWNER_ENV} must be an email address, got '{owner}'")
        return cls(parse_custom_fields(env.get(CUSTOM_FIELDS_ENV) or ""), kind, owner)
