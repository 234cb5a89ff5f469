"""Shared by the drift tests (in-process and end to end): a manifest in sync with the v3 demo
account, and the account-side edit a colleague makes in the Constant Contact UI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

INCLUDE = "custom_fields,list_memberships,phone_numbers,street_addresses"
CORE = (
    "first_name",
    "last_name",
    "job_title",
    "company_name",
    "birthday_month",
    "birthday_day",
    "anniversary",
)

# Matches the demo account exactly, so a first drift run finds nothing.
IN_SYNC_MANIFEST = """\
settings:
  provider: ctct-v3
lists:
  - name: Newsletter
  - name: Customers
contacts:
  - email: jane@example.com
    first_name: Jane
    job_title: VP Engineering
    lists: [Newsletter]
  - email: erin@example.com
    first_name: Erin
    company_name: Foxglove Inc
    lists: [Customers]
  - email: user01@example.org
    first_name: Aisha
    lists: [Newsletter]
"""


def write_manifest(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "contacts.yaml").write_text(IN_SYNC_MANIFEST)
    return directory


def account_side_edit(base_url: str, token: str, email: str, **changes: Any) -> dict[str, Any]:
    """A full PUT with update_source Account, as the account's own UI or another app would send."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        found = client.get("/contacts", params={"email": email, "status": "all", "include": INCLUDE})
        found.raise_for_status()
        (live,) = found.json()["contacts"]
        body: dict[str, Any] = {
            "email_address": {
                "address": live["email_address"]["address"],
                "permission_to_send": live["email_address"]["permission_to_send"],
            },
            "update_source": "Account",
            **{k: live[k] for k in CORE if live.get(k) is not None},
            **changes,
        }
        response = client.put(f"/contacts/{live['contact_id']}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result
