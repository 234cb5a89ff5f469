"""v1 contact lists on the wire: reading a list entry, writing a new one, and telling the
system lists (Active, Removed, Do Not Mail) from the account's own."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from reconciler.providers.ctct_v1.atom import (
    ATOM,
    CTCT,
    CTCT_MEDIA,
    XmlError,
    child,
    child_text,
    element,
    serialize,
)

__all__ = ["build_list_entry", "is_system_list", "read_list_entry"]


def is_system_list(uri: str) -> bool:
    """Account lists are numbered (.../lists/3); the system lists are named (.../lists/active,
    .../lists/removed, .../lists/do-not-mail) and are not lists a manifest can manage."""
    return not uri.strip().rstrip("/").rpartition("/")[2].isdigit()


def read_list_entry(entry: Element) -> tuple[str, str]:
    """(list URI, name) of one <entry> of the lists feed."""
    uri = child_text(entry, ATOM, "id")
    content = child(entry, ATOM, "content")
    payload = None if content is None else child(content, CTCT, "ContactList")
    name = child_text(payload, CTCT, "Name") if payload is not None else child_text(entry, ATOM, "title")
    if not uri or not name:
        raise XmlError("a list entry needs an <id> and a <Name>")
    return uri, name


def build_list_entry(name: str, now: str) -> bytes:
    entry = element(None, ATOM, "entry")
    element(entry, ATOM, "id", "data:,")
    element(entry, ATOM, "title", name, type="text")
    element(entry, ATOM, "author")
    element(entry, ATOM, "updated", now)
    content = element(entry, ATOM, "content", type=CTCT_MEDIA)
    payload = element(content, CTCT, "ContactList")
    element(payload, CTCT, "OptInDefault", "false")
    element(payload, CTCT, "Name", name)
    element(payload, CTCT, "SortOrder", "99")
    return serialize(entry)
