"""Phones and addresses: v2 stores them in fixed slots, the canonical contact as kinded lists.

Phones live in four top-level properties, one number each; the canonical kinds map onto them
one to one (fax is the only v2 phone that is none of home/work/mobile, so it is "other").
Addresses: at most one PERSONAL (home) and one BUSINESS (work); the API silently ignores any
other, so such a value is refused here rather than lost on the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.model import canonical_addresses, canonical_phones

__all__ = [
    "ADDRESS_KINDS",
    "PHONE_PROPERTIES",
    "Unstorable",
    "addresses_from_wire",
    "addresses_to_wire",
    "phones_from_wire",
    "phones_to_wire",
]

PHONE_PROPERTIES: Mapping[str, str] = {
    "home": "home_phone",
    "work": "work_phone",
    "mobile": "cell_phone",
    "other": "fax",
}
ADDRESS_KINDS: Mapping[str, str] = {"PERSONAL": "home", "BUSINESS": "work"}
_ADDRESS_TYPES = {kind: wire for wire, kind in ADDRESS_KINDS.items()}
_LINES = ("line1", "line2", "line3")
_STATE_CODE = re.compile(r"^[A-Za-z]{2}$")


class Unstorable(ValueError):
    """A planned value that v2 has no place for; the message says why, for the user."""


def phones_from_wire(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    phones: list[Mapping[str, Any]] = [
        {"kind": kind, "number": raw[prop]} for kind, prop in PHONE_PROPERTIES.items() if raw.get(prop)
    ]
    return canonical_phones(phones) or []


def phones_to_wire(phones: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    """The phone properties to set; kinds not in the result must be left out (nulled)."""
    out: dict[str, str] = {}
    for phone in phones or []:
        prop = PHONE_PROPERTIES.get(str(phone.get("kind")))
        if prop is None:
            raise Unstorable(f"phone kind '{phone.get('kind')}' is not one of {', '.join(PHONE_PROPERTIES)}")
        if prop in out:
            raise Unstorable(
                f"Constant Contact v2 stores one {phone['kind']} phone number per contact "
                f"({prop}); the manifest gives more than one"
            )
        out[prop] = str(phone["number"])
    return out


def _canonical_address(wire: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = ADDRESS_KINDS.get(str(wire.get("address_type") or "").upper())
    if kind is None:
        return None
    lines = [str(wire[k]) for k in _LINES if wire.get(k)]
    country = wire.get("country_code")
    return {
        "kind": kind,
        "street": "\n".join(lines) or None,
        "city": wire.get("city"),
        # The two-letter code is what v2 validates and what manifests usually say.
        "state": wire.get("state_code") or wire.get("state"),
        "postal_code": wire.get("postal_code"),
        "country": str(country).upper() if country else None,
    }


def _canonical(wire: Mapping[str, Any]) -> dict[str, str | None] | None:
    found = _canonical_address(wire)
    return None if found is None else (canonical_addresses([found]) or [])[0]


def addresses_from_wire(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, str | None]]:
    found: list[Mapping[str, Any]] = [a for a in (_canonical_address(w) for w in raw) if a is not None]
    return canonical_addresses(found) or []


def _new_wire_address(address: Mapping[str, Any]) -> dict[str, Any]:
    lines = str(address.get("street") or "").split("\n") if address.get("street") else []
    if len(lines) > len(_LINES):
        raise Unstorable("a v2 street address has at most three lines")
    wire: dict[str, Any] = {"address_type": _ADDRESS_TYPES[str(address["kind"])]}
    wire.update({key: line for key, line in zip(_LINES, lines, strict=False) if line})
    state = address.get("state")
    if state:
        wire["state_code" if _STATE_CODE.match(str(state)) else "state"] = state
    for key, wire_key in (("city", "city"), ("postal_code", "postal_code"), ("country", "country_code")):
        if address.get(key):
            wire[wire_key] = address[key]
    return wire


def addresses_to_wire(
    wanted: Sequence[Mapping[str, Any]] | None, live: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The complete `addresses` array. A wanted address equal to a live one keeps the live
    entry whole (line2, sub_postal_code, state name ...), so nothing undeclared is lost."""
    kinds = [str(a.get("kind")) for a in wanted or []]
    for kind in kinds:
        if kind not in _ADDRESS_TYPES:
            raise Unstorable(
                f"Constant Contact v2 stores only home (PERSONAL) and work (BUSINESS) addresses, not '{kind}'"
            )
    if len(set(kinds)) != len(kinds):
        raise Unstorable("Constant Contact v2 stores at most one home and one work address per contact")
    out: list[dict[str, Any]] = []
    for address in canonical_addresses(list(wanted or [])) or []:
        kept = next((w for w in live if _canonical(w) == address), None)
        if kept is not None:
            out.append({k: v for k, v in kept.items() if k != "id" and v is not None})
        else:
            out.append(_new_wire_address(address))
    return out
