"""The manifest file format as pydantic models: the source of `reconciler schema` (a JSON
Schema for editor autocompletion and checking).

The loader validates by hand (fast enough for 100,000 contacts, and able to name lines);
these models only describe the format. Tests check that the two agree on every key and
that real manifests validate against the exported schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reconciler.manifest.contact import EMAIL, EMAIL_LIMIT
from reconciler.manifest.extras import (
    CUSTOM_FIELD_NAME_LIMIT,
    CUSTOM_FIELD_VALUE_LIMIT,
    LIST_NAME_LIMIT,
    MAX_CUSTOM_FIELDS,
    MAX_LISTS,
)
from reconciler.manifest.fields import ADDRESS_LIMITS, MAX_ITEMS, NAME_LIMIT, PHONE_LIMIT

__all__ = ["ManifestFile", "json_schema"]

_STRICT = ConfigDict(extra="forbid")
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Every spelling the loader reads as a date (it writes them all as YYYY-MM-DD).
_DATE_PATTERN = (
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}/\d{1,2}/\d{4})\s*$"
)

ListName = Annotated[str, StringConstraints(min_length=1, max_length=LIST_NAME_LIMIT)]
Name = Annotated[str, StringConstraints(max_length=NAME_LIMIT)]
CustomValue = Annotated[str, StringConstraints(max_length=CUSTOM_FIELD_VALUE_LIMIT)] | int | float | bool


class Phone(BaseModel):
    """A phone number."""

    model_config = _STRICT
    kind: Literal["home", "work", "mobile", "other"] = Field("other", description="Kind of number.")
    number: Annotated[str, StringConstraints(min_length=1, max_length=PHONE_LIMIT)] | int = Field(
        description=f"The number as it should be stored, 1 to {PHONE_LIMIT} characters; quote it."
    )


def _address_part(what: str, key: str) -> Any:
    limit = ADDRESS_LIMITS[key]
    return Field(None, max_length=limit, description=f"{what}, at most {limit} characters.")


class Address(BaseModel):
    """A street address."""

    model_config = _STRICT
    kind: Literal["home", "work", "other"] = Field(description="Kind of address (required).")
    street: str | None = _address_part("Street and number", "street")
    city: str | None = _address_part("City", "city")
    state: str | None = _address_part("State or province", "state")
    postal_code: Annotated[str, StringConstraints(max_length=ADDRESS_LIMITS["postal_code"])] | int | None = (
        Field(None, description="Postal code, at most 50 characters; quote it to keep leading zeros.")
    )
    country: str | None = _address_part("Country", "country")


class Consent(BaseModel):
    """The contact's own recorded opt-in."""

    model_config = _STRICT
    at: str = Field(
        json_schema_extra={"format": "date-time"},
        description="When the contact opted in: an ISO-8601 date-time with a timezone, "
        "e.g. '2026-11-01T10:00:00Z' (quote it).",
    )
    evidence: str = Field(
        min_length=1, description="Where the proof lives: a form submission id, a URL, a ticket."
    )
    method: Literal["signup_form"] = Field("signup_form", description="How the contact opted in.")


