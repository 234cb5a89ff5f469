"""Fixtures and helpers for the v1 simulator's tests: an account with two lists, served
in-process through Starlette's TestClient with the account's Basic credentials, and builders
for the Atom entries clients send. Test modules import the fixtures they use from here."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with")
    from starlette.testclient import TestClient

from reconciler.providers.ctct_v1.atom import ATOM, CTCT, child, child_text, element, parse, qname, serialize
from reconciler.providers.ctct_v1.mapping import contact_of
from reconciler.sim.ctct_v1 import SimConfig, SimStore, create_app

USER = "joesflowers"
ROOT = f"/ws/customers/{USER}"
ATOM_TYPE = {"Content-Type": "application/atom+xml"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def config(**kw: Any) -> SimConfig:
    # Unlimited unless a test says otherwise.
    return SimConfig(**{"username": USER, "rate_per_second": 0, "daily_quota": 0, **kw})


def make_client(cfg: SimConfig, store: SimStore) -> TestClient:
    return TestClient(create_app(cfg, store), headers=basic(cfg.basic_user, cfg.password))


def list_uri(number: int | str, user: str = USER) -> str:
    return f"http://api.constantcontact.com/ws/customers/{user}/lists/{number}"


def new_entry(
    email: str, lists: list[int] | None = None, source: str = "ACTION_BY_CUSTOMER", **values: str
) -> bytes:
    """A create entry the way V1-CREATE shows it."""
    entry = element(None, ATOM, "entry")
    element(entry, ATOM, "title", " ", type="text")
    element(entry, ATOM, "updated", "2008-07-23T14:21:06.407Z")
    element(entry, ATOM, "author")
    element(entry, ATOM, "id", "data:,none")
    element(entry, ATOM, "summary", "Contact", type="text")
    contact = element(element(entry, ATOM, "content", type="application/vnd.ctct+xml"), CTCT, "Contact")
    element(contact, CTCT, "EmailAddress", email)
    element(contact, CTCT, "OptInSource", source)
    for name, value in values.items():
        element(contact, CTCT, name, value)
    holder = element(contact, CTCT, "ContactLists")
    for number in lists or []:
        element(holder, CTCT, "ContactList", id=list_uri(number))
    return serialize(entry)


def set_value(entry: Element, name: str, value: str | None) -> None:
    found = child(contact_of(entry), CTCT, name)
    assert found is not None, name
    found.text = value


def drop(entry: Element, name: str) -> None:
    contact = contact_of(entry)
    found = child(contact, CTCT, name)
    assert found is not None, name
    contact.remove(found)


def set_lists(entry: Element, numbers: list[int], source: str | None = None) -> None:
    holder = child(contact_of(entry), CTCT, "ContactLists")
    assert holder is not None
    for item in list(holder):
        holder.remove(item)
    for number in numbers:
        element(holder, CTCT, "ContactList", id=list_uri(number))
    if source is not None:
        set_value(entry, "OptInSource", source)


def value(entry: Element, name: str) -> str | None:
    return child_text(contact_of(entry), CTCT, name)


def list_ids(entry: Element) -> list[str]:
    holder = child(contact_of(entry), CTCT, "ContactLists")
    return [] if holder is None else [i.get("id", "") for i in holder.findall(qname(CTCT, "ContactList"))]


class FakeClock:
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
    newsletter: int
    customers: int

    def get(self, contact_id: int | str) -> Element:
        response = self.client.get(f"{ROOT}/contacts/{contact_id}")
        assert response.status_code == 200, response.text
        return parse(response.content)

    def create(self, email: str, lists: list[int] | None = None, **values: str) -> int:
        response = self.client.post(
            f"{ROOT}/contacts",
            content=new_entry(email, lists or [self.newsletter], **values),
            headers=ATOM_TYPE,
        )
        assert response.status_code == 201, response.text
        return int(response.headers["Location"].rpartition("/")[2])

    def put(self, contact_id: int | str, entry: Element | bytes) -> Any:
        body = entry if isinstance(entry, bytes) else serialize(entry)
        return self.client.put(f"{ROOT}/contacts/{contact_id}", content=body, headers=ATOM_TYPE)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def account(clock: FakeClock) -> Iterator[Account]:
    store = SimStore(clock=clock)
    ids = {"newsletter": store.add_list("Newsletter"), "customers": store.add_list("Customers")}
    cfg = config()
    with make_client(cfg, store) as client:
        yield Account(store=store, config=cfg, client=client, **ids)
