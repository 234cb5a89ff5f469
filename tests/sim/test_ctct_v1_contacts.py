"""Contacts on the v1 simulator: summary feed and paging, full entries, create, the
complete-entry PUT, ContactLists as the complete membership set, Removed, and DELETE as opt-out."""

from __future__ import annotations

from typing import Any

from reconciler.providers.ctct_v1.atom import ATOM, CTCT, parse, qname
from sim import ctct_v1_support
from sim.ctct_v1_support import (
    ATOM_TYPE,
    ROOT,
    Account,
    FakeClock,
    drop,
    list_ids,
    list_uri,
    new_entry,
    set_lists,
    set_value,
    value,
)

account, clock = ctct_v1_support.account, ctct_v1_support.clock  # the fixtures these tests use


def _feed(account: Account, url: str) -> Any:
    response = account.client.get(url)
    assert response.status_code == 200, response.text
    return parse(response.content)


def _links(feed: Any) -> dict[str, str]:
    return {
        link.get("rel"): link.get("href") for link in feed.findall(qname(ATOM, "link")) if link.get("rel")
    }


def test_feed_pages_by_50_with_next_first_and_current_links(account: Account) -> None:
    for i in range(120):
        account.store.add_contact(
            {"EmailAddress": f"c{i:03d}@example.com", "lists": [{"id": account.newsletter}]}
        )
    seen: list[str] = []
    url = f"{ROOT}/contacts"
    pages = 0
    while url:
        feed = _feed(account, url)
        entries = feed.findall(qname(ATOM, "entry"))
        seen += [e.findtext(qname(ATOM, "title")) for e in entries]
        links = _links(feed)
        assert links["first"] == f"{ROOT}/contacts" and "current" in links
        url = links.get("next", "")
        assert not url or url.startswith(f"{ROOT}/contacts?next=")
        pages += 1
    assert pages == 3 and len(seen) == 120 == len(set(seen))
    assert seen[0] == "Contact: c000@example.com"


def test_feed_entries_are_summaries_and_include_every_status(account: Account) -> None:
    account.store.add_contact({"EmailAddress": "out@example.com", "Status": "Do Not Mail"})
    account.store.add_contact({"EmailAddress": "gone@example.com"})  # no list: Removed
    feed = _feed(account, f"{ROOT}/contacts")
    contacts = [e.find(f"{{{ATOM}}}content/{{{CTCT}}}Contact") for e in feed.findall(qname(ATOM, "entry"))]
    assert [c.findtext(qname(CTCT, "Status")) for c in contacts] == ["Do Not Mail", "Removed"]
    assert {el.tag.rpartition("}")[2] for c in contacts for el in c} <= {
        "Status",
        "EmailAddress",
        "EmailType",
        "Name",
        "OptInTime",
        "OptInSource",
    }
    assert feed.find(f"{{{ATOM}}}entry/{{{ATOM}}}id").text.startswith("http://api.constantcontact.com/")


def test_email_search_is_exact_case_insensitive_and_may_repeat(account: Account) -> None:
    for email in ("ann@example.com", "bo@example.com", "annie@example.com"):
        account.create(email)
    feed = _feed(account, f"{ROOT}/contacts?email=ANN@example.com&email=bo@example.com")
    titles = [e.findtext(qname(ATOM, "title")) for e in feed.findall(qname(ATOM, "entry"))]
    assert titles == ["Contact: ann@example.com", "Contact: bo@example.com"]


