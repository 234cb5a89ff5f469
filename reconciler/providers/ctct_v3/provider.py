"""Constant Contact v3: bulk reads, full-replace writes, and the conflict/uncertain-write dance."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import structlog

from reconciler.consent import OptInPath
from reconciler.errors import ApiError, ConflictError
from reconciler.model import CustomFieldDef, ListDef, Observed, ObservedContact
from reconciler.plan import Action, Change, replan_existing
from reconciler.providers.base import Capabilities, Progress, WriteResult
from reconciler.providers.ctct_v3.mapping import (
    INCLUDE,
    build_create_body,
    build_put_body,
    to_observed,
)
from reconciler.transport import Transport, UncertainWriteError

__all__ = ["CAPABILITIES", "DEFAULT_BASE_URL", "CtctV3Provider"]

DEFAULT_BASE_URL = "https://api.cc.email/v3"
CAPABILITIES = Capabilities(
    name="ctct-v3",
    write_mode="replace",
    page_size=500,
    contact_opt_in_path=True,  # POST /contacts/sign_up_form, the path a contact's own sign-up takes
    changed_since_reads=True,
)
_EXISTING_ID = re.compile(r"contact\s+([0-9a-fA-F-]{36})")
_POST_ATTEMPTS = 3

log = structlog.get_logger()


class CtctV3Provider:
    capabilities = CAPABILITIES

    def __init__(
        self, transport: Transport, base_url: str = DEFAULT_BASE_URL, *, target: str | None = None
    ) -> None:
        self._http = transport
        self._base_url = base_url.rstrip("/")
        self._target = target or self._base_url
        self._raw: dict[str, dict[str, Any]] = {}
        self._list_ids: dict[str, str] = {}
        self._field_ids: dict[str, str] = {}

    @property
    def target(self) -> str:
        return self._base_url

    def close(self) -> None:
        self._http.close()

    # -- reading -----------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any], key: str) -> Iterator[list[dict[str, Any]]]:
        response = self._http.request("GET", path, params=params)
        while True:
            body = response.json()
            yield list(body.get(key) or [])
            href = ((body.get("_links") or {}).get("next") or {}).get("href")
            if not href:
                return
            response = self._http.follow(href)

    def _read_lists(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in self._pages("/contact_lists", {"limit": 1000}, "lists"):
            out.update({str(item["name"]): str(item["list_id"]) for item in page})
        return out

    def _read_fields(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in self._pages("/contact_custom_fields", {"limit": 100}, "custom_fields"):
            out.update({str(item["name"]): str(item["custom_field_id"]) for item in page})
        return out

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        """The whole account, or (with `updated_after`, an ISO-8601 time) only the contacts changed
        since then: a cheap way to spot edits made after planning and to run incremental drift checks."""
        self._list_ids = self._read_lists()
        self._field_ids = self._read_fields()
        list_names = {v: k for k, v in self._list_ids.items()}
        field_names = {v: k for k, v in self._field_ids.items()}
        contacts: dict[str, ObservedContact] = {}
        params: dict[str, Any] = {"status": "all", "include": INCLUDE, "limit": self.capabilities.page_size}
        if updated_after:
            params["updated_after"] = updated_after
        else:
            self._raw = {}
        for page in self._pages("/contacts", params, "contacts"):
            for raw in page:
                contact = to_observed(raw, list_names, field_names)
                self._raw[contact.contact_id] = raw
                contacts[contact.key] = contact
            if progress:
                progress(len(contacts))
        log.info("account_read", target=self.target, contacts=len(contacts), lists=len(self._list_ids))
        return Observed(
            target=self.target,
            contacts=contacts,
            lists=dict(self._list_ids),
            custom_fields=dict(self._field_ids),
        )

    # -- writing -----------------------------------------------------------------------------

    def create_list(self, definition: ListDef) -> str:
        body: dict[str, Any] = {"name": definition.name, "favorite": False}
        if definition.description:
            body["description"] = definition.description
        try:
            created = self._http.request("POST", "/contact_lists", json=body, idempotent=False).json()
            list_id = str(created["list_id"])
        except (ConflictError, UncertainWriteError):
            list_id = self._read_lists()[definition.name]
        self._list_ids[definition.name] = list_id
        return list_id

    def create_custom_field(self, definition: CustomFieldDef) -> str:
        body = {"label": definition.name, "type": definition.type}
        try:
            created = self._http.request("POST", "/contact_custom_fields", json=body, idempotent=False).json()
            field_id = str(created["custom_field_id"])
        except (ConflictError, UncertainWriteError):
            fields = self._read_fields()
            field_id = fields.get(definition.name) or fields[definition.name.replace(" ", "_")]
        self._field_ids[definition.name] = field_id
        return field_id

    def _get(self, contact_id: str) -> dict[str, Any]:
        raw: dict[str, Any] = self._http.request(
            "GET", f"/contacts/{contact_id}", params={"include": INCLUDE}
        ).json()
        self._raw[contact_id] = raw
        return raw

    def _find_by_email(self, email: str) -> dict[str, Any] | None:
        params = {"email": email, "status": "all", "include": INCLUDE}
        found = self._http.request("GET", "/contacts", params=params).json().get("contacts") or []
        return dict(found[0]) if found else None

    def write(self, change: Change, observed: ObservedContact | None) -> WriteResult:
        try:
            if change.contact_id is None:
                return self._create(change)
            return self._update(change, self._raw.get(change.contact_id) or self._get(change.contact_id))
        except ApiError as err:
            raise err.for_contact(change.email) from err

    def _put(self, contact_id: str, body: dict[str, Any]) -> dict[str, Any]:
        raw: dict[str, Any] = self._http.request("PUT", f"/contacts/{contact_id}", json=body).json()
        self._raw[contact_id] = raw
        return raw

    def _update(self, change: Change, live: dict[str, Any], note: str | None = None) -> WriteResult:
        contact_id = str(live["contact_id"])
        permission = None
        if change.consent is not None and change.consent.path == OptInPath.CONTACT_EVIDENCE:
            live = self._replay_contact_opt_in(change, live)
            change = change.model_copy(update={"lists_add": (), "consent": None})
            if not (change.fields or change.lists_remove):
                return WriteResult(contact_id, note="opted in through sign_up_form on the contact's evidence")
        elif change.consent is not None and change.consent.path == OptInPath.ACCOUNT:
            permission = "implicit"
        self._put(
            contact_id, build_put_body(live, change, self._list_ids, self._field_ids, permission=permission)
        )
        return WriteResult(contact_id, note=note)

    def _replay_contact_opt_in(self, change: Change, live: dict[str, Any]) -> dict[str, Any]:
        """sign_up_form is what the contact's own sign-up does; used only with their evidence."""
        body = {
            "email_address": change.email,
            "list_memberships": [self._list_ids[n] for n in change.lists_add],
        }
        self._http.request("POST", "/contacts/sign_up_form", json=body, idempotent=True)
        log.info("contact_opt_in_replayed", evidence=change.consent.evidence if change.consent else None)
        return self._get(str(live["contact_id"]))

    def _create(self, change: Change) -> WriteResult:
        body = build_create_body(change, self._list_ids, self._field_ids)
        for _attempt in range(_POST_ATTEMPTS):
            try:
                raw: dict[str, Any] = self._http.request(
                    "POST", "/contacts", json=body, idempotent=False
                ).json()
                self._raw[str(raw["contact_id"])] = raw
                return WriteResult(str(raw["contact_id"]))
            except ConflictError as err:
                match = _EXISTING_ID.search(err.body or "")
                existing = self._get(match.group(1)) if match else self._find_by_email(change.email)
                if existing is None:
                    raise
                return self._resolve_existing(change, existing, "409 resolved: the contact already existed")
            except UncertainWriteError:
                # The POST may have landed before the connection failed: look before re-sending.
                existing = self._find_by_email(change.email)
                if existing is not None:
                    return self._resolve_existing(change, existing, "the earlier create had landed")
        raise ApiError(f"create did not succeed after {_POST_ATTEMPTS} attempts", contact=change.email)

    def _resolve_existing(self, change: Change, raw: dict[str, Any], note: str) -> WriteResult:
        """A create met a contact that exists after all: the planner's own rules decide what it becomes."""
        live = to_observed(
            raw, {v: k for k, v in self._list_ids.items()}, {v: k for k, v in self._field_ids.items()}
        )
        update = replan_existing(change, live)
        if update is None:
            return WriteResult(live.contact_id, note=note)
        if update.action == Action.REFUSE:
            return WriteResult(
                live.contact_id, note=note, refused_rule=update.rule, refused_reason=update.reason
            )
        return self._update(update, raw, note=note)
