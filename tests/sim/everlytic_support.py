"""Helpers for the Everlytic simulator tests: an account with three lists and a few contacts,
served in-process through Starlette's TestClient with a small XML-RPC caller; and one account
served over real HTTP through both front-ends, for the providers."""

from __future__ import annotations

import base64
import warnings
import xmlrpc.client
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    from starlette.testclient import TestClient

import httpx

from reconciler.plan import PlanPolicy
from reconciler.providers.everlytic import EverlyticProvider, build, build_xmlrpc
from reconciler.providers.everlytic.codec import dumps_call, loads
from reconciler.sim.everlytic import SimConfig, SimStore, create_app, create_xmlrpc_app
from reconciler.sim.server import RunningServer, start_server
from reconciler.transport import RetryPolicy
from sim.conftest import FakeClock

AUTH = {"Authorization": "Basic " + base64.b64encode(b"sim-user:sim-api-key").decode()}
XML = {"Content-Type": "text/xml"}
RPC_PATH = "/api/2.0/xmlrpc/"


@dataclass
class Account:
    store: SimStore
    config: SimConfig
    rest: TestClient
    rpc_client: TestClient
    clock: FakeClock
    newsletter: int
    customers: int
    partners: int
    jane: int
    bob: int

    def rpc(self, method: str, *params: Any) -> Any:
        """The method's result; a fault raises xmlrpc.client.Fault."""
        response = self.rpc_client.post(RPC_PATH, content=dumps_call(method, params), headers=XML)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return loads(response.content)[0][0]

    def fault(self, method: str, *params: Any) -> xmlrpc.client.Fault:
        try:
            self.rpc(method, *params)
        except xmlrpc.client.Fault as fault:
            return fault
        raise AssertionError(f"{method} did not fault")

    def subscription(self, list_id: int, contact_id: int) -> dict[str, Any] | None:
        return self.store.subscriptions_of(contact_id).get(list_id)


def open_account(config: SimConfig | None = None) -> Account:
    clock = FakeClock()
    store = SimStore(clock=clock)
    newsletter, customers, partners = (store.add_list(n) for n in ("Newsletter", "Customers", "Partners"))
    jane = store.add_contact(
        {
            "email": "jane@example.com",
            "name": "Jane",
            "lastname": "Doe",
            "telephone_fax": "+1-555-0000",
            "unique_id": "crm-7",
            "score": 4.5,
            "email_bounce_soft_count": 2,
        }
    )
    bob = store.add_contact({"email": "bob@example.com", "name": "Bob"})
    store.subscribe(newsletter, jane)
    store.subscribe(partners, jane, mobile_status="subscribed")
    store.subscribe(newsletter, bob, "unsubscribed", email_unsubscribed_date=1_770_000_000)
    config = config or SimConfig()
    return Account(
        store=store,
        config=config,
        rest=TestClient(create_app(config, store), headers=AUTH),
        rpc_client=TestClient(create_xmlrpc_app(config, store), headers=AUTH),
        clock=clock,
        newsletter=newsletter,
        customers=customers,
        partners=partners,
        jane=jane,
        bob=bob,
    )


@dataclass
class LiveSim:
    """One front-end of a simulator running on a real port."""

    variant: str  # "rest" or "xmlrpc"
    server: RunningServer
    store: SimStore
    http: httpx.Client  # one client for admin calls: each new one costs an SSL context

    def provider(self, env: Mapping[str, str]) -> EverlyticProvider:
        factory = build if self.variant == "rest" else build_xmlrpc
        return factory(self.server.url, env, 0, RetryPolicy(max_attempts=3, base_delay=0.01))

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        return self.http.request(method, f"{self.server.url}/__sim__/{path}", **kw).json()


def policy_for(provider: EverlyticProvider) -> PlanPolicy:
    caps = provider.capabilities
    return PlanPolicy(
        provider=caps.name,
        target=provider.target,
        contact_opt_in_path=caps.contact_opt_in_path,
        supported_fields=caps.fields,
        phone_kinds=caps.phone_kinds,
        max_phone_numbers=caps.max_phone_numbers,
        max_street_addresses=caps.max_street_addresses,
    )


@contextmanager
def serve_both() -> Iterator[dict[str, LiveSim]]:
    """One account (store) served through the REST and the XML-RPC front-end at once."""
    store = SimStore()
    config = SimConfig()
    with (
        start_server(create_app(config, store)) as rest,
        start_server(create_xmlrpc_app(config, store)) as rpc,
        httpx.Client() as http,
    ):
        yield {"rest": LiveSim("rest", rest, store, http), "xmlrpc": LiveSim("xmlrpc", rpc, store, http)}
