"""Shared fixtures for the v2 simulator's fidelity tests (imported by tests/sim/test_ctct_v2_*.py;
tests/sim/conftest.py belongs to the v3 simulator): an account with two lists, served
in-process through Starlette's TestClient, with the api_key and Bearer token on every call."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    from starlette.testclient import TestClient

from reconciler.sim.ctct_v2 import SimConfig, SimStore, create_app
from sim.conftest import FakeClock

API_KEY, TOKEN = "sim-api-key", "sim-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def make_client(config: SimConfig, store: SimStore) -> TestClient:
    return TestClient(create_app(config, store), headers=AUTH)


@dataclass
class Account:
    store: SimStore
    config: SimConfig
    client: TestClient
    clock: FakeClock
    newsletter: str
    customers: str

    def call(self, method: str, path: str, params: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        """`path` may carry its own query (a next_link): httpx would drop it if params were given
        beside it, so it is folded into them."""
        url = httpx.URL(path)
        merged = {**dict(url.params.multi_items()), "api_key": API_KEY, **(params or {})}
        return self.client.request(method, url.path, params=merged, **kw)

    def create(self, email: str, lists: list[str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {"email_addresses": [{"email_address": email}], "lists": [{"id": i} for i in lists or []]}
        body.update(fields)
        response = self.call("POST", "/v2/contacts", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def put(self, contact_id: str, body: dict[str, Any], action_by: str | None = None) -> httpx.Response:
        params = {"action_by": action_by} if action_by else None
        return self.call("PUT", f"/v2/contacts/{contact_id}", params=params, json=body)

    def get(self, contact_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/v2/contacts/{contact_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found


def body_of(contact: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A PUT body from a read contact: what a careful client sends."""
    drop = {"id", "status", "confirmed", "source", "source_details", "created_date", "modified_date"}
    body = {k: v for k, v in contact.items() if k not in drop}
    body["email_addresses"] = [{"email_address": contact["email_addresses"][0]["email_address"]}]
    body["lists"] = [{"id": m["id"]} for m in contact["lists"]]
    body.update(changes)
    return body


@pytest.fixture(name="account")
def account_fixture() -> Iterator[Account]:
    """Import `account_fixture` (not `account`) into a test module to use the `account` fixture."""
    clock = FakeClock()
    store = SimStore(clock=clock)
    ids = {"newsletter": store.add_list("Newsletter"), "customers": store.add_list("Customers")}
    config = SimConfig(api_key=API_KEY, token=TOKEN, rate_per_second=0, daily_quota=0)
    with make_client(config, store) as client:
        yield Account(store=store, config=config, client=client, clock=clock, **ids)
