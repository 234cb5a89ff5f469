"""Everlytic API 2.0 (REST or XML-RPC, through an `EverlyticApi`): bulk reads of lists,
subscriptions and contacts; merge writes of exactly the planned properties; one subscription
call per list added or removed; and the duplicate / did-my-create-land dance.

Everlytic has no documented way to replay a contact's own opt-in, so an opt-in the planner
would need one for is refused; and since every opt-out reads as the contact's own, the only
re-adds that happen are of contacts the account had merely removed from a list."""

from __future__ import annotations

from typing import Any

import structlog

from reconciler.consent import Rule, decide_opt_in
from reconciler.errors import ApiError, ConflictError, PlanError, QuotaExceeded, TransientApiError
from reconciler.model import CustomFieldDef, ListDef, Observed, ObservedContact, email_key
from reconciler.plan import Change, FieldChange
from reconciler.providers.base import Capabilities, Progress, WriteResult
from reconciler.providers.everlytic.api import EverlyticApi
from reconciler.providers.everlytic.mapping import (
    SUPPORTED_FIELDS,
    create_body,
    observed_value,
    subscription_body,
    to_observed,
    update_properties,
)
from reconciler.providers.everlytic.settings import CUSTOM_FIELDS_ENV, LIST_OWNER_ENV, EverlyticSettings
from reconciler.transport import UncertainWriteError

__all__ = ["CAPABILITIES", "EverlyticProvider"]

CAPABILITIES = Capabilities(
    name="everlytic",
    write_mode="merge",
    page_size=1000,  # the API's maximum is undocumented
    contact_opt_in_path=False,  # no documented contact-side opt-in path
    changed_since_reads=False,  # no documented modified-since filter
    fields=SUPPORTED_FIELDS,
    max_phone_numbers=3,  # telephone_home, telephone_office, mobile: one of each kind
    max_street_addresses=1,
    phone_kinds=frozenset(("home", "work", "mobile")),  # telephone_fax is no canonical kind
)
_POST_ATTEMPTS = 3
_NO_PATH_REASON = (
    "Everlytic offers the account no legal way to replay a contact's own opt-in; the contact must opt in "
    "again themselves."
)

log = structlog.get_logger()


def _explained(err: ApiError) -> ApiError:
    """Transport words 401s for OAuth and knows only v3's quota marker; say it Everlytic's way."""
    if err.status == 401:
        return ApiError(
            "the credentials were rejected (401): check EVERLYTIC_USERNAME and EVERLYTIC_API_KEY, and that "
            "the base URL is your own Everlytic install",
            status=401,
            method=err.method,
            url=err.url,
            body=err.body,
            contact=err.contact,
        )
    if err.status == 429 and isinstance(err, TransientApiError) and "quota" in (err.body or "").lower():
        return QuotaExceeded(
            "the daily API request quota is spent",
            status=429,
            method=err.method,
            url=err.url,
            body=err.body,
            contact=err.contact,
        )
    return err