class ContactFields(BaseModel):
    """Fields a contact can declare. Absent = unmanaged; null = managed and empty."""

    model_config = _STRICT
    first_name: Name | None = Field(None, description="First name, at most 50 characters; null clears it.")
    last_name: Name | None = Field(None, description="Last name, at most 50 characters; null clears it.")
    job_title: Name | None = Field(None, description="Job title, at most 50 characters; null clears it.")
    company_name: Name | None = Field(
        None, description="Company name, at most 50 characters; null clears it."
    )
    birthday_month: int | None = Field(
        None, ge=1, le=12, description="Birthday month, 1 to 12; declare together with birthday_day."
    )
    birthday_day: int | None = Field(
        None, ge=1, le=31, description="Birthday day, 1 to 31; declare together with birthday_month."
    )
    anniversary: str | None = Field(
        None,
        pattern=_DATE_PATTERN,
        description="A date: YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, M-D-YYYY, ...; stored as YYYY-MM-DD.",
    )
    phone_numbers: list[Phone] | None = Field(
        None, max_length=MAX_ITEMS, description="At most 3 phone numbers; null or [] removes them all."
    )
    street_address: Address | None = Field(
        None, description="One street address (or use street_addresses, not both); null removes all."
    )
    street_addresses: list[Address] | None = Field(
        None, max_length=MAX_ITEMS, description="At most 3 street addresses; null or [] removes them all."
    )
    custom_fields: dict[str, CustomValue | None] | None = Field(
        None,
        max_length=MAX_CUSTOM_FIELDS,
        json_schema_extra={"propertyNames": {"minLength": 1, "maxLength": CUSTOM_FIELD_NAME_LIMIT}},
        description="Values by custom field name (at most 25; values at most 255 characters); "
        "null clears a value; fields not named are unmanaged.",
    )
    lists: list[ListName] | None = Field(
        None,
        max_length=MAX_LISTS,
        json_schema_extra={"uniqueItems": True},
        description="Names of the managed lists the contact is on (at most 50); [] = on none of them.",
    )


class Contact(ContactFields):
    """One contact: its email plus any fields it manages."""

    email: str = Field(
        max_length=EMAIL_LIMIT,
        pattern=f"^\\s*{EMAIL.pattern}\\s*$",
        description="The contact's email address, its identity (compared ignoring case); required.",
    )
    consent: Consent | None = Field(
        None, description="The contact's own recorded opt-in: needed to re-subscribe someone who opted out."
    )


class Defaults(ContactFields):
    """Values applied under every contact; a contact's own values win, custom_fields merge
    name by name."""


class ListDecl(BaseModel):
    """A list the manifests manage."""

    model_config = _STRICT
    name: str = Field(
        min_length=1, max_length=LIST_NAME_LIMIT, description="List name; created on the account if missing."
    )
    description: str | None = Field(None, description="What the list is for.")


class CustomFieldDecl(BaseModel):
    """A custom field the manifests use."""

    model_config = _STRICT
    name: str = Field(
        min_length=1,
        max_length=CUSTOM_FIELD_NAME_LIMIT,
        description="Custom field name; created on the account if missing.",
    )
    type: Literal["string", "date"] = Field("string", description="Type of its values (default string).")


class Settings(BaseModel):
    """Settings of the manifest set. Each may be set in one file only; no secrets here."""

    model_config = _STRICT
    provider: Literal["ctct-v3", "ctct-v2", "ctct-v1", "everlytic", "everlytic-xmlrpc"] | None = Field(
        None, description="The platform the account is on (default ctct-v3)."
    )
    base_url: str | None = Field(
        None,
        pattern=r"^https?://\S+$",
        description="API base URL, e.g. https://api.cc.email/v3. Credentials come from the environment.",
    )
    managed_lists: list[ListName] | None = Field(
        None,
        json_schema_extra={"uniqueItems": True},
        description="The lists reconciler manages; default: every list declared or named by a contact.",
    )


class IgnoreRule(BaseModel):
    model_config = _STRICT
    field: str = Field(description="first_name, custom_fields.NAME, custom_fields.*, lists, lists.NAME, ...")
    contacts: list[str] | None = Field(
        None, description="Emails or @list names the rule covers [default: all]."
    )


class ManifestFile(BaseModel):
    """One reconciler manifest file. All *.yaml files of a directory are merged."""

    model_config = _STRICT
    settings: Settings | None = Field(None, description="Provider and managed-list settings.")
    lists: list[ListDecl] | None = Field(None, description="Lists the manifests manage.")
    custom_fields: list[CustomFieldDecl] | None = Field(None, description="Custom fields the manifests use.")
    defaults: Defaults | None = Field(
        None, description="Values under every contact; a contact's own values win."
    )
    contacts: list[Contact] | None = Field(None, description="The contacts reconciler manages.")
    ignore: list[IgnoreRule] | None = Field(
        None, description="Drift on these fields is not reported (apply still converges them)."
    )


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one manifest file."""
    schema: dict[str, Any] = {"$schema": _DRAFT, **ManifestFile.model_json_schema()}
    schema["title"] = "reconciler manifest"
    return schema
