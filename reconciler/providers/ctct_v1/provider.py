"""Constant Contact v1 (XML/Atom): paged reads, GET-modify-PUT writes of the complete entry,
and the conflict/uncertain-write dance.

The contacts feed carries only a summary of each contact, so a read pages through it and then
GETs every entry in full; the raw bytes of each full entry are kept, because a PUT must be that
entry as read with only the plan applied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

import httpx
import structlog

from reconciler.consent import OptInPath, decide_opt_in
from reconciler.errors import ApiError, ConflictError, PlanError
from reconciler.model import Consent, CustomFieldDef, ListDef, Observed, ObservedContact, email_key
from reconciler.plan import Change, FieldChange
from reconciler.providers.base import Capabilities, Progress, WriteResult
from reconciler.providers.ctct_v1.atom import ATOM, CTCT, MEDIA_TYPE, XmlError, child_text, parse
from reconciler.providers.ctct_v1.lists import build_list_entry, is_system_list, read_list_entry
from reconciler.providers.ctct_v1.mapping import (
    ACTION_BY_CONTACT,
    ACTION_BY_CUSTOMER,
    DO_NOT_MAIL,
    SUPPORTED_FIELDS,
    UnstorableValue,
    build_create_entry,
    build_put_entry,
    contact_of,
    id_of,
    list_key,
    status_of,
    to_observed,
)
from reconciler.providers.ctct_v1.settings import V1Settings
from reconciler.transport import Transport, UncertainWriteError

__all__ = ["CAPABILITIES", "CtctV1Provider"]

CAPABILITIES = Capabilities(
    name="ctct-v1",
    write_mode="replace",
    page_size=50,  # fixed by the API
    contact_opt_in_path=True,  # a PUT with OptInSource ACTION_BY_CONTACT, on the contact's evidence only
    changed_since_reads=False,  # ?updatedsince= exists, but only per list
    fields=SUPPORTED_FIELDS,
    max_phone_numbers=2,  # HomePhone, WorkPhone
    max_street_addresses=1,
    phone_kinds=frozenset(("home", "work")),
)
_WRITE_HEADERS = {"Content-Type": MEDIA_TYPE}
_POST_ATTEMPTS = 3

log = structlog.get_logger()


def _explained(err: ApiError) -> ApiError:
    """Transport words a 401 for OAuth; v1 uses Basic credentials and the URI's username."""
    if err.status != 401:
        return err
    return ApiError(
        "the credentials were rejected (401): check CTCT_V1_API_KEY, CTCT_V1_USERNAME and CTCT_V1_PASSWORD, "
        "and that the base URL names the same username",
        status=401,
        method=err.method,
        url=err.url,
        body=err.body,
        contact=err.contact,
    )