class EverlyticProvider:
    def __init__(
        self, api: EverlyticApi, capabilities: Capabilities, target: str, settings: EverlyticSettings
    ) -> None:
        self.capabilities = capabilities
        self._api = api
        self._target = target
        self._settings = settings
        self._raw: dict[str, dict[str, Any]] = {}  # contact id -> contact as last read or written
        self._subs: dict[str, dict[str, dict[str, Any]]] = {}  # contact id -> list id -> subscription
        self._list_ids: dict[str, str] = {}  # name -> id

    @property
    def target(self) -> str:
        return self._target

    def close(self) -> None:
        self._api.close()

    # -- reading -----------------------------------------------------------------------------

    def _read_lists(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in self._api.lists(self.capabilities.page_size):
            for item in page:
                out.setdefault(str(item["name"]), str(item["id"]))
        return out

    def _read_subscriptions(
        self, list_ids: list[str], contact_id: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """contact id -> list id -> subscription (only `contact_id`'s, when given)."""
        out: dict[str, dict[str, Any]] = {}
        for list_id in list_ids:
            for page in self._api.subscriptions(list_id, self.capabilities.page_size):
                for sub in page:
                    cid = str(sub.get("contact_id"))
                    if contact_id is None or cid == contact_id:
                        out.setdefault(cid, {})[list_id] = sub
        return out

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        """Always the whole account: `updated_after` is accepted for the protocol, but no
        modified-since filter is documented (changed_since_reads is False)."""
        try:
            self._list_ids = self._read_lists()
            self._subs = self._read_subscriptions(sorted(set(self._list_ids.values())))
            list_names = {v: k for k, v in self._list_ids.items()}
            contacts: dict[str, ObservedContact] = {}
            self._raw = {}
            for page in self._api.contacts(self.capabilities.page_size, {}):
                for raw in page:
                    contact = to_observed(raw, self._subs.get(str(raw["id"]), {}), list_names, self._settings)
                    if contact is None or contact.key in contacts:
                        continue  # mobile-only contacts are not ours; a duplicate email keeps the first
                    self._raw[contact.contact_id] = raw
                    contacts[contact.key] = contact
                if progress:
                    progress(len(contacts))
        except ApiError as err:
            raise _explained(err) from err
        log.info("account_read", target=self.target, contacts=len(contacts), lists=len(self._list_ids))
        return Observed(
            target=self.target,
            contacts=contacts,
            lists=dict(self._list_ids),
            custom_fields=dict(self._settings.custom_fields),
        )

    # -- account changes ---------------------------------------------------------------------

    def create_list(self, definition: ListDef) -> str:
        owner = self._settings.list_owner_email
        if owner is None:
            raise ApiError(
                f"Everlytic needs an owner email to create the list '{definition.name}': set "
                f"{LIST_OWNER_ENV}, or create the list in Everlytic first"
            )
        body = {"name": definition.name, "owner_email": owner}
        try:
            try:
                list_id = self._api.create_list(body)
            except (ConflictError, UncertainWriteError):
                # It may exist (or have just been made): look before creating again.
                list_id = self._read_lists().get(definition.name) or self._api.create_list(body)
        except ApiError as err:
            raise _explained(err) from err
        self._list_ids[definition.name] = list_id
        return list_id

    def create_custom_field(self, definition: CustomFieldDef) -> str:
        raise PlanError(
            f"Everlytic's API has no custom fields that reconciler can create, so '{definition.name}' "
            f"cannot be made; store it in a spare contact property instead with {CUSTOM_FIELDS_ENV} "
            f"(e.g. {definition.name}=department) and remove it from `custom_fields:`"
        )

    # -- contact writes ----------------------------------------------------------------------

    def write(self, change: Change, observed: ObservedContact | None) -> WriteResult:
        try:
            if change.consent is not None:
                # Only a contact-evidence or account re-opt-in carries one; Everlytic has a path for neither.
                return WriteResult(
                    change.contact_id or "",
                    refused_rule=Rule.NO_LEGAL_PATH.value,
                    refused_reason=_NO_PATH_REASON,
                )
            if change.contact_id is None:
                return self._create(change)
            return self._update(change)
        except ApiError as err:
            raise _explained(err).for_contact(change.email) from err

    def _live(self, contact_id: str) -> dict[str, Any]:
        if contact_id not in self._raw:
            self._raw[contact_id] = self._api.get_contact(contact_id)
        return self._raw[contact_id]

    def _update(self, change: Change, note: str | None = None) -> WriteResult:
        contact_id = str(change.contact_id)
        live = self._live(contact_id)
        props = update_properties(change, live, self._settings)  # validates before anything is sent
        if props:
            self._api.update_contact(contact_id, props)
            self._raw[contact_id] = {**live, **props}
        subs = self._subs.setdefault(contact_id, {})
        for names, add in ((change.lists_add, True), (change.lists_remove, False)):
            for name in names:
                list_id = self._list_ids[name]
                body = subscription_body(list_id, contact_id, subs.get(list_id), add)
                self._api.set_subscription(list_id, body)
                subs[list_id] = {**subs.get(list_id, {}), **body}
        return WriteResult(contact_id, note=note)

    def _find(self, email: str) -> dict[str, Any] | None:
        """The contact with this email, filtered by `email` but checked here: the filter's name
        is undocumented, and a server that ignored it would list every contact."""
        wanted = email_key(email)
        for page in self._api.contacts(self.capabilities.page_size, {"email": email}):
            for raw in page:
                if email_key(str(raw.get("email") or "")) == wanted:
                    return raw
        return None

    def _create(self, change: Change) -> WriteResult:
        body = create_body(change, self._list_ids, self._settings)
        for _attempt in range(_POST_ATTEMPTS):
            try:
                contact_id = self._api.create_contact(body)
                self._subs[contact_id] = {
                    lid: {"list_id": lid, "contact_id": contact_id, "email_status": status}
                    for lid, status in body["list_id"].items()
                }
                return WriteResult(contact_id)
            except UncertainWriteError:
                existing = self._find(change.email)
                if existing is not None:
                    return self._resolve(change, existing, "the earlier create had landed")
            except ApiError as err:
                # The duplicate answer is undocumented: any other 4xx is checked the same way.
                if err.status is None or not 400 <= err.status < 500 or err.status in (401, 403, 429):
                    raise
                existing = self._find(change.email)
                if existing is None:
                    raise
                return self._resolve(change, existing, f"{err.status} resolved: the contact already existed")
        raise ApiError(f"create did not succeed after {_POST_ATTEMPTS} attempts", contact=change.email)

    def _resolve(self, change: Change, raw: dict[str, Any], note: str) -> WriteResult:
        """A create met a contact that exists after all: the equivalent update, under the same
        consent rules the planner applies."""
        contact_id = str(raw["id"])
        self._raw[contact_id] = raw
        self._subs[contact_id] = self._read_subscriptions(
            sorted(set(self._list_ids.values())), contact_id
        ).get(contact_id, {})
        list_names = {v: k for k, v in self._list_ids.items()}
        live = to_observed(raw, self._subs[contact_id], list_names, self._settings)
        if live is None:
            raise ApiError("the existing contact has no email address", contact=change.email)
        add = tuple(sorted(set(change.lists_add) - live.lists))
        if add:
            decision = decide_opt_in(
                live.consent, opted_out_at=live.opted_out_at, evidence=None, provider_has_contact_path=False
            )
            if not decision.allowed:
                return WriteResult(
                    contact_id,
                    note=note,
                    refused_rule=decision.rule.value if decision.rule else None,
                    refused_reason=decision.reason,
                )
        fields = tuple(
            FieldChange(path=fc.path, before=observed_value(live, fc.path), after=fc.after)
            for fc in change.fields
            if observed_value(live, fc.path) != fc.after
        )
        update = change.model_copy(update={"contact_id": contact_id, "fields": fields, "lists_add": add})
        return self._update(update, note=note)
