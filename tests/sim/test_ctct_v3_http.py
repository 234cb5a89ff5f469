"""The simulator over real HTTP: start_server on a free port, driven with httpx."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app, load_demo_seed
from reconciler.sim.server import RunningServer, serve_forever, start_server

TOKEN = "http-token"


@pytest.fixture
def server() -> Iterator[tuple[RunningServer, SimStore]]:
    store = SimStore.from_state(load_demo_seed())
    running = start_server(create_app(SimConfig(token=TOKEN, rate_per_second=0), store))
    try:
        yield running, store
    finally:
        running.stop()


@pytest.fixture
def http(server: tuple[RunningServer, SimStore]) -> Iterator[httpx.Client]:
    running, _ = server
    with httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
    ) as client:
        yield client


def test_start_server_serves_the_demo_account_on_a_free_loopback_port(
    server: tuple[RunningServer, SimStore], http: httpx.Client
) -> None:
    running, _ = server
    assert running.url == f"http://127.0.0.1:{running.port}" and running.port > 0
    jane = http.get("/v3/contacts", params={"email": "jane@example.com", "include": "phone_numbers"}).json()
    assert jane["contacts"][0]["phone_numbers"][0]["phone_number"] == "+1-555-0100"


def test_paging_over_http_follows_relative_next_links(http: httpx.Client) -> None:
    emails: list[str] = []
    response = http.get("/v3/contacts", params={"limit": 7, "status": "all"})
    while True:
        body = response.json()
        emails += [c["email_address"]["address"] for c in body["contacts"]]
        href = body.get("_links", {}).get("next", {}).get("href")
        if not href:
            break
        response = http.get(href)
    assert len(emails) == len(set(emails)) == len(load_demo_seed()["contacts"])


def test_write_then_read_over_http(http: httpx.Client) -> None:
    lists = {item["name"]: item["list_id"] for item in http.get("/v3/contact_lists").json()["lists"]}
    body = {
        "email_address": {"address": "frank@example.com"},
        "create_source": "Account",
        "list_memberships": [lists["Newsletter"]],
    }
    created = http.post("/v3/contacts", json=body)
    assert created.status_code == 201
    got = http.get(f"/v3/contacts/{created.json()['contact_id']}", params={"include": "list_memberships"})
    assert got.json()["list_memberships"] == [lists["Newsletter"]]


def test_drop_fault_over_http_cuts_the_connection_after_the_write_landed(
    server: tuple[RunningServer, SimStore], http: httpx.Client
) -> None:
    _, store = server
    http.post("/__sim__/faults", json={"drop": True, "method": "POST", "path_prefix": "/v3/contacts"})
    body = {"email_address": {"address": "landed@example.com"}, "create_source": "Account"}
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/v3/contacts", json=body)
    assert store.find_by_email("landed@example.com") is not None
    retry = http.post("/v3/contacts", json=body)  # the client reconnects; the retry meets a 409
    assert retry.status_code == 409


def test_stop_releases_the_port() -> None:
    running = start_server(create_app(SimConfig(), SimStore()))
    running.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", running.port), timeout=0.5):
        pass


def test_serve_forever_runs_on_shutdown_however_serving_ends() -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    called = threading.Event()
    try:
        with pytest.raises(SystemExit):  # uvicorn exits when it cannot bind
            serve_forever(create_app(SimConfig(), SimStore()), "127.0.0.1", port, on_shutdown=called.set)
    finally:
        busy.close()
    assert called.is_set()