def test_updatedsince_needs_a_listtype_or_listid_and_filters_by_both(
    account: Account, clock: FakeClock
) -> None:
    old = account.create("old@example.com")
    clock.advance(60)
    account.create("new@example.com", [account.customers])
    assert account.client.get(f"{ROOT}/contacts?updatedsince=2026-07-01T12:00:30Z").status_code == 400
    since = f"{ROOT}/contacts?updatedsince=2026-07-01T12:00:30.000Z"
    for query, expected in (
        ("&listtype=active", ["new"]),
        (f"&listid={account.customers}", ["new"]),
        ("&listtype=do-not-mail", []),
    ):
        feed = _feed(account, since + query)
        titles = [e.findtext(qname(ATOM, "title")) for e in feed.findall(qname(ATOM, "entry"))]
        assert titles == [f"Contact: {n}@example.com" for n in expected], query
    assert account.client.delete(f"{ROOT}/contacts/{old}").status_code == 204
    feed = _feed(account, since + "&listtype=do-not-mail")
    assert len(feed.findall(qname(ATOM, "entry"))) == 1


def test_full_entry_has_every_element_and_list_uris(account: Account) -> None:
    cid = account.create("jo@example.com", [account.newsletter], FirstName="Jo", CustomField3="gold")
    entry = account.get(cid)
    assert value(entry, "FirstName") == "Jo" and value(entry, "CustomField3") == "gold"
    assert value(entry, "Status") == "Active" and value(entry, "OptInSource") == "ACTION_BY_CUSTOMER"
    contact = entry.find(f"{{{ATOM}}}content/{{{CTCT}}}Contact")
    names = [el.tag.rpartition("}")[2] for el in contact]
    assert names[:3] == ["Status", "EmailAddress", "EmailType"] and names[-1] == "ContactLists"
    assert {"MiddleName", "Addr3", "CustomField15", "Note", "InsertTime", "LastUpdateTime"} <= set(names)
    assert list_ids(entry) == [list_uri(account.newsletter)]


def test_create_answers_201_with_the_entry_and_a_location(account: Account) -> None:
    response = account.client.post(
        f"{ROOT}/contacts", content=new_entry("ann@example.com", [account.newsletter]), headers=ATOM_TYPE
    )
    assert response.status_code == 201
    assert response.headers["Location"].startswith(f"http://api.constantcontact.com{ROOT}/contacts/")
    assert value(parse(response.content), "EmailAddress") == "ann@example.com"


def test_create_needs_a_list_the_atom_envelope_and_a_new_email(account: Account) -> None:
    no_list = account.client.post(
        f"{ROOT}/contacts", content=new_entry("a@example.com", []), headers=ATOM_TYPE
    )
    assert no_list.text == "Error 400: The new contact must contain at least on valid ContactList"
    bare = (
        b'<entry xmlns="http://www.w3.org/2005/Atom"><content type="application/vnd.ctct+xml">'
        b'<Contact xmlns="http://ws.constantcontact.com/ns/1.0/"><EmailAddress>a@example.com</EmailAddress>'
        b'<ContactLists><ContactList id="' + list_uri(account.newsletter).encode() + b'"/></ContactLists>'
        b"</Contact></content></entry>"
    )
    assert account.client.post(f"{ROOT}/contacts", content=bare, headers=ATOM_TYPE).status_code == 400
    account.create("dup@example.com")
    again = account.client.post(
        f"{ROOT}/contacts", content=new_entry("DUP@example.com", [account.newsletter]), headers=ATOM_TYPE
    )
    assert again.status_code == 409 and again.text.startswith("Error 409:")


def test_unknown_lists_elements_bad_values_and_long_fields_are_400(account: Account) -> None:
    for body in (
        new_entry("a@example.com", [99]),
        new_entry("a@example.com", [account.newsletter], Birthday="1990-01-01"),
        new_entry("a@example.com", [account.newsletter], EmailType="PDF"),
        new_entry("a@example.com", [account.newsletter], source="ACTION_BY_ROBOT"),
        new_entry("a@example.com", [account.newsletter], FirstName="x" * 51),
        new_entry("not-an-email", [account.newsletter]),
        b"<entry/>",
        b"not xml",
    ):
        response = account.client.post(f"{ROOT}/contacts", content=body, headers=ATOM_TYPE)
        assert response.status_code == 400, body
    assert account.store.contacts() == []


