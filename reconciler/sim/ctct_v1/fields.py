"""The v1 <Contact> record (ctct-v1 §3.3): its elements in wire order, which of them a client
may write, their length limits, and the value sets of the enumerated ones.

The per-field limits are UNCONFIRMED (the v1 reference page could not be retrieved); the
numbers below are the ones the v2 docs confirm (50 for company and phone fields) extended to
the other short text fields, 80 for the email address (the v2 docs' suggestion), and 50 for
custom fields, v1's legacy custom-field size."""

from __future__ import annotations

__all__ = [
    "ACTION_BY_CONTACT",
    "ACTION_BY_CUSTOMER",
    "ACTIVE",
    "DO_NOT_MAIL",
    "EMAIL_TYPES",
    "LIMITS",
    "OPT_IN_SOURCES",
    "ORDER",
    "READ_ONLY",
    "REMOVED",
    "STATUSES",
    "SUMMARY",
    "UNCONFIRMED",
    "WRITABLE",
]

ACTIVE, UNCONFIRMED, REMOVED, DO_NOT_MAIL = "Active", "Unconfirmed", "Removed", "Do Not Mail"
STATUSES = (ACTIVE, UNCONFIRMED, REMOVED, DO_NOT_MAIL)
ACTION_BY_CUSTOMER, ACTION_BY_CONTACT = "ACTION_BY_CUSTOMER", "ACTION_BY_CONTACT"
OPT_IN_SOURCES = (ACTION_BY_CUSTOMER, ACTION_BY_CONTACT)
EMAIL_TYPES = ("HTML", "Text")

_CUSTOM = tuple(f"CustomField{i}" for i in range(1, 16))
# Values a client sets. OptInSource is not among them: on a write it says who is acting, and
# the server derives the stored opt-in source and time from it.
WRITABLE: tuple[str, ...] = (
    "EmailAddress",
    "EmailType",
    "Name",
    "FirstName",
    "MiddleName",
    "LastName",
    "JobTitle",
    "CompanyName",
    "HomePhone",
    "WorkPhone",
    "Addr1",
    "Addr2",
    "Addr3",
    "City",
    "StateCode",
    "StateName",
    "CountryCode",
    "CountryName",
    "PostalCode",
    "SubPostalCode",
    "Note",
    *_CUSTOM,
)
# Server-maintained: sent back in a PUT (the entry as read) and ignored there.
READ_ONLY: tuple[str, ...] = (
    "Status",
    "Confirmed",
    "InsertTime",
    "LastUpdateTime",
    "OptInTime",
    "OptOutTime",
    "OptOutSource",
    "OptOutReason",
)
# The full entry's element order (ContactLists comes last).
ORDER: tuple[str, ...] = (
    "Status",
    *WRITABLE,
    "Confirmed",
    "InsertTime",
    "LastUpdateTime",
    "OptInTime",
    "OptInSource",
    "OptOutTime",
    "OptOutSource",
    "OptOutReason",
)
# What the contacts feed shows of each contact.
SUMMARY: tuple[str, ...] = ("Status", "EmailAddress", "EmailType", "Name", "OptInTime", "OptInSource")

LIMITS: dict[str, int] = {name: 50 for name in WRITABLE if name != "EmailType"}
LIMITS.update(
    EmailAddress=80, Name=100, StateCode=2, CountryCode=2, PostalCode=25, SubPostalCode=25, Note=500
)
