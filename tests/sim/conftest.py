"""Fixtures for the v3 simulator's fidelity tests: an account with two lists and two custom
fields, served in-process through Starlette's TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

with warnings.catch_warnings():
    # Starlette nags about httpx vs httpx2 on import; irrelevant to these tests.
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    from starlette.testclient import TestClient

from reconciler.sim.ctct_v3 import SimConfig, SimStore, create_app

AUTH = {"Authorization": "Bearer sim-token"}


class FakeClock:
    """A settable UTC clock, so timestamps in assertions are exact."""

    def __init__(self, start: datetime = datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC)) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@dataclass
class Account:
    store: SimStore
    config: SimConfig
    client: TestClient
    newsletter: str
    customers: str
    tier: str
    region: str

    def create(self, email: str, **fields: Any) -> dict[str, Any]:
        """POST a contact (create_source Account); the response body."""
        body: dict[str, Any] = {"email_address": {"address": email}, "create_source": "Account", **fields}
        response = self.client.post("/v3/contacts", json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def put(self, contact_id: str, body: dict[str, Any]) -> Any:
        return self.client.put(f"/v3/contacts/{contact_id}", json=body)


def make_client(config: SimConfig, store: SimStore, **kwargs: Any) -> TestClient:
    return TestClient(create_app(config, store, **kwargs), headers=AUTH)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def account(clock: FakeClock) -> Iterator[Account]:
    store = SimStore(clock=clock)
    ids = {
        "newsletter": store.add_list("Newsletter", "Monthly news"),
        "customers": store.add_list("Customers"),
        "tier": store.add_custom_field("Tier"),
        "region": store.add_custom_field("Region"),
    }
    # Unlimited by default: the limit tests set their own.
    config = SimConfig(rate_per_second=0, daily_quota=0)
    with make_client(config, store) as client:
        yield Account(store=store, config=config, client=client, **ids)
