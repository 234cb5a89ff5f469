"""How the v1 simulator writes Atom: contact and list entries, feeds with their rel links,
the service document, and responses (Atom bodies, plain-text errors).

Atom ids and list references are `http://api.constantcontact.com/...` URIs whatever host the
simulator runs on, as the real API's are; links (rel="edit", rel="next") are paths."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree.ElementTree import Element

from starlette.responses import PlainTextResponse, Response

from reconciler.providers.ctct_v1.atom import APP, ATOM, CTCT, CTCT_MEDIA, MEDIA_TYPE, element, serialize
from reconciler.sim.ctct_v1.fields import ORDER, SUMMARY, WRITABLE

__all__ = [
    "ID_HOST",
    "SYSTEM_LISTS",
    "atom_response",
    "contact_entry",
    "contact_uri",
    "feed",
    "full_elements",
    "list_entry",
    "list_uri",
    "member_entry",
    "root_path",
    "service_document",
    "text_error",
]

ID_HOST = "http://api.constantcontact.com"  # the id URI is http, even though the API is HTTPS-only
# The system lists every account has; their URIs are named, not numbered.
SYSTEM_LISTS = {"active": "Active", "removed": "Removed", "do-not-mail": "Do Not Mail"}


def root_path(username: str) -> str:
    return f"/ws/customers/{username}"


def contact_uri(username: str, contact_id: int) -> str:
    return f"{ID_HOST}{root_path(username)}/contacts/{contact_id}"


def list_uri(username: str, key: int | str) -> str:
    return f"{ID_HOST}{root_path(username)}/lists/{key}"


def atom_response(root: Element, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(serialize(root), status_code=status, media_type=MEDIA_TYPE, headers=headers)


def text_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """v1 errors are a line of plain text, e.g. "Error 400: ..." (the content type is
    UNCONFIRMED; text/plain is the reading that fits the examples)."""
    return PlainTextResponse(f"Error {status}: {message}", status_code=status, headers=headers)


def _entry_head(parent: Element | None, href: str, ident: str, title: str, updated: str) -> Element:
    entry = element(parent, ATOM, "entry")
    element(entry, ATOM, "link", href=href, rel="edit")
    element(entry, ATOM, "id", ident)
    element(entry, ATOM, "title", title, type="text")
    element(entry, ATOM, "updated", updated)
    element(element(entry, ATOM, "author"), ATOM, "name", "Constant Contact")
    return entry


def full_elements(record: Mapping[str, Any]) -> list[str]:
    """The <Contact> children a full GET returns for `record`: every writable element (empty
    when blank), the server's bookkeeping when set, and ContactLists."""
    return [n for n in ORDER if n in WRITABLE or record.get(n) not in (None, "")] + ["ContactLists"]


def contact_entry(
    record: Mapping[str, Any], username: str, *, full: bool, parent: Element | None = None
) -> Element:
    uri = contact_uri(username, record["id"])
    entry = _entry_head(
        parent,
        f"{root_path(username)}/contacts/{record['id']}",
        uri,
        f"Contact: {record['EmailAddress']}",
        record["LastUpdateTime"],
    )
    content = element(entry, ATOM, "content", type=CTCT_MEDIA)
    contact = element(content, CTCT, "Contact", id=uri)
    names = full_elements(record)[:-1] if full else [n for n in SUMMARY if record.get(n) not in (None, "")]
    for name in names:
        element(contact, CTCT, name, str(record.get(name) or "") or None)
    if full:
        holder = element(contact, CTCT, "ContactLists")
        for membership in record["lists"]:
            item = element(holder, CTCT, "ContactList", id=list_uri(username, membership["id"]))
            element(item, ATOM, "link", href=f"{root_path(username)}/lists/{membership['id']}", rel="self")
            element(item, CTCT, "OptInSource", membership["OptInSource"])
            element(item, CTCT, "OptInTime", membership["OptInTime"])
    return entry


def list_entry(
    item: Mapping[str, Any], username: str, members: int, parent: Element | None = None
) -> Element:
    """An account list ({id, name, ...} from the store) or a system list ({id: "active", name})."""
    uri = list_uri(username, item["id"])
    entry = _entry_head(
        parent, f"{root_path(username)}/lists/{item['id']}", uri, item["name"], item["updated"]
    )
    content = element(entry, ATOM, "content", type=CTCT_MEDIA)
    payload = element(content, CTCT, "ContactList", id=uri)
    if isinstance(item["id"], int):
        element(payload, CTCT, "OptInDefault", str(item["opt_in_default"]).lower())
    element(payload, CTCT, "Name", item["name"])
    if isinstance(item["id"], int):
        element(payload, CTCT, "ShortName", item["short_name"])
        element(payload, CTCT, "DisplayOnSignup", "Yes" if item["display_on_signup"] else "No")
        element(payload, CTCT, "SortOrder", str(item["sort_order"]))
    element(payload, CTCT, "Members", id=f"{uri}/members")
    element(payload, CTCT, "ContactCount", str(members))
    return entry


def member_entry(record: Mapping[str, Any], username: str, list_id: int, parent: Element) -> Element:
    uri = f"{list_uri(username, list_id)}/members/{record['id']}"
    entry = _entry_head(
        parent,
        f"{root_path(username)}/contacts/{record['id']}",
        uri,
        record["EmailAddress"],
        record["LastUpdateTime"],
    )
    content = element(entry, ATOM, "content", type=CTCT_MEDIA)
    member = element(content, CTCT, "ContactListMember", id=contact_uri(username, record["id"]))
    element(member, CTCT, "EmailAddress", record["EmailAddress"])
    element(member, CTCT, "Name", record["Name"] or None)
    return entry


def feed(ident: str, title: str, updated: str, links: Mapping[str, str], self_href: str) -> Element:
    """A feed head: first/current/next links as given (no "next" on the last page)."""
    root = element(None, ATOM, "feed")
    element(root, ATOM, "id", ident)
    element(root, ATOM, "title", title, type="text")
    element(root, ATOM, "link", href=self_href)
    element(root, ATOM, "link", href=self_href, rel="self")
    element(element(root, ATOM, "author"), ATOM, "name", "Constant Contact Web Services")
    element(root, ATOM, "updated", updated)
    for rel, href in links.items():
        element(root, ATOM, "link", href=href, rel=rel)
    return root


def service_document(username: str, collections: Iterable[str]) -> Element:
    service = element(None, APP, "service")
    workspace = element(service, APP, "workspace")
    element(workspace, ATOM, "title", f"Customer: {username}", type="text")
    for name in collections:
        collection = element(workspace, APP, "collection", href=f"{root_path(username)}/{name}")
        element(collection, ATOM, "title", name, type="text")
    return service
