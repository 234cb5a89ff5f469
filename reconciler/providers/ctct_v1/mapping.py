"""Pure mapping between v1 contact entries (Atom <entry> with a <Contact> payload) and the
canonical contact.

A PUT body is the entry exactly as the server returned it, with only the planned changes
applied: every element stays (the API replaces the whole record, and the simulator rejects a
PUT that leaves out an element the GET returned), unmanaged values and list memberships are
carried through byte for byte, and a cleared field becomes an empty element, not a missing one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from reconciler.model import Consent, ObservedContact, canonical_addresses, canonical_phones
from reconciler.plan import Change, FieldChange
from reconciler.providers.ctct_v1.atom import (
    ATOM,
    CTCT,
    CTCT_MEDIA,
    XmlError,
    child,
    child_text,
    element,
    parse,
    qname,
    serialize,
)
from reconciler.providers.ctct_v1.settings import V1Settings

__all__ = [
    "ACTION_BY_CONTACT",
    "ACTION_BY_CUSTOMER",
    "DO_NOT_MAIL",
    "SUPPORTED_FIELDS",
    "UnstorableValue",
    "build_create_entry",
    "build_put_entry",
    "consent_of",
    "contact_of",
    "id_of",
    "list_key",
    "status_of",
    "to_observed",
]

ACTION_BY_CUSTOMER = "ACTION_BY_CUSTOMER"  # the account adds the contact
ACTION_BY_CONTACT = "ACTION_BY_CONTACT"  # the contact's own action; only ever on their evidence
DO_NOT_MAIL = "Do Not Mail"

_SCALARS = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "job_title": "JobTitle",
    "company_name": "CompanyName",
}
_PHONES = {"home": "HomePhone", "work": "WorkPhone"}
_STREET = ("Addr1", "Addr2", "Addr3")
_ADDRESS = (*_STREET, "City", "StateCode", "StateName", "PostalCode", "CountryCode", "CountryName")
SUPPORTED_FIELDS = frozenset({*_SCALARS, "phone_numbers", "street_addresses"})
_STATUS = {
    "Active": Consent.SUBSCRIBED,
    "Unconfirmed": Consent.PENDING,
    # Removed = taken off every list by the account: not an opt-out, the account may re-add.
    "Removed": Consent.UNSUBSCRIBED_BY_ACCOUNT,
    # On v1 only the contact can leave Do-Not-Mail, whoever put them there.
    DO_NOT_MAIL: Consent.UNSUBSCRIBED_BY_CONTACT,
}


class UnstorableValue(ValueError):
    """A planned value that has no place in a v1 record (a mobile phone, a second address)."""


def contact_of(entry: Element) -> Element:
    content = child(entry, ATOM, "content")
    contact = None if content is None else child(content, CTCT, "Contact")
    if contact is None:
        raise XmlError("the entry has no <content><Contact> payload")
    return contact


def list_key(uri: str) -> str:
    """Lists are referred to by URI (".../lists/3"); the last segment identifies them whatever
    host or scheme the URI names."""
    return uri.strip().rstrip("/").rpartition("/")[2]


def id_of(entry: Element) -> str:
    """The contact's number, from its Atom id (http://api.constantcontact.com/.../contacts/7)."""
    ident = child_text(entry, ATOM, "id")
    if not ident:
        raise XmlError("the entry has no <id>")
    return list_key(ident)


def status_of(entry: Element) -> str | None:
    return child_text(contact_of(entry), CTCT, "Status")


def consent_of(status: str | None) -> Consent:
    return _STATUS.get(status or "", Consent.NOT_SET)


def _address(contact: Element, kind: str) -> list[dict[str, str | None]]:
    values = {name: child_text(contact, CTCT, name) for name in _ADDRESS}
    if not any(values.values()):
        return []
    street = "\n".join(v for v in (values[n] for n in _STREET) if v)
    canonical = {
        "kind": kind,
        "street": street or None,
        "city": values["City"],
        "state": values["StateCode"] or values["StateName"],
        "postal_code": values["PostalCode"],
        "country": values["CountryCode"] or values["CountryName"],
    }
    return canonical_addresses([canonical]) or []


