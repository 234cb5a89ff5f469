"""Safe XML for the v1 Atom API: parsing with entity expansion impossible, and serialising
with default-namespace declarations, so a re-sent entry looks like the one the server sent.

Both the provider and the v1 simulator use this module: there is exactly one XML parser in
reconciler, and it refuses any DTD (which is where billion-laughs and external-entity attacks
live) before a single entity could be expanded."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError, SubElement

import defusedxml.ElementTree as _safe  # type: ignore[import-untyped, unused-ignore]
from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "APP",
    "ATOM",
    "CTCT",
    "CTCT_MEDIA",
    "MEDIA_TYPE",
    "XmlError",
    "child",
    "child_text",
    "element",
    "local",
    "parse",
    "qname",
    "serialize",
]

ATOM = "http://www.w3.org/2005/Atom"
CTCT = "http://ws.constantcontact.com/ns/1.0/"
APP = "http://www.w3.org/2007/app"
MEDIA_TYPE = "application/atom+xml"
CTCT_MEDIA = "application/vnd.ctct+xml"  # the <content type=...> wrapping a <Contact>

_XML_NS = "http://www.w3.org/XML/1998/namespace"
_MAX_BYTES = 2_000_000  # one entry or feed page; anything larger is not a v1 document


class XmlError(ValueError):
    """The bytes are not a well-formed, DTD-free XML document."""


def parse(data: bytes | str) -> Element:
    """Parse one document. Any DTD is refused outright: no entity (internal or external) is
    ever declared, so none can be expanded or fetched."""
    if len(data) > _MAX_BYTES:
        raise XmlError(f"the document is larger than {_MAX_BYTES} bytes")
    try:
        root: Element = _safe.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise XmlError(f"forbidden XML construct ({type(err).__name__})") from err
    except ParseError as err:
        raise XmlError(f"malformed XML ({err})") from err
    return root


def qname(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _ns(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def child(parent: Element, ns: str, name: str) -> Element | None:
    return parent.find(qname(ns, name))


def child_text(parent: Element, ns: str, name: str) -> str | None:
    """The element's text, None when the element is absent or empty."""
    found = child(parent, ns, name)
    if found is None:
        return None
    text = (found.text or "").strip()
    return text or None


def element(parent: Element | None, ns: str, name: str, text: str | None = None, **attrib: str) -> Element:
    el = Element(qname(ns, name), attrib) if parent is None else SubElement(parent, qname(ns, name), attrib)
    if text is not None:
        el.text = text
    return el


# -- serialising ---------------------------------------------------------------------------


def _escape_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return (
        _escape_text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _attributes(el: Element, parent_ns: str) -> tuple[str, str]:
    ns = _ns(el.tag)
    parts: list[str] = []
    if ns != parent_ns:
        parts.append(f'xmlns="{_escape_attr(ns)}"')
    prefixes: dict[str, str] = {}
    for key, value in el.attrib.items():
        attr_ns = _ns(key)
        if not attr_ns:
            name = key
        elif attr_ns == _XML_NS:
            name = f"xml:{local(key)}"
        else:
            if attr_ns not in prefixes:
                prefixes[attr_ns] = f"a{len(prefixes)}"
                parts.append(f'xmlns:{prefixes[attr_ns]}="{_escape_attr(attr_ns)}"')
            name = f"{prefixes[attr_ns]}:{local(key)}"
        parts.append(f'{name}="{_escape_attr(value)}"')
    return ns, "".join(" " + p for p in parts)


def _write(el: Element, parent_ns: str, out: list[str]) -> None:
    ns, attrs = _attributes(el, parent_ns)
    name = local(el.tag)
    if el.text is None and len(el) == 0:
        out.append(f"<{name}{attrs}/>")
    else:
        out.append(f"<{name}{attrs}>")
        out.append(_escape_text(el.text or ""))
        for sub in el:
            _write(sub, ns, out)
            out.append(_escape_text(sub.tail or ""))
        out.append(f"</{name}>")


def serialize(root: Element) -> bytes:
    """UTF-8 bytes with an XML declaration. Namespaces are declared as default namespaces
    where they change (Atom outside, Constant Contact's inside <content>), the way the API
    writes them, rather than ElementTree's ns0:/ns1: prefixes."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, "", out)
    return "".join(out).encode("utf-8")