def test_put_of_the_complete_entry_as_read_changes_only_what_was_changed(account: Account) -> None:
    cid = account.create("jo@example.com", [account.newsletter], FirstName="Jo", Note="keep me")
    entry = account.get(cid)
    set_value(entry, "LastName", "Smith")
    set_value(entry, "Status", "Do Not Mail")  # read-only: ignored
    response = account.put(cid, entry)
    assert response.status_code == 204 and response.content == b""
    after = account.get(cid)
    assert value(after, "LastName") == "Smith" and value(after, "FirstName") == "Jo"
    assert value(after, "Note") == "keep me" and value(after, "Status") == "Active"
    assert value(after, "LastUpdateTime") > value(entry, "LastUpdateTime")


def test_put_missing_an_element_the_get_returned_is_rejected(account: Account) -> None:
    cid = account.create("jo@example.com", [account.newsletter], FirstName="Jo")
    for name in ("FirstName", "CustomField9", "ContactLists", "InsertTime"):
        entry = account.get(cid)
        drop(entry, name)
        response = account.put(cid, entry)
        assert response.status_code == 400, name
        assert name in response.text
    assert value(account.get(cid), "FirstName") == "Jo"


def test_contactlists_is_the_complete_set_and_an_empty_one_means_removed(account: Account) -> None:
    cid = account.create("jo@example.com", [account.newsletter, account.customers])
    entry = account.get(cid)
    set_lists(entry, [account.customers])
    assert account.put(cid, entry).status_code == 204
    assert list_ids(account.get(cid)) == [list_uri(account.customers)]
    entry = account.get(cid)
    set_lists(entry, [])
    assert account.put(cid, entry).status_code == 204
    removed = account.get(cid)
    assert value(removed, "Status") == "Removed" and list_ids(removed) == []
    set_lists(removed, [account.newsletter])  # not an opt-out: the account may re-add
    assert account.put(cid, removed).status_code == 204
    assert value(account.get(cid), "Status") == "Active"


def test_put_can_change_the_email_but_not_to_a_taken_one(account: Account) -> None:
    account.create("taken@example.com")
    cid = account.create("jo@example.com")
    entry = account.get(cid)
    set_value(entry, "EmailAddress", "taken@example.com")
    assert account.put(cid, entry).status_code == 409
    set_value(entry, "EmailAddress", "jo.new@example.com")
    assert account.put(cid, entry).status_code == 204
    assert account.store.find_by_email("jo.new@example.com") is not None


def test_delete_is_an_opt_out_onto_do_not_mail(account: Account) -> None:
    cid = account.create("jo@example.com", [account.newsletter, account.customers])
    assert account.client.delete(f"{ROOT}/contacts/{cid}").status_code == 204
    entry = account.get(cid)
    assert value(entry, "Status") == "Do Not Mail" and list_ids(entry) == []
    assert value(entry, "OptOutSource") == "ACTION_BY_CUSTOMER" and value(entry, "OptOutTime")
    assert account.client.delete(f"{ROOT}/contacts/{cid}").status_code == 204


def test_billion_laughs_and_external_entities_are_rejected_unexpanded(account: Account) -> None:
    cid = account.create("jo@example.com", FirstName="Jo")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b']><entry xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></entry>'
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<entry xmlns="http://www.w3.org/2005/Atom"><content type="application/vnd.ctct+xml">'
        b'<Contact xmlns="http://ws.constantcontact.com/ns/1.0/"><FirstName>&xxe;</FirstName></Contact>'
        b"</content></entry>"
    )
    for body in (laughs, external):
        for response in (
            account.client.post(f"{ROOT}/contacts", content=body, headers=ATOM_TYPE),
            account.put(cid, body),
            account.client.post(f"{ROOT}/lists", content=body, headers=ATOM_TYPE),
        ):
            assert response.status_code == 400
            assert "forbidden XML" in response.text
    assert value(account.get(cid), "FirstName") == "Jo"
