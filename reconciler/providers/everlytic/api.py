"""The calls the provider makes, as one small interface with a REST implementation here and
an XML-RPC one in xmlrpc.py, so that reading, writing and the consent logic are written once.

Paging is defensive because its parameters are undocumented: REST follows the `next` link
until there is none; both stop with an error rather than loop if the server serves a page
it already served (e.g. because it ignored the page parameter)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import httpx

from reconciler.errors import ApiError
from reconciler.transport import Transport

__all__ = ["EverlyticApi", "Page", "RestApi", "repeated_page"]

Page = list[dict[str, Any]]


def repeated_page(where: str) -> ApiError:
    return ApiError(
        f"the server returned a page of {where} it had already returned; stopping rather than "
        "reading the same contacts forever (is the page parameter being ignored?)"
    )


class EverlyticApi(Protocol):
    endpoint: str  # what requests go to, for messages

    def contacts(self, page_size: int, filters: Mapping[str, str]) -> Iterator[Page]: ...

    def lists(self, page_size: int) -> Iterator[Page]: ...

    def subscriptions(self, list_id: str, page_size: int) -> Iterator[Page]: ...

    def get_contact(self, contact_id: str) -> dict[str, Any]: ...

    def create_contact(self, body: Mapping[str, Any]) -> str: ...

    def update_contact(self, contact_id: str, properties: Mapping[str, Any]) -> None: ...

    def set_subscription(self, list_id: str, body: Mapping[str, Any]) -> None: ...

    def create_list(self, body: Mapping[str, Any]) -> str: ...

    def close(self) -> None: ...


def _json(response: httpx.Response, key: str | None = None) -> dict[str, Any]:
    """The body as a JSON object, or its `key` member (which must be an object too)."""
    try:
        value = response.json()
    except ValueError:
        value = None
    if key is not None and isinstance(value, dict):
        value = value.get(key)
    if not isinstance(value, dict):
        raise ApiError(
            f"the server's answer is not the {f'`{key}` ' if key else ''}JSON object the API documents",
            status=response.status_code,
            method=response.request.method,
            url=str(response.request.url),
        )
    return value


class RestApi:
    """/api/2.0 over the shared Transport (HTTP Basic, pacing, retries, redaction)."""

    def __init__(self, transport: Transport) -> None:
        self._http = transport
        self.endpoint = transport.base_url

    def _collection(self, path: str, params: Mapping[str, Any]) -> Iterator[Page]:
        response = self._http.request("GET", path, params={"page": 1, **params}, expected=(200,))
        followed: set[str] = set()
        while True:
            body = _json(response)
            yield [dict(entry.get("data", entry)) for entry in body.get("collection") or []]
            links = body.get("links") or []
            href = next(
                (link.get("href") for link in links if isinstance(link, dict) and link.get("rel") == "next"),
                None,
            )
            if not href:
                return
            if href in followed:
                raise repeated_page(path)
            followed.add(href)
            response = self._http.follow(href)

    def contacts(self, page_size: int, filters: Mapping[str, str]) -> Iterator[Page]:
        return self._collection("/contacts", {"count": page_size, **filters})

    def lists(self, page_size: int) -> Iterator[Page]:
        return self._collection("/lists", {"count": page_size})

    def subscriptions(self, list_id: str, page_size: int) -> Iterator[Page]:
        return self._collection(f"/list_subscriptions/{list_id}", {"count": page_size})

    def get_contact(self, contact_id: str) -> dict[str, Any]:
        return _json(self._http.request("GET", f"/contacts/{contact_id}", expected=(200,)), "item")

    def create_contact(self, body: Mapping[str, Any]) -> str:
        response = self._http.request(
            "POST", "/contacts", json=dict(body), idempotent=False, expected=(200, 201)
        )
        return str(_json(response, "item")["id"])

    def update_contact(self, contact_id: str, properties: Mapping[str, Any]) -> None:
        self._http.request("PUT", f"/contacts/{contact_id}", json=dict(properties), expected=(200, 201, 204))

    def set_subscription(self, list_id: str, body: Mapping[str, Any]) -> None:
        # Setting a status is idempotent, so a failed attempt may safely be repeated.
        self._http.request(
            "POST",
            f"/list_subscriptions/{list_id}",
            json=dict(body),
            idempotent=True,
            expected=(200, 201, 204),
        )

    def create_list(self, body: Mapping[str, Any]) -> str:
        response = self._http.request(
            "POST", "/lists", json=dict(body), idempotent=False, expected=(200, 201)
        )
        return str(_json(response, "item")["id"])

    def close(self) -> None:
        self._http.close()
