"""Everlytic API 2.0 over XML-RPC (POST {base}/xmlrpc/, everlytic §4.9): the same provider,
reading and writing through the contacts.*, lists.* and list._subscriptions.* methods.

Bodies are built and parsed with xmlrpc.client's marshalling through codec.py, which forbids
DTDs, hence entity expansion. Every call is a POST; reads and status-setting calls are marked
idempotent so the transport may retry them, creates are not (a create that may have landed is
looked up before it is sent again). A fault becomes an ApiError whose status is the fault
code when that looks like an HTTP status (409 -> ConflictError)."""

from __future__ import annotations

import dataclasses
import xmlrpc.client
from collections.abc import Iterator, Mapping
from typing import Any

from reconciler.errors import ApiError, ConflictError
from reconciler.providers.everlytic.api import Page, repeated_page
from reconciler.providers.everlytic.codec import XmlRpcDecodeError, dumps_call, loads
from reconciler.providers.everlytic.factory import connect
from reconciler.providers.everlytic.provider import CAPABILITIES, EverlyticProvider
from reconciler.transport import RetryPolicy, Transport

__all__ = ["XMLRPC_CAPABILITIES", "XMLRPC_PATH", "XmlRpcApi", "build_xmlrpc"]

XMLRPC_PATH = "/xmlrpc/"
XMLRPC_CAPABILITIES = dataclasses.replace(CAPABILITIES, name="everlytic-xmlrpc")
_HEADERS = {"Content-Type": "text/xml", "Accept": "text/xml"}


def _fault_error(fault: xmlrpc.client.Fault, method: str, url: str) -> ApiError:
    code = fault.faultCode if isinstance(fault.faultCode, int) else None
    status = code if code is not None and 400 <= code < 600 else None
    kind = ConflictError if status == 409 else ApiError
    return kind(
        f"the platform refused {method} (fault {fault.faultCode})",
        status=status,
        method="POST",
        url=url,
        body=str(fault.faultString),
    )


class XmlRpcApi:
    def __init__(self, transport: Transport) -> None:
        self._http = transport
        self.endpoint = transport.url_for(XMLRPC_PATH)

    def call(self, method: str, *params: Any, idempotent: bool) -> Any:
        response = self._http.request(
            "POST",
            XMLRPC_PATH,
            content=dumps_call(method, params),
            headers=_HEADERS,
            idempotent=idempotent,
            expected=(200,),
        )
        try:
            result, _name = loads(response.content)
        except xmlrpc.client.Fault as fault:
            raise _fault_error(fault, method, self.endpoint) from None
        except XmlRpcDecodeError as err:
            raise ApiError(
                f"the answer to {method} is not a usable XML-RPC response ({err})",
                status=response.status_code,
                method="POST",
                url=self.endpoint,
            ) from err
        return result[0] if result else None

    def _pages(
        self,
        method: str,
        lead: tuple[Any, ...],
        page_size: int,
        order: str,
        key: str,
        filters: Mapping[str, str] | None = None,
    ) -> Iterator[Page]:
        """page 1, 2, ... until an empty page. A short page is not taken as the end: the
        server may cap `count` below what was asked."""
        seen: set[tuple[str, ...]] = set()
        page = 1
        while True:
            items = self.call(
                method, *lead, page, page_size, order, "asc", dict(filters or {}), idempotent=True
            )
            if not isinstance(items, list) or not items:
                return
            rows = [dict(item) for item in items if isinstance(item, dict)]
            keys = {tuple(str(row.get(k)) for k in key.split(",")) for row in rows}
            if keys & seen:
                raise repeated_page(method)
            seen |= keys
            yield rows
            page += 1

    def contacts(self, page_size: int, filters: Mapping[str, str]) -> Iterator[Page]:
        return self._pages("contacts.ListContacts", (), page_size, "id", "id", filters)

    def lists(self, page_size: int) -> Iterator[Page]:
        return self._pages("lists.ListLists", (), page_size, "id", "id")

    def subscriptions(self, list_id: str, page_size: int) -> Iterator[Page]:
        return self._pages(
            "list._subscriptions.ListSubscriptions",
            (int(list_id),),
            page_size,
            "contact_id",
            "list_id,contact_id",
        )

    def get_contact(self, contact_id: str) -> dict[str, Any]:
        return dict(self.call("contacts.GetContact", int(contact_id), idempotent=True))

    def create_contact(self, body: Mapping[str, Any]) -> str:
        return str(self.call("contacts.CreateContact", dict(body), idempotent=False))

    def update_contact(self, contact_id: str, properties: Mapping[str, Any]) -> None:
        self.call("contacts.UpdateContact", int(contact_id), dict(properties), idempotent=True)

    def set_subscription(self, list_id: str, body: Mapping[str, Any]) -> None:
        self.call("list._subscriptions.ListSubscription", int(list_id), dict(body), idempotent=True)

    def create_list(self, body: Mapping[str, Any]) -> str:
        return str(self.call("lists.CreateList", dict(body), idempotent=False))

    def close(self) -> None:
        self._http.close()


def build_xmlrpc(
    base_url: str | None, env: Mapping[str, str], rate_per_second: float, retry: RetryPolicy | None = None
) -> EverlyticProvider:
    """The XML-RPC variant; same environment variables and base URL as `build`."""
    transport, base, settings = connect(base_url, env, rate_per_second, retry, {"Accept": "text/xml"})
    return EverlyticProvider(XmlRpcApi(transport), XMLRPC_CAPABILITIES, base, settings)
