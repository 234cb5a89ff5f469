"""Request bodies: the Atom entries clients POST and PUT, parsed safely and checked the way the
API checks them (400 with a sentence naming the problem). Output is validated input only;
turning it into stored records is contacts.py's and lists.py's job."""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from reconciler.providers.ctct_v1.atom import ATOM, CTCT, XmlError, child, child_text, local, parse, qname
from reconciler.sim.ctct_v1.fields import EMAIL_TYPES, LIMITS, OPT_IN_SOURCES, ORDER, WRITABLE
from reconciler.sim.ctct_v3.wire import invalid

__all__ = ["ContactInput", "ListInput", "parse_contact", "parse_entry", "parse_list"]

_EMAIL = re.compile(r"^[^@\s\"(),:;<>\[\]\\]+@[^@\s\"(),:;<>\[\]\\]+\.[^@\s\"(),:;<>\[\]\\.]{2,}$")
_KNOWN = frozenset((*ORDER, "ContactLists"))
_ENVELOPE = ("id", "title", "author", "updated")
# The one ContactList message quoted from the API, typo included.
NO_LIST = "The new contact must contain at least on valid ContactList"


@dataclass(frozen=True)
class ContactInput:
    present: frozenset[str]  # every <Contact> child the body carried
    values: dict[str, str]  # the writable elements it carried ("" = empty)
    lists: list[int] | None  # <ContactLists> as list numbers; None when the element is absent
    opt_in_source: str | None


@dataclass(frozen=True)
class ListInput:
    name: str
    opt_in_default: bool
    sort_order: int | None


def parse_entry(body: bytes) -> Element:
    """The Atom <entry>. Anything with a DTD is refused unread: no entity is ever expanded."""
    try:
        entry = parse(body)
    except XmlError as err:
        raise invalid(f"The request body is not acceptable XML: {err}.") from err
    if entry.tag != qname(ATOM, "entry"):
        raise invalid("The request body must be an Atom <entry> (xmlns http://www.w3.org/2005/Atom).")
    return entry


def _payload(entry: Element, name: str) -> Element:
    content = child(entry, ATOM, "content")
    payload = None if content is None else child(content, CTCT, name)
    if payload is None:
        raise invalid(f"The entry must carry <content> with a <{name}> in xmlns {CTCT}.")
    return payload


def _list_number(uri: str, username: str) -> int:
    match = re.fullmatch(rf"/ws/customers/{re.escape(username)}/lists/(\d+)/?", urlsplit(uri.strip()).path)
    if match is None:
        raise invalid(f"ContactList {uri} is not a valid contact list of this account.")
    return int(match.group(1))


def _lists(holder: Element, username: str, existing: Container[int]) -> list[int]:
    numbers: list[int] = []
    for item in holder:
        if item.tag != qname(CTCT, "ContactList"):
            raise invalid(f"<ContactLists> may only contain <ContactList>, not <{local(item.tag)}>.")
        number = _list_number(item.get("id", ""), username)
        if number not in existing:
            raise invalid(f"ContactList {item.get('id')} does not exist.")
        if number not in numbers:
            numbers.append(number)
    return numbers


def parse_contact(
    body: bytes, username: str, existing_lists: Container[int], *, create: bool
) -> ContactInput:
    entry = parse_entry(body)
    if create:
        absent = [name for name in _ENVELOPE if child(entry, ATOM, name) is None]
        if absent:
            raise invalid(
                f"The entry must contain the Atom elements {', '.join(_ENVELOPE)}; missing {absent}."
            )
    contact = _payload(entry, "Contact")
    present: set[str] = set()
    values: dict[str, str] = {}
    lists: list[int] | None = None
    for item in contact:
        name = local(item.tag)
        if item.tag != qname(CTCT, name) or name not in _KNOWN:
            raise invalid(f"<{name}> is not an element of a Contact.")
        present.add(name)
        if name == "ContactLists":
            lists = _lists(item, username, existing_lists)
        elif name in WRITABLE:
            values[name] = (item.text or "").strip()
            if len(values[name]) > LIMITS.get(name, 50):
                raise invalid(f"{name} is longer than {LIMITS.get(name, 50)} characters.")
    email = values.get("EmailAddress", "")
    if not _EMAIL.match(email):
        raise invalid(
            f"EmailAddress '{email}' is not a valid email address." if email else "EmailAddress is required."
        )
    if values.get("EmailType") and values["EmailType"] not in EMAIL_TYPES:
        raise invalid(f"EmailType must be one of {', '.join(EMAIL_TYPES)}.")
    source = child_text(contact, CTCT, "OptInSource")
    if source is not None and source not in OPT_IN_SOURCES:
        raise invalid(f"OptInSource must be one of {', '.join(OPT_IN_SOURCES)}.")
    if create and not lists:
        raise invalid(NO_LIST)
    return ContactInput(frozenset(present), values, lists, source)


def parse_list(body: bytes) -> ListInput:
    payload = _payload(parse_entry(body), "ContactList")
    name = child_text(payload, CTCT, "Name")
    if not name:
        raise invalid("A ContactList needs a Name.")
    if len(name) > 50:
        raise invalid("Name is longer than 50 characters.")
    order = child_text(payload, CTCT, "SortOrder")
    if order is not None and not order.isdigit():
        raise invalid("SortOrder must be a whole number.")
    return ListInput(
        name=name,
        opt_in_default=(child_text(payload, CTCT, "OptInDefault") or "false").lower() == "true",
        sort_order=int(order) if order is not None else None,
    )
