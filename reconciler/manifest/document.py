"""The top level of one manifest file: settings and declarations are checked here; defaults
and contacts are collected, to be checked once every file's settings are known."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import ManifestError, SourceRef
from reconciler.manifest.extras import CUSTOM_FIELD_NAME_LIMIT, LIST_NAME_LIMIT
from reconciler.manifest.report import describe, is_secret_key, secret_message, suggest, unknown_key
from reconciler.manifest.yaml_source import LList, LMap
from reconciler.model import CustomFieldDef, ListDef
from reconciler.scope import ScopeError, parse_ignore_rules

__all__ = ["CUSTOM_FIELD_TYPES", "PROVIDERS", "SETTINGS_KEYS", "TOP_KEYS", "Collected", "read_document"]

TOP_KEYS = ("settings", "lists", "custom_fields", "defaults", "contacts", "ignore")
SETTINGS_KEYS = ("provider", "base_url", "managed_lists")
PROVIDERS = ("ctct-v3", "ctct-v2", "ctct-v1", "everlytic", "everlytic-xmlrpc")
CUSTOM_FIELD_TYPES = ("string", "date")
# scheme://[userinfo@]host[path][?query][#fragment]; hand-written because urllib is off limits
# to the pure core (tests/test_static.py)
_URL = re.compile(r"https?://(?:(?P<userinfo>[^/?#@]*)@)?[^/?#@]+(?:/[^?#]*)?(?:\?(?P<query>[^#]*))?(?:#.*)?")


@dataclass(slots=True)
class Collected:
    """Everything read from the files so far."""

    errors: list[ManifestError] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    settings_where: dict[str, SourceRef] = field(default_factory=dict)
    lists: dict[str, tuple[ListDef, SourceRef]] = field(default_factory=dict)
    custom_fields: dict[str, tuple[CustomFieldDef, SourceRef]] = field(default_factory=dict)
    defaults: list[tuple[str, LMap]] = field(default_factory=list)
    contacts: list[tuple[str, LMap]] = field(default_factory=list)

    def error(
        self, message: str, file: str, line: int, field: str | None = None, *, contact: str | None = None
    ) -> None:
        self.errors.append(ManifestError(message, source=SourceRef(file, line), contact=contact, field=field))


def _scan_secrets(state: Collected, root: LMap, file: str) -> None:
    """Any key anywhere that names a credential is refused, whatever section it is in. Inside
    a contact, fields are named relative to the contact, as in every other contact error."""
    contacts = root.get("contacts")
    stack: list[tuple[Any, str, str | None]] = [(root, "", None)]  # (value, its field, contact)
    while stack:
        node, path, contact = stack.pop()
        if isinstance(node, LMap):
            for key, value in node.items():
                if is_secret_key(key):
                    where = f"{path}.{key}" if path else key
                    state.error(secret_message(key), file, node.lines[key], where, contact=contact)
                elif isinstance(value, LMap | LList):
                    stack.append((value, f"{path}.{key}" if path else key, contact))
            continue
        for i, item in enumerate(node):
            if node is contacts and isinstance(item, LMap):
                email = item.get("email")
                stack.append((item, "", email.strip() if isinstance(email, str) else None))
            elif isinstance(item, LMap | LList):
                stack.append((item, f"{path}[{i}]", contact))


def _base_url(state: Collected, value: Any, file: str, line: int) -> None:
    match = _URL.fullmatch(value) if isinstance(value, str) and not any(c.isspace() for c in value) else None
    if match is None:
        message = f"must be an http(s) URL like https://api.cc.email/v3, not {describe(value)}"
        state.error(message, file, line, "settings.base_url")
        return
    userinfo, query = match["userinfo"] or "", match["query"] or ""
    names = [pair.split("=", 1)[0] for pair in query.split("&")]
    if ":" in userinfo or any(is_secret_key(name) for name in names):
        state.error(secret_message("access_token"), file, line, "settings.base_url")


def _managed_lists(state: Collected, value: Any, file: str, line: int) -> list[str] | None:
    if not isinstance(value, LList):
        state.error(
            f"must be a list of list names, not {describe(value)}", file, line, "settings.managed_lists"
        )
        return None
    names: list[str] = []
    for i, name in enumerate(value):
        where = f"settings.managed_lists[{i}]"
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > LIST_NAME_LIMIT:
            state.error(
                f"must be a list name of 1 to {LIST_NAME_LIMIT} characters", file, value.lines[i], where
            )
        elif name.strip() in names:
            state.error(f"names '{name.strip()}' twice", file, value.lines[i], where)
        else:
            names.append(name.strip())
    return names


def _settings(state: Collected, node: Any, file: str, line: int) -> None:
    if not isinstance(node, LMap):
        state.error(f"must be a mapping, not {describe(node)}", file, line, "settings")
        return
    for key, value in node.items():
        key_line = node.lines[key]
        if is_secret_key(key):
            continue  # reported by the secret scan
        if key not in SETTINGS_KEYS:
            state.error(unknown_key(key, SETTINGS_KEYS), file, key_line, f"settings.{key}")
            continue
        if value is None:
            continue  # null: not set here
        if key in state.settings_where:
            message = (
                f"is already set at {state.settings_where[key]}; each setting may be set in one file only"
            )
            state.error(message, file, key_line, f"settings.{key}")
            continue
        state.settings_where[key] = SourceRef(file, key_line)
        if key == "provider":
            if value not in PROVIDERS:
                state.error(
                    f"unknown provider '{value}'" + suggest(str(value), PROVIDERS),
                    file,
                    key_line,
                    "settings.provider",
                )
        elif key == "base_url":
            _base_url(state, value, file, key_line)
        else:
            value = _managed_lists(state, value, file, key_line)
        state.settings[key] = value


def _declarations(state: Collected, node: Any, file: str, line: int, kind: str) -> None:
    if not isinstance(node, LList):
        state.error(f"must be a list of {{name: ...}} entries, not {describe(node)}", file, line, kind)
        return
    allowed = ("name", "description") if kind == "lists" else ("name", "type")
    limit = LIST_NAME_LIMIT if kind == "lists" else CUSTOM_FIELD_NAME_LIMIT
    table: dict[str, Any] = state.lists if kind == "lists" else state.custom_fields
    for i, item in enumerate(node):
        where, item_line = f"{kind}[{i}]", node.lines[i]
        if not isinstance(item, LMap):
            state.error(f"must be a mapping with a name, not {describe(item)}", file, item_line, where)
            continue
        for key in item:
            if key not in allowed and not is_secret_key(key):
                state.error(unknown_key(key, allowed), file, item.lines[key], f"{where}.{key}")
        name = item.get("name")
        name_line = item.lines.get("name", item_line)
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > limit:
            state.error(f"is required: a name of 1 to {limit} characters", file, name_line, f"{where}.name")
            continue
        name = name.strip()
        if name in table:
            state.error(f"'{name}' is already declared at {table[name][1]}", file, name_line, f"{where}.name")
            continue
        source = SourceRef(file, item_line)
        if kind == "lists":
            description = item.get("description")
            if description is not None and not isinstance(description, str):
                state.error(
                    f"must be a string, not {describe(description)}",
                    file,
                    item.lines["description"],
                    f"{where}.description",
                )
                description = None
            state.lists[name] = (ListDef(name, description.strip() if description else None), source)
        else:
            ftype = item.get("type") or "string"
            if ftype not in CUSTOM_FIELD_TYPES:
                state.error(
                    f"'{ftype}' is not a custom field type; expected one of: {', '.join(CUSTOM_FIELD_TYPES)}",
                    file,
                    item.lines.get("type", item_line),
                    f"{where}.type",
                )
                ftype = "string"
            state.custom_fields[name] = (CustomFieldDef(name, ftype), source)


def _contacts(state: Collected, node: Any, file: str, line: int) -> None:
    if not isinstance(node, LList):
        state.error(f"must be a list of contacts, not {describe(node)}", file, line, "contacts")
        return
    for i, item in enumerate(node):
        if isinstance(item, LMap):
            state.contacts.append((file, item))
        else:
            message = f"must be a mapping with at least an email, not {describe(item)}"
            state.error(message, file, node.lines[i], f"contacts[{i}]")


def _plain(value: Any) -> Any:
    if isinstance(value, LMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, LList):
        return [_plain(v) for v in value]
    return value


def _ignore(state: Collected, node: Any, file: str, line: int) -> None:
    """Rules that silence drift on chosen fields; they never change what apply does."""
    try:
        parse_ignore_rules(_plain(node))
    except ScopeError as err:
        state.error(str(err).replace("\n  ", "; "), file, line, "ignore")
        return
    state.settings.setdefault("ignore", []).extend(_plain(node))


def read_document(state: Collected, doc: Any, file: str) -> None:
    """Read one parsed file into `state`; an empty file declares nothing."""
    if doc is None:
        return
    if not isinstance(doc, LMap):
        state.error(
            f"a manifest file must be a mapping with any of the keys {', '.join(TOP_KEYS)}; "
            f"this one is {describe(doc)}",
            file,
            getattr(doc, "line", 1),
        )
        return
    _scan_secrets(state, doc, file)
    for key, value in doc.items():
        line = doc.lines[key]
        if is_secret_key(key):
            continue  # reported by the secret scan
        if key not in TOP_KEYS:
            state.error(unknown_key(key, TOP_KEYS), file, line, key)
        elif value is None:
            continue  # an empty section declares nothing
        elif key == "settings":
            _settings(state, value, file, line)
        elif key in ("lists", "custom_fields"):
            _declarations(state, value, file, line, key)
        elif key == "contacts":
            _contacts(state, value, file, line)
        elif key == "ignore":
            _ignore(state, value, file, line)
        elif isinstance(value, LMap):
            state.defaults.append((file, value))
        else:
            state.error(f"must be a mapping, not {describe(value)}", file, line, "defaults")
