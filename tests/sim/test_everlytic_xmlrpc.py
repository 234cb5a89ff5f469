"""The simulated XML-RPC front-end (everlytic §4.9): the 2.0 methods over the same account
as REST, faults for API errors, and requests parsed with entity expansion impossible."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator

import pytest

from reconciler.providers.everlytic.codec import loads
from sim.everlytic_support import RPC_PATH, XML, Account, open_account


@pytest.fixture
def account() -> Iterator[Account]:
    acct = open_account()
    with acct.rest, acct.rpc_client:
        yield acct


def test_contacts_methods_share_the_account_with_rest(account: Account) -> None:
    new_id = account.rpc("contacts.CreateContact", {"email": "x@example.com", "list_id": {"2": "subscribed"}})
    assert isinstance(new_id, int)
    assert account.rest.get(f"/api/2.0/contacts/{new_id}").json()["item"]["email"] == "x@example.com"
    assert account.rpc("contacts.UpdateContact", new_id, {"name": "Xi"}) == new_id
    assert account.rpc("contacts.GetContact", new_id)["name"] == "Xi"
    assert account.rpc("contacts.GetContact", "crm-7")["id"] == account.jane
    page = account.rpc("contacts.ListContacts", 1, 2, "id", "asc", {})
    assert [c["id"] for c in page] == [account.jane, account.bob]
    assert account.rpc("contacts.ListContacts", 2, 2, "id", "asc", {})[0]["id"] == new_id
    assert account.rpc("contacts.ListContacts", 3, 2, "id", "asc", {}) == []
    filtered = account.rpc("contacts.ListContacts", 1, 10, "email", "desc", {"email": "JANE@example.com"})
    assert [c["id"] for c in filtered] == [account.jane]


def test_lists_and_subscriptions_methods(account: Account) -> None:
    assert [item["name"] for item in account.rpc("lists.ListLists", 1, 10, "id", "asc", {})] == [
        "Newsletter",
        "Customers",
        "Partners",
    ]
    vip = account.rpc("lists.CreateList", {"name": "VIP", "owner_email": "o@example.com"})
    assert account.rpc("lists.GetList", vip)["name"] == "VIP"
    body = {"list_id": vip, "contact_id": account.jane, "email_status": "subscribed"}
    assert account.rpc("list._subscriptions.ListSubscription", vip, body) is True
    assert (
        account.rpc("list._subscriptions.GetListSubscription", vip, account.jane)["email_status"]
        == "subscribed"
    )
    subs = account.rpc("list._subscriptions.ListSubscriptions", account.newsletter, 1, 10, "", "asc", {})
    assert {s["contact_id"] for s in subs} == {account.jane, account.bob}
    same = {"list_id": vip, "contact_id": account.bob, "email_status": "confirmed"}
    assert account.rpc("list._subscriptions.CreateListSubscription", vip, same) is True
    assert "contacts.UpdateContact" in account.rpc("system.listMethods")


def test_api_errors_are_faults_with_the_rest_status_and_are_logged_as_refused(account: Account) -> None:
    assert account.fault("contacts.GetContact", 999).faultCode == 404
    read_only = account.fault("contacts.UpdateContact", account.jane, {"score": 9})
    assert read_only.faultCode == 400 and "read-only" in read_only.faultString
    duplicate = account.fault("contacts.CreateContact", {"email": "jane@example.com", "list_id": {}})
    assert duplicate.faultCode == 409
    illegal = account.fault(
        "list._subscriptions.ListSubscription",
        account.newsletter,
        {"list_id": account.newsletter, "contact_id": account.bob, "email_status": "subscribed"},
    )
    assert illegal.faultCode == 400 and len(account.store.illegal_log) == 1
    assert account.fault("contacts.ListContacts", 1, 5000, "id", "asc", {}).faultCode == 400
    refused = account.rpc_client.get("/__sim__/refused").json()
    assert [r["status"] for r in refused] == [404, 400, 409, 400, 400]


def test_malformed_calls_get_the_conventional_fault_codes(account: Account) -> None:
    assert account.fault("contacts.Nope").faultCode == -32601
    assert account.fault("contacts.GetContact").faultCode == -32602
    assert account.fault("contacts.UpdateContact", account.jane, "name=X").faultCode == -32602
    assert account.fault("lists.GetList", "1").faultCode == -32602


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<methodCall><methodName>&b;</methodName><params/></methodCall>",
        b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<methodCall><methodName>&x;</methodName><params/></methodCall>",
        b"<methodCall><methodName>contacts.GetContact</methodName><params><param><value><int>1",
        b"not xml at all",
    ],
)
def test_entities_dtds_and_broken_documents_are_parse_error_faults(account: Account, document: bytes) -> None:
    response = account.rpc_client.post(RPC_PATH, content=document, headers=XML)
    assert response.status_code == 200
    with pytest.raises(xmlrpc.client.Fault) as caught:
        loads(response.content)
    assert caught.value.faultCode == -32700


def test_http_level_rules_content_type_method_and_auth(account: Account) -> None:
    assert (
        account.rpc_client.post(
            RPC_PATH, content=b"<x/>", headers={"Content-Type": "application/json"}
        ).status_code
        == 415
    )
    assert account.rpc_client.get(RPC_PATH).status_code == 405
    unauthorized = account.rpc_client.post(RPC_PATH, content=b"<x/>", headers={**XML, "Authorization": ""})
    assert unauthorized.status_code == 401
    refused_accept = account.rpc_client.post(
        RPC_PATH, content=b"<x/>", headers={**XML, "Accept": "application/json"}
    )
    assert refused_accept.status_code == 406
    # The REST app does not serve XML-RPC, and the XML-RPC app does not serve REST.
    assert account.rest.post(RPC_PATH, content=b"<x/>", headers=XML).status_code == 404
    assert account.rpc_client.get("/api/2.0/contacts").status_code == 404


def test_the_journal_keeps_each_call_and_its_params(account: Account) -> None:
    account.rpc("contacts.UpdateContact", account.jane, {"lastname": "Roe"})
    entry = account.rpc_client.get("/__sim__/requests").json()[-1]
    assert entry["body"] == {
        "method": "contacts.UpdateContact",
        "params": [account.jane, {"lastname": "Roe"}],
    }