def to_observed(entry: Element, list_names: Mapping[str, str], settings: V1Settings) -> ObservedContact:
    """`list_names` maps list_key(uri) -> name; system lists and unknown ids are left out."""
    contact = contact_of(entry)
    text = {name: child_text(contact, CTCT, name) for name in (*_SCALARS.values(), *_PHONES.values())}
    fields: dict[str, Any] = {key: text[name] for key, name in _SCALARS.items()}
    phones: list[Mapping[str, Any]] = [
        {"kind": kind, "number": text[name]} for kind, name in _PHONES.items() if text[name]
    ]
    fields["phone_numbers"] = canonical_phones(phones) or []
    fields["street_addresses"] = _address(contact, settings.address_kind)
    custom = {
        name: value
        for slot, name in settings.slot_names.items()
        if (value := child_text(contact, CTCT, slot)) is not None
    }
    memberships = child(contact, CTCT, "ContactLists")
    lists = frozenset(
        list_names[key]
        for item in ([] if memberships is None else memberships.findall(qname(CTCT, "ContactList")))
        if (key := list_key(item.get("id", ""))) in list_names
    )
    status = child_text(contact, CTCT, "Status")
    return ObservedContact(
        email=child_text(contact, CTCT, "EmailAddress") or "",
        contact_id=id_of(entry),
        updated_at=child_text(contact, CTCT, "LastUpdateTime") or child_text(entry, ATOM, "updated"),
        consent=consent_of(status),
        opted_out_at=child_text(contact, CTCT, "OptOutTime") if status == DO_NOT_MAIL else None,
        fields=fields,
        custom_fields=custom,
        lists=lists,
    )


# -- writing -------------------------------------------------------------------------------


def _set(contact: Element, name: str, value: str | None) -> None:
    """Overwrite one element's value; a new element goes before <ContactLists>, where v1
    writes its scalar elements."""
    found = child(contact, CTCT, name)
    if found is None:
        found = Element(qname(CTCT, name))
        lists = child(contact, CTCT, "ContactLists")
        contact.insert(len(contact) if lists is None else list(contact).index(lists), found)
    found.text = value if value not in (None, "") else None


def _set_phones(contact: Element, value: list[Mapping[str, Any]] | None) -> None:
    numbers: dict[str, str] = {}
    for phone in value or []:
        kind = str(phone.get("kind"))
        if kind not in _PHONES:
            raise UnstorableValue(
                f"Constant Contact v1 stores only home and work phone numbers (HomePhone, WorkPhone), "
                f"not a {kind} number; change its kind or remove it from the manifest"
            )
        if kind in numbers:
            raise UnstorableValue(f"Constant Contact v1 stores one {kind} phone number, not several")
        numbers[kind] = str(phone.get("number") or "")
    for kind, name in _PHONES.items():
        _set(contact, name, numbers.get(kind))


def _set_address(contact: Element, value: list[Mapping[str, Any]] | None, kind: str) -> None:
    items = list(value or [])
    if len(items) > 1:
        raise UnstorableValue("Constant Contact v1 stores one postal address per contact, not several")
    address = items[0] if items else {}
    if address and address.get("kind") != kind:
        raise UnstorableValue(
            f"this account's v1 address is configured as kind '{kind}' (RECONCILER_CTCT_V1_ADDRESS_KIND); "
            f"a '{address.get('kind')}' address cannot be stored"
        )
    lines = [line for line in str(address.get("street") or "").split("\n") if line] if address else []
    if len(lines) > len(_STREET):
        raise UnstorableValue("Constant Contact v1 stores at most three street lines (Addr1..Addr3)")
    for index, name in enumerate(_STREET):
        _set(contact, name, lines[index] if index < len(lines) else None)
    _set(contact, "City", address.get("city"))
    pairs = (("state", "StateCode", "StateName"), ("country", "CountryCode", "CountryName"))
    for value_key, code, name in pairs:
        given = address.get(value_key)
        # Two letters is a code (MA, US); anything longer is the name. The other is cleared
        # so that reading back gives exactly what was written.
        is_code = given is not None and len(str(given)) == 2 and str(given).isalpha()
        _set(contact, code, given if is_code else None)
        _set(contact, name, None if is_code else given)
    if not address or child_text(contact, CTCT, "PostalCode") != address.get("postal_code"):
        _set(contact, "SubPostalCode", None)  # a ZIP+4 suffix belongs to the old postal code
    _set(contact, "PostalCode", address.get("postal_code"))


