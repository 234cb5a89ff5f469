"""What a contact write may carry (everlytic §4.3/§4.4): the documented writable properties,
with their types and allowed values. Everything the server maintains itself (ids, dates,
scores, bounce and message counters) is read-only and refused with a 400, as is any name the
API does not know, so a client that leaks a read property into a write is caught."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from reconciler.sim.everlytic.wire import invalid

__all__ = [
    "MAILING_STATUSES",
    "PROFILE_DEFAULTS",
    "READ_ONLY",
    "SUBSCRIPTION_STATUSES",
    "SYSTEM_DEFAULTS",
    "CreateData",
    "parse_create",
    "parse_update",
]

_TEXT = (
    "email",
    "mobile",
    "name",
    "lastname",
    "title",
    "company_position",
    "company_name",
    "department",
    "industry",
    "address",
    "city",
    "country",
    "state",
    "zip",
    "telephone_office",
    "telephone_home",
    "telephone_fax",
    "birth_date",
    "education_level",
    "hash",
    "unique_id",
)
_INTS = ("country_id", "city_id", "date_of_birth")
_ENUMS: Mapping[str, tuple[str, ...]] = {
    "status": ("on", "off", "suppressed"),
    "preferred_email_format": ("html", "text"),
    "gender": ("unknown", "male", "female"),
    "marital_status": ("unknown", "single", "married"),
}
WRITABLE = frozenset((*_TEXT, *_INTS, *_ENUMS))
_CREATE_ONLY = ("list_id", "on_duplicate")

PROFILE_DEFAULTS: Mapping[str, Any] = {
    **{name: "" for name in _TEXT},
    "country_id": 1,
    "city_id": 1,
    "date_of_birth": 0,
    "status": "on",
    "preferred_email_format": "html",
    "gender": "unknown",
    "marital_status": "unknown",
    "address_2": "",  # returned, but not among the documented writable properties
}
_COUNTERS = (
    "email_bounce_hard_count",
    "email_bounce_soft_count",
    "block_bounce_count",
    "sms_bounce_hard_count",
    "sms_bounce_soft_count",
    "sms_bounce_consecutive_count",
    "complaints_count",
    "forward_count",
    "invite_count",
    "update_count",
    "bounce_unidentified_count",
    "autoresponder_count",
    "email_message_count",
    "sms_message_count",
)
SYSTEM_DEFAULTS: Mapping[str, Any] = {
    "score": 0.0,
    "rating": 0,
    "email_status": "active",
    "sms_status": "active",
    **{name: 0 for name in _COUNTERS},
    "email_message_ids": "",
    "sms_message_ids": "",
    "email_last_send_date": 0,
    "sms_last_send_date": 0,
    "email_last_open_date": 0,
    "email_last_click_date": 0,
}
READ_ONLY = frozenset({"id", "date_create", "date_modified", "address_2", *SYSTEM_DEFAULTS})

SUBSCRIPTION_STATUSES = ("subscribed", "unsubscribed", "confirmed", "unconfirmed", "forwarded")
MAILING_STATUSES = frozenset({"subscribed", "confirmed", "unconfirmed", "forwarded"})

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _is_date(text: str) -> bool:
    match = _DATE.match(text)
    if match is None:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def _value(name: str, value: Any) -> Any:
    if name in _INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"The property '{name}' must be an integer.")
        return value
    if not isinstance(value, str):
        raise invalid(f"The property '{name}' must be a string.")
    if name in _ENUMS and value not in _ENUMS[name]:
        raise invalid(f"The property '{name}' must be one of: {', '.join(_ENUMS[name])}.")
    if name == "email" and value and not _EMAIL.match(value.strip()):
        raise invalid(f"'{value}' is not a valid email address.")
    if name == "birth_date" and value and not _is_date(value):
        raise invalid("The property 'birth_date' must be a date written YYYY-MM-DD.")
    return value.strip() if name == "email" else value


def _properties(body: Mapping[str, Any], extra: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name in extra:
            continue
        if name in READ_ONLY:
            raise invalid(f"The property '{name}' is read-only and cannot be written.")
        if name not in WRITABLE:
            raise invalid(f"Unknown contact property '{name}'.")
        out[name] = _value(name, value)
    return out


def parse_update(body: Mapping[str, Any]) -> dict[str, Any]:
    """The properties to change. list_id is not an update property (subscriptions change
    through /list_subscriptions), and an update that changes nothing is refused."""
    for name in _CREATE_ONLY:
        if name in body:
            raise invalid(f"'{name}' can only be given when creating a contact.")
    props = _properties(body, ())
    if not props:
        raise invalid("No properties to update were given.")
    if props.get("email") == "":
        raise invalid("The email address cannot be removed.")
    return props


@dataclass(frozen=True, slots=True)
class CreateData:
    properties: dict[str, Any]
    lists: dict[int, str]  # list id -> email status
    on_duplicate_update: bool


def _list_map(raw: Any, known_lists: Mapping[int, Any]) -> dict[int, str]:
    if not isinstance(raw, Mapping):
        raise invalid("'list_id' is required: an object of list id -> subscription status.")
    out: dict[int, str] = {}
    for key, status in raw.items():
        try:
            list_id = int(key)
        except (TypeError, ValueError) as err:
            raise invalid(f"'{key}' is not a list id.") from err
        if list_id not in known_lists:
            raise invalid(f"List {list_id} does not exist.")
        if status not in SUBSCRIPTION_STATUSES:
            raise invalid(f"The subscription status must be one of: {', '.join(SUBSCRIPTION_STATUSES)}.")
        out[list_id] = str(status)
    return out


def parse_create(body: Mapping[str, Any], known_lists: Mapping[int, Any]) -> CreateData:
    props = _properties(body, _CREATE_ONLY)
    if not props.get("email") and not props.get("mobile"):
        raise invalid("Either 'email' or 'mobile' is required.")
    on_duplicate = body.get("on_duplicate")
    if on_duplicate not in (None, "update"):
        raise invalid("'on_duplicate' may only be 'update'.")
    return CreateData(props, _list_map(body.get("list_id"), known_lists), on_duplicate == "update")
