"""Which of v2's fixed custom-field slots holds which named field.

v2 has no custom-field definitions to read: every contact carries up to fifteen values named
CustomField1..CustomField15, and the account's labels for them are not served by the API. So
the names manifests use ("Tier") are mapped onto slots by configuration:

    RECONCILER_CTCT_V2_CUSTOM_FIELDS="Tier=CustomField1,Region=CustomField2"

Unset, the demo account's layout is used (DEFAULT_SLOT_MAP); set it to "" to address slots by
their own names only. A slot without a name is always addressable as itself ("CustomField9").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.errors import ConfigError

__all__ = ["DEFAULT_SLOT_MAP", "SLOTS", "SLOT_MAP_ENV", "SlotNames"]

SLOT_MAP_ENV = "RECONCILER_CTCT_V2_CUSTOM_FIELDS"
DEFAULT_SLOT_MAP = "Tier=CustomField1,Region=CustomField2,Lead_Source=CustomField3"
SLOTS: tuple[str, ...] = tuple(f"CustomField{n}" for n in range(1, 16))
_SLOT = re.compile(r"^customfield([1-9]|1[0-5])$", re.IGNORECASE)


def _slot(text: str) -> str | None:
    m = _SLOT.match(text.strip())
    return f"CustomField{m.group(1)}" if m else None


@dataclass(frozen=True, slots=True)
class SlotNames:
    """Both directions of the slot <-> name mapping, covering all fifteen slots."""

    by_slot: Mapping[str, str]  # "CustomField1" -> "Tier"; unnamed slots map to themselves
    by_name: Mapping[str, str]  # "Tier" -> "CustomField1"

    @classmethod
    def parse(cls, spec: str) -> SlotNames:
        named: dict[str, str] = {}
        for entry in filter(None, (e.strip() for e in spec.split(","))):
            name, sep, target = (part.strip() for part in entry.partition("="))
            slot = _slot(target)
            if not sep or not name or slot is None:
                raise ConfigError(
                    f"{SLOT_MAP_ENV}: '{entry}' is not NAME=CustomFieldN with N from 1 to 15 "
                    f"(for example {DEFAULT_SLOT_MAP})"
                )
            if slot in named or name in named.values():
                raise ConfigError(f"{SLOT_MAP_ENV}: '{entry}' names a slot or a field that is already mapped")
            other = _slot(name)
            if other is not None and other != slot:
                raise ConfigError(f"{SLOT_MAP_ENV}: '{entry}' would give {slot} the name of slot {other}")
            named[slot] = name
        by_slot = {slot: named.get(slot, slot) for slot in SLOTS}
        return cls(by_slot=by_slot, by_name={name: slot for slot, name in by_slot.items()})

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SlotNames:
        spec = env.get(SLOT_MAP_ENV)
        return cls.parse(DEFAULT_SLOT_MAP if spec is None else spec)

    def free_slots(self) -> list[str]:
        """Slots no name has been given to (candidates for a new field)."""
        return [slot for slot, name in self.by_slot.items() if name == slot]
