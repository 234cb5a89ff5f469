"""Paging links keep their own query even when the transport adds an api_key to every request."""

from __future__ import annotations

import httpx

from reconciler.transport import Transport


def test_follow_keeps_the_links_query_alongside_default_params() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={})

    with Transport(
        "http://api.test/v2",
        auth=None,
        rate_per_second=0,
        transport=httpx.MockTransport(handler),
        default_params={"api_key": "k-123456"},
    ) as http:
        http.follow("/v2/contacts?next=abc&limit=500")
    assert seen[0].params["next"] == "abc"
    assert seen[0].params["limit"] == "500"
    assert seen[0].params["api_key"] == "k-123456"