class CtctV1Provider:
    capabilities = CAPABILITIES

    def __init__(self, transport: Transport, service_root: str, settings: V1Settings) -> None:
        self._http = transport
        self._root = service_root.rstrip("/")
        self._settings = settings
        self._raw: dict[str, bytes] = {}  # contact id -> full entry as last read
        self._list_ids: dict[str, str] = {}  # name -> list URI

    @property
    def target(self) -> str:
        return self._root

    def close(self) -> None:
        self._http.close()

    # -- reading -----------------------------------------------------------------------------

    def _xml(self, response: httpx.Response) -> Element:
        try:
            return parse(response.content)
        except XmlError as err:
            raise ApiError(
                f"the server's answer is not a usable XML document ({err})",
                status=response.status_code,
                method=response.request.method,
                url=str(response.request.url),
            ) from err

    def _feed(self, path: str, params: dict[str, str] | None = None) -> Iterator[list[Element]]:
        """Pages of a feed, following rel="next" until the last page (which has none)."""
        response = self._http.request("GET", path, params=params, expected=(200,))
        while True:
            feed = self._xml(response)
            yield feed.findall(f"{{{ATOM}}}entry")
            href = next(
                (link.get("href") for link in feed.findall(f"{{{ATOM}}}link") if link.get("rel") == "next"),
                None,
            )
            if not href:
                return
            # The API's next links are root-relative for contacts and relative for lists; the
            # part from the collection onward is what identifies the page (as PY1 does).
            url = httpx.URL(href)
            parts = url.path.split("/")
            anchor = max((i for i, p in enumerate(parts) if p in ("contacts", "lists")), default=None)
            if anchor is None:
                response = self._http.follow(href)
            else:
                query = f"?{url.query.decode()}" if url.query else ""
                response = self._http.request("GET", "/".join(parts[anchor:]) + query, expected=(200,))

    def _read_lists(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in self._feed("/lists"):
            for entry in page:
                try:
                    uri, name = read_list_entry(entry)
                except XmlError as err:
                    raise ApiError(f"a list entry from the server is not usable ({err})") from err
                if not is_system_list(uri):
                    out[name] = uri
        return out

    def _fetch(self, contact_id: str) -> bytes:
        raw = self._http.request("GET", f"/contacts/{contact_id}", expected=(200,)).content
        self._raw[contact_id] = raw
        return raw

    def read(self, progress: Progress | None = None, *, updated_after: str | None = None) -> Observed:
        """Always the whole account: `updated_after` is accepted for the protocol, but v1's
        `updatedsince` filter works only per list, so a full read is the reliable answer."""
        try:
            return self._read(progress)
        except ApiError as err:
            explained = _explained(err)
            if explained is err:
                raise
            raise explained from err

    def _read(self, progress: Progress | None) -> Observed:
        self._list_ids = self._read_lists()
        names = {list_key(uri): name for name, uri in self._list_ids.items()}
        contacts: dict[str, ObservedContact] = {}
        self._raw = {}
        # No filter: the unfiltered feed holds every status, Removed and Do Not Mail included.
        for page in self._feed("/contacts"):
            for summary in page:
                contact_id = self._entry_id(summary)
                contact = self._observed(self._fetch(contact_id), names)
                contacts[contact.key] = contact
            if progress:
                progress(len(contacts))
        log.info("account_read", target=self.target, contacts=len(contacts), lists=len(self._list_ids))
        return Observed(
            target=self.target,
            contacts=contacts,
            lists=dict(self._list_ids),
            custom_fields=self._settings.field_slots,
        )

    @staticmethod
    def _xml_of(raw: bytes) -> Element:
        try:
            return parse(raw)
        except XmlError as err:
            raise ApiError(f"a contact entry from the server is not usable XML ({err})") from err

    def _observed(self, raw: bytes, names: dict[str, str]) -> ObservedContact:
        try:
            return to_observed(self._xml_of(raw), names, self._settings)
        except XmlError as err:
            raise ApiError(f"a contact entry from the server is not usable ({err})") from err

    @staticmethod
    def _entry_id(entry: Element) -> str:
        try:
            return id_of(entry)
        except XmlError as err:
            raise ApiError(f"a feed entry from the server has no usable id ({err})") from err

    # -- account changes ---------------------------------------------------------------------

    def create_list(self, definition: ListDef) -> str:
        body = build_list_entry(definition.name, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        try:
            created = self._http.request(
                "POST", "/lists", content=body, headers=_WRITE_HEADERS, idempotent=False, expected=(200, 201)
            )
            uri = read_list_entry(self._xml(created))[0]
        except (ConflictError, UncertainWriteError):
            uri = self._read_lists()[definition.name]
        self._list_ids[definition.name] = uri
        return uri

    def create_custom_field(self, definition: CustomFieldDef) -> str:
        raise PlanError(
            f"Constant Contact v1 cannot create custom field '{definition.name}': v1 has only the fixed "
            "slots CustomField1..CustomField15. Map the name to a free slot with "
            "RECONCILER_CTCT_V1_CUSTOM_FIELDS (for example 'Tier=CustomField1,Region=CustomField2'), "
            "or use the slot's own name."
        )

    # -- writing -----------------------------------------------------------------------------

    def write(self, change: Change, observed: ObservedContact | None) -> WriteResult:
        try:
            if change.contact_id is None:
                return self._create(change)
            raw = self._raw.get(change.contact_id) or self._fetch(change.contact_id)
            return self._update(change, change.contact_id, raw)
        except UnstorableValue as err:
            raise ApiError(f"not written: {err}", contact=change.email) from err
        except ApiError as err:
            raise _explained(err).for_contact(change.email) from err

    def _update(self, change: Change, contact_id: str, raw: bytes, note: str | None = None) -> WriteResult:
        source = ACTION_BY_CUSTOMER
        if change.consent is not None and change.consent.path == OptInPath.CONTACT_EVIDENCE:
            # The one legal use of ACTION_BY_CONTACT: the plan carries the contact's own, dated
            # opt-in (made after their opt-out), so this PUT replays their action.
            source = ACTION_BY_CONTACT
            log.info("contact_opt_in_replayed", contact_id=contact_id, evidence=change.consent.evidence)
        elif change.lists_add and status_of(self._xml_of(raw)) == DO_NOT_MAIL:
            # Never ask the server for an account-side re-opt-in of a Do-Not-Mail contact.
            decision = decide_opt_in(
                Consent.UNSUBSCRIBED_BY_CONTACT,
                opted_out_at=None,
                evidence=None,
                provider_has_contact_path=True,
            )
            return WriteResult(
                contact_id,
                note=note,
                refused_rule=decision.rule.value if decision.rule else None,
                refused_reason=decision.reason,
            )
        body = build_put_entry(raw, change, self._list_ids, self._settings, opt_in_source=source)
        self._http.request(
            "PUT", f"/contacts/{contact_id}", content=body, headers=_WRITE_HEADERS, expected=(200, 201, 204)
        )
        # The server has moved on (LastUpdateTime, list opt-in times): a later write re-reads.
        self._raw.pop(contact_id, None)
        return WriteResult(contact_id, note=note)

    def _find_by_email(self, email: str) -> str | None:
        wanted = email_key(email)
        for page in self._feed("/contacts", {"email": email}):
            for summary in page:
                try:
                    address = child_text(contact_of(summary), CTCT, "EmailAddress")
                except XmlError:
                    continue
                if address is not None and email_key(address) == wanted:
                    return self._entry_id(summary)
        return None

    def _create(self, change: Change) -> WriteResult:
        if not change.lists_add:
            raise UnstorableValue(
                "Constant Contact v1 cannot create a contact that is on no list; give the contact at least "
                "one list in the manifest"
            )
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body = build_create_entry(change, self._list_ids, self._settings, now)
        for _attempt in range(_POST_ATTEMPTS):
            try:
                response = self._http.request(
                    "POST",
                    "/contacts",
                    content=body,
                    headers=_WRITE_HEADERS,
                    idempotent=False,
                    expected=(200, 201),
                )
                contact_id = self._entry_id(self._xml(response))
                self._raw[contact_id] = response.content
                return WriteResult(contact_id)
            except ConflictError:
                existing = self._find_by_email(change.email)
                if existing is None:
                    raise
                return self._resolve_existing(change, existing, "409 resolved: the contact already existed")
            except UncertainWriteError:
                # The POST may have landed before the connection failed: look before re-sending.
                existing = self._find_by_email(change.email)
                if existing is not None:
                    return self._resolve_existing(change, existing, "the earlier create had landed")
        raise ApiError(f"create did not succeed after {_POST_ATTEMPTS} attempts", contact=change.email)

    def _resolve_existing(self, change: Change, contact_id: str, note: str) -> WriteResult:
        """A create met a contact that exists after all: the equivalent update, under the same
        consent rules the planner applies (no evidence travels with a create)."""
        raw = self._fetch(contact_id)
        names = {list_key(uri): name for name, uri in self._list_ids.items()}
        live = self._observed(raw, names)
        add = tuple(sorted(set(change.lists_add) - live.lists))
        fields = tuple(FieldChange(path=fc.path, before=None, after=fc.after) for fc in change.fields)
        if not (fields or add or change.lists_remove):
            return WriteResult(contact_id, note=note)  # already as planned: nothing to write
        update = change.model_copy(update={"contact_id": contact_id, "fields": fields, "lists_add": add})
        return self._update(update, contact_id, raw, note=note)
