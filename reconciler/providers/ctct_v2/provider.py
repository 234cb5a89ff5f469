"""Constant Contact v2: paged reads, full-replace writes, and who-is-acting (`action_by`).

Every write is an ACTION_BY_OWNER write except one: adding lists to a contact who opted out,
which v2 allows only as the contact's own action (ACTION_BY_VISITOR). That is sent only when
the plan carries the contact's recorded opt-in (ConsentChange.path == "contact_evidence"),
and it carries nothing but the re-added lists; the account's own edits follow as an owner PUT.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import structlog

from reconciler.consent import OptInPath, Rule
from reconciler.errors import ApiError, ConflictError, PlanError, QuotaExceeded
from reconciler.model import CustomFieldDef, ListDef, Observed, ObservedContact
from reconciler.plan import Action, Change, replan_existing
from reconciler.providers.base import Capabilities, Progress, WriteResult
from reconciler.providers.ctct_v2.fields import Unstorable
from reconciler.providers.ctct_v2.mapping import (
    build_create_body,
    build_put_body,
    status_of,
    to_observed,
)
from reconciler.providers.ctct_v2.settings import SLOT_MAP_ENV, SlotNames
from reconciler.transport import Transport, UncertainWriteError

__all__ = ["CAPABILITIES", "CtctV2Provider"]

CAPABILITIES = Capabilities(
    name="ctct-v2",
    write_mode="replace",
    page_size=500,
    contact_opt_in_path=True,  # PUT ?action_by=ACTION_BY_VISITOR, the contact's own action
    changed_since_reads=True,  # ?modified_since=
    # v2 has no birthday or anniversary properties.
    fields=frozenset(
        {"first_name", "last_name", "job_title", "company_name", "phone_numbers", "street_addresses"}
    ),
    max_phone_numbers=4,  # home_phone, work_phone, cell_phone, fax: one each
    max_street_addresses=2,  # one PERSONAL, one BUSINESS
)
OWNER = {"action_by": "ACTION_BY_OWNER"}
VISITOR = {"action_by": "ACTION_BY_VISITOR"}
_QPS_KEY = "mashery.not.authorized.over.qps"
_QUOTA_KEY = "mashery.not.authorized.over.ratelimit"
_QPS_WINDOW = 1.0
_POST_ATTEMPTS = 3

log = structlog.get_logger()


class CtctV2Provider:
    capabilities = CAPABILITIES

    def __init__(
        self,
        transport: Transport,
        base_url: str,
        slots: SlotNames | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = transport
        self._base_url = base_url.rstrip("/")
        self._slots = slots or SlotNames.parse("")
        self._sleep = sleep
        self._raw: dict[str, dict[str, Any]] = {}
        self._list_ids: dict[str, str] = {}

    @property
    def target(self) -> str:
        return self._base_url

    def close(self) -> None:
        self._http.close()

    # -- the v2 gateway's own refusals ---------------------------------------------------------

    def _call(self, send: Callable[[], httpx.Response]) -> httpx.Response:
        """v2's gateway refuses over-rate requests with a 403, which Transport (rightly, for
        other APIs) does not retry: retry the per-second one here, stop cleanly on the daily one.
        Both are refused before anything happens, so even a POST may be re-sent."""
        policy = self._http.retry
        for attempt in range(1, policy.max_attempts + 1):
            try:
                return send()
            except ApiError as err:
                if err.status != 403 or type(err) is not ApiError:
                    raise
                if _QUOTA_KEY in err.body:
                    raise QuotaExceeded(
                        "the API key's daily call quota is spent",
                        status=403,
                        method=err.method,
                        url=err.url,
                        body=err.body,
                    ) from err
                if _QPS_KEY not in err.body or attempt == policy.max_attempts:
                    raise
                self._http.stats.throttled += 1
                # The gateway counts calls per one-second window: a shorter wait meets the same
                # refusal, so wait out a whole window.
                self._sleep(_QPS_WINDOW)
        raise AssertionError("unreachable")

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._call(lambda: self._http.request(method, path, **kwargs))

    def _follow(self, href: str) -> httpx.Response:
        """GET a host-relative next_link. Not Transport.follow: httpx replaces a URL's own query
        with the client's default parameters (the api_key), which would drop `next`; passing the
        link's query as parameters makes httpx merge the two."""
        url = httpx.URL(self._http.resolve_href(href))
        link_params = dict(url.params.multi_items())
        return self._request("GET", str(url.copy_with(query=None)), params=link_params)

    # -- reading -----------------------------------------------------------------------------

    def _read_lists(self) -> dict[str, str]:
        # Not paged in v2: one array of every list (at most 1,000).
        items = self._request("GET", "/lists").json()
        return {str(item["name"]): str(item["id"]) for item in items}

    def _contact_pages(self, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        response = self._request("GET", "/contacts", params=params)
        while True:
            body = response.json()
            yield list(body.get("results") or [])
            href = ((body.get("meta") or {}).get("pagination") or {}).get("next_link")
            if not href:
                return
            # Host-relative, requested as is (the api_key is added to it).
            response = self._follow(str(href))

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        """The whole account, or (with `updated_after`, an ISO-8601 time) only the contacts
        modified since then (v2's modified_since)."""
        self._list_ids = self._read_lists()
        list_names = {v: k for k, v in self._list_ids.items()}
        contacts: dict[str, ObservedContact] = {}
        # status=ALL: opted-out and removed contacts too, or a create would meet a 409.
        params: dict[str, Any] = {"status": "ALL", "limit": self.capabilities.page_size}
        if updated_after:
            params["modified_since"] = updated_after
        else:
            self._raw = {}
        for page in self._contact_pages(params):
            for raw in page:
                contact = to_observed(raw, list_names, self._slots)
                self._raw[contact.contact_id] = raw
                contacts[contact.key] = contact
            if progress:
                progress(len(contacts))
        log.info("account_read", target=self.target, contacts=len(contacts), lists=len(self._list_ids))
        return Observed(
            target=self.target,
            contacts=contacts,
            lists=dict(self._list_ids),
            custom_fields=dict(self._slots.by_name),
        )

    # -- account changes ---------------------------------------------------------------------

    def create_list(self, definition: ListDef) -> str:
        # v2 lists have no description; the name is all there is.
        body = {"name": definition.name, "status": "ACTIVE"}
        for _attempt in range(_POST_ATTEMPTS):
            try:
                created = self._request("POST", "/lists", json=body, idempotent=False).json()
                list_id = str(created["id"])
                break
            except (ConflictError, UncertainWriteError):
                found = self._read_lists().get(definition.name)
                if found is not None:
                    list_id = found
                    break
        else:
            raise ApiError(f"list '{definition.name}' could not be created after {_POST_ATTEMPTS} attempts")
        self._list_ids[definition.name] = list_id
        return list_id

    def create_custom_field(self, definition: CustomFieldDef) -> str:
        free = ", ".join(self._slots.free_slots()) or "none"
        raise PlanError(
            f"Constant Contact v2 cannot create custom field '{definition.name}': its custom fields are "
            f"the fixed slots CustomField1..CustomField15. Name a free slot for it in {SLOT_MAP_ENV} "
            f"(e.g. {definition.name}=CustomField15; free slots: {free})."
        )

    # -- contacts ----------------------------------------------------------------------------

    def _get(self, contact_id: str) -> dict[str, Any]:
        raw: dict[str, Any] = self._request("GET", f"/contacts/{contact_id}").json()
        self._raw[contact_id] = raw
        return raw

    def _find_by_email(self, email: str) -> dict[str, Any] | None:
        found = self._request("GET", "/contacts", params={"email": email, "status": "ALL"}).json()
        results = found.get("results") or []
        return dict(results[0]) if results else None

    def _put(self, live: dict[str, Any], body: dict[str, Any], action: dict[str, str]) -> dict[str, Any]:
        contact_id = str(live["id"])
        raw: dict[str, Any] = self._request("PUT", f"/contacts/{contact_id}", params=action, json=body).json()
        self._raw[contact_id] = raw
        return raw

    def write(self, change: Change, observed: ObservedContact | None) -> WriteResult:
        try:
            if change.contact_id is None:
                return self._create(change)
            live = self._raw.get(change.contact_id) or self._get(change.contact_id)
            return self._update(change, live)
        except Unstorable as err:
            raise ApiError(f"cannot be stored on Constant Contact v2: {err}", contact=change.email) from err
        except ApiError as err:
            raise err.for_contact(change.email) from err

    def _update(self, change: Change, live: dict[str, Any], note: str | None = None) -> WriteResult:
        contact_id = str(live["id"])
        consent = change.consent
        if change.lists_add and status_of(live) == "OPTOUT":
            if consent is None or consent.path != OptInPath.CONTACT_EVIDENCE:
                # The planner never asks for this; should a plan ever do, the owner may not.
                return _refused(contact_id, note)
            visitor = change.model_copy(update={"fields": (), "lists_remove": ()})
            live = self._put(live, build_put_body(live, visitor, self._list_ids, self._slots), VISITOR)
            log.info("contact_opt_in_replayed", contact_id=contact_id, evidence=consent.evidence)
            change = change.model_copy(update={"lists_add": (), "consent": None})
            note = "opted in as the contact's own action (ACTION_BY_VISITOR) on their evidence"
            if not (change.fields or change.lists_remove):
                return WriteResult(contact_id, note=note)
        was_removed = status_of(live) == "REMOVED" and bool(change.lists_add)
        self._put(live, build_put_body(live, change, self._list_ids, self._slots), OWNER)
        return WriteResult(contact_id, note=note or ("revived from REMOVED" if was_removed else None))

    def _create(self, change: Change) -> WriteResult:
        body = build_create_body(change, self._list_ids, self._slots)
        for _attempt in range(_POST_ATTEMPTS):
            try:
                raw: dict[str, Any] = self._request(
                    "POST", "/contacts", params=OWNER, json=body, idempotent=False
                ).json()
                self._raw[str(raw["id"])] = raw
                return WriteResult(str(raw["id"]))
            except ConflictError:
                # The email is taken (v2 answers 409 for removed and opted-out contacts too).
                existing = self._find_by_email(change.email)
                if existing is None:
                    raise
                return self._resolve_existing(change, existing, "409 resolved: the contact already existed")
            except UncertainWriteError:
                existing = self._find_by_email(change.email)
                if existing is not None:
                    return self._resolve_existing(change, existing, "the earlier create had landed")
        raise ApiError(f"create did not succeed after {_POST_ATTEMPTS} attempts", contact=change.email)

    def _resolve_existing(self, change: Change, raw: dict[str, Any], note: str) -> WriteResult:
        """A create met an existing contact: the equivalent update, under the same consent rule
        (this change carries no evidence, so an opted-out contact is not re-added)."""
        self._raw[str(raw["id"])] = raw
        live = to_observed(raw, {v: k for k, v in self._list_ids.items()}, self._slots)
        update = replan_existing(change, live)
        if update is None:
            return WriteResult(live.contact_id, note=note)
        if update.action == Action.REFUSE:
            return _refused(live.contact_id, note)
        return self._update(update, raw, note=note)


def _refused(contact_id: str, note: str | None) -> WriteResult:
    return WriteResult(
        contact_id,
        note=note,
        refused_rule=Rule.CONTACT_OPT_OUT_IS_FINAL.value,
        refused_reason=(
            "the contact opted out (OPTOUT); only their own action (ACTION_BY_VISITOR, which needs "
            "their recorded opt-in under `consent:`) can put them back on a list"
        ),
    )
