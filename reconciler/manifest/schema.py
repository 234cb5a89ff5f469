"""The manifest file format as pydantic models: the source of `reconciler schema` (JSON Schema).

The loader validates by hand (fast enough for 100,000 contacts, and able to name lines);
tests check that the two agree on every key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ManifestFile", "json_schema"]

_STRICT = ConfigDict(extra="forbid")
Name50 = Field(default=None, max_length=50)


class Phone(BaseModel):
    model_config = _STRICT
    kind: Literal["home", "work", "mobile", "other"] = Field("other", description="Kind of number.")
    number: str = Field(max_length=25, description="The phone number, at most 25 characters.")


class Address(BaseModel):
    model_config = _STRICT
    kind: Literal["home", "work", "other"] = Field(description="Kind of address (required).")
    street: str | None = Field(None, max_length=255, description="Street, at most 255 characters.")
    city: str | None = Field(None, max_length=50, description="City.")
    state: str | None = Field(None, max_length=50, description="State or province.")
    postal_code: str | None = Field(None, max_length=50, description="Postal code (quote it).")
    country: str | None = Field(None, max_length=50, description="Country.")


class Consent(BaseModel):
    model_config = _STRICT
    at: str = Field(description="ISO-8601 date-time of the contact's own opt-in, with timezone.")
    evidence: str = Field(min_length=1, description="Where the proof of the contact's own opt-in lives.")
    method: Literal["signup_form"] = Field("signup_form", description="How the opt-in is replayed.")


class ContactFields(BaseModel):
    model_config = _STRICT
    first_name: str | None = Field(
        None, max_length=50, description="First name; null clears it; absent = unmanaged."
    )
    last_name: str | None = Field(None, max_length=50, description="Last name; null clears it.")
    job_title: str | None = Field(None, max_length=50, description="Job title; null clears it.")
    company_name: str | None = Field(None, max_length=50, description="Company; null clears it.")
    birthday_month: int | None = Field(None, ge=1, le=12, description="1-12; give with birthday_day.")
    birthday_day: int | None = Field(None, ge=1, le=31, description="1-31; give with birthday_month.")
    anniversary: str | None = Field(None, max_length=10, description="A date: YYYY-MM-DD, MM/DD/YYYY, ...")
    phone_numbers: list[Phone] | None = Field(None, max_length=3, description="At most 3; null or [] clears.")
    street_address: Address | None = Field(None, description="One address (or use street_addresses).")
    street_addresses: list[Address] | None = Field(None, max_length=3, description="At most 3 addresses.")
    custom_fields: dict[str, str | int | float | bool | None] | None = Field(
        None, max_length=25, description="By custom field name; value at most 255 characters; null clears."
    )
    lists: list[str] | None = Field(
        None, max_length=50, description="Names of managed lists the contact is on."
    )


class Contact(ContactFields):
    email: str = Field(max_length=80, description="The contact's identity (compared case-insensitively).")
    consent: Consent | None = Field(
        None, description="The contact's own recorded opt-in, to undo their opt-out."
    )


class ListDecl(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=255, description="List name; created if missing.")
    description: str | None = Field(None, description="List description.")


class CustomFieldDecl(BaseModel):
    model_config = _STRICT
    name: str = Field(min_length=1, max_length=50, description="Custom field name; created if missing.")
    type: Literal["string", "date"] = Field("string", description="Value type.")


class Settings(BaseModel):
    model_config = _STRICT
    provider: Literal["ctct-v3", "ctct-v2", "ctct-v1", "everlytic", "everlytic-xmlrpc"] | None = Field(
        None, description="Platform (default ctct-v3)."
    )
    base_url: str | None = Field(None, description="API base URL (not a secret).")
    managed_lists: list[str] | None = Field(
        None, description="The lists reconciler manages (default: all named)."
    )


class ManifestFile(BaseModel):
    """One reconciler manifest file. A directory of them is merged."""

    model_config = _STRICT
    settings: Settings | None = Field(None, description="At most one file may set each setting.")
    lists: list[ListDecl] | None = Field(None, description="Lists the manifests manage.")
    custom_fields: list[CustomFieldDecl] | None = Field(
        None, description="Custom fields the manifests declare."
    )
    defaults: ContactFields | None = Field(
        None, description="Values under every contact; a contact's own win."
    )
    contacts: list[Contact] | None = Field(None, description="The contacts reconciler manages.")


def json_schema() -> dict[str, Any]:
    schema = ManifestFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "reconciler manifest"
    return schema