def _apply_field(contact: Element, fc: FieldChange, settings: V1Settings) -> None:
    if fc.path in _SCALARS:
        _set(contact, _SCALARS[fc.path], fc.after)
    elif fc.path == "phone_numbers":
        _set_phones(contact, fc.after)
    elif fc.path == "street_addresses":
        _set_address(contact, fc.after, settings.address_kind)
    elif fc.path.startswith("custom_fields."):
        name = fc.path.removeprefix("custom_fields.")
        slot = settings.field_slots.get(name)
        if slot is None:
            raise UnstorableValue(f"custom field '{name}' is not mapped to a CustomField slot")
        _set(contact, slot, fc.after)
    else:
        raise UnstorableValue(f"Constant Contact v1 has no place for '{fc.path}'")


def _set_lists(contact: Element, change: Change, list_ids: Mapping[str, str]) -> None:
    """<ContactLists> is the complete membership set: lists the manifests do not manage are
    kept exactly as read (their child elements too)."""
    holder = child(contact, CTCT, "ContactLists")
    if holder is None:
        holder = element(contact, CTCT, "ContactLists")
    removed = {list_key(list_ids[n]) for n in change.lists_remove if n in list_ids}
    for item in holder.findall(qname(CTCT, "ContactList")):
        if list_key(item.get("id", "")) in removed:
            holder.remove(item)
    present = {list_key(item.get("id", "")) for item in holder}
    for name in change.lists_add:
        if list_key(list_ids[name]) not in present:
            element(holder, CTCT, "ContactList", id=list_ids[name])


def _apply(contact: Element, change: Change, list_ids: Mapping[str, str], settings: V1Settings) -> None:
    for fc in change.fields:
        _apply_field(contact, fc, settings)
    if change.lists_add or change.lists_remove:
        _set_lists(contact, change, list_ids)


def build_put_entry(
    raw: bytes,
    change: Change,
    list_ids: Mapping[str, str],
    settings: V1Settings,
    *,
    opt_in_source: str = ACTION_BY_CUSTOMER,
) -> bytes:
    """The entry as read (`raw`) with only `change` applied. OptInSource always says who is
    acting now: the account, unless the caller replays the contact's own evidenced opt-in."""
    entry = parse(raw)  # a fresh tree: the caller's bytes stay the record as read
    contact = contact_of(entry)
    _apply(contact, change, list_ids, settings)
    _set(contact, "OptInSource", opt_in_source)
    return serialize(entry)


def build_create_entry(change: Change, list_ids: Mapping[str, str], settings: V1Settings, now: str) -> bytes:
    """A new entry. Atom's id, title, author and updated must be present (their values are
    ignored); the contact needs at least one list, which the caller checks."""
    entry = element(None, ATOM, "entry")
    element(entry, ATOM, "title", " ", type="text")
    element(entry, ATOM, "updated", now)
    element(element(entry, ATOM, "author"), ATOM, "name", "reconciler")
    element(entry, ATOM, "id", "data:,none")
    element(entry, ATOM, "summary", "Contact", type="text")
    content = element(entry, ATOM, "content", type=CTCT_MEDIA)
    contact = element(content, CTCT, "Contact")
    element(contact, CTCT, "EmailAddress", change.email)
    element(contact, CTCT, "OptInSource", ACTION_BY_CUSTOMER)
    _apply(contact, change, list_ids, settings)
    return serialize(entry)
