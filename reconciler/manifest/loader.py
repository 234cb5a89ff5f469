"""Loads a manifest directory (or file) into `Desired`, collecting every error in one pass."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from reconciler.errors import ManifestError, ManifestErrors, SourceRef
from reconciler.manifest.contact import (
    CONTACT_KEYS,
    DEFAULT_KEYS,
    EMAIL,
    ContactParts,
    check_contact,
    is_secret_key,
    suggest,
)
from reconciler.manifest.yaml_source import LList, LMap, parse_yaml
from reconciler.model import CustomFieldDef, Desired, DesiredContact, ListDef

__all__ = ["load"]

TOP_KEYS = ("settings", "lists", "custom_fields", "defaults", "contacts")
SETTINGS_KEYS = ("provider", "base_url", "managed_lists")
PROVIDERS = ("ctct-v3", "ctct-v2", "ctct-v1", "everlytic", "everlytic-xmlrpc")
_SECRET_ENV = {"token": "CTCT_ACCESS_TOKEN", "api_key": "the provider's API key variable"}


class _State:
    def __init__(self) -> None:
        self.errors: list[ManifestError] = []
        self.settings: dict[str, Any] = {}
        self.settings_where: dict[str, SourceRef] = {}
        self.lists: dict[str, tuple[ListDef, SourceRef]] = {}
        self.fields: dict[str, tuple[CustomFieldDef, SourceRef]] = {}
        self.defaults: list[tuple[str, LMap]] = []
        self.contacts: list[tuple[str, LMap]] = []

    def error(self, message: str, file: str, line: int, field: str | None = None) -> None:
        self.errors.append(ManifestError(message, source=SourceRef(file, line), field=field))


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.exists():
        raise ManifestError(f"{path} does not exist")
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise ManifestError(f"{path} holds no *.yaml or *.yml manifest files")
    return files


def _scan_secrets(state: _State, node: Any, file: str) -> None:
    if isinstance(node, LMap):
        for key, value in node.items():
            lowered = key.lower()
            if is_secret_key(key):
                hint = next((v for k, v in _SECRET_ENV.items() if k in lowered), "an environment variable")
                state.error(
                    f"secrets must come from environment variables, not manifests (use {hint})",
                    file,
                    node.lines[key],
                    key,
                )
            else:
                _scan_secrets(state, value, file)
    elif isinstance(node, LList):
        for item in node:
            _scan_secrets(state, item, file)


def _settings(state: _State, node: Any, file: str, line: int) -> None:
    if not isinstance(node, LMap):
        state.error("settings must be a mapping", file, line, "settings")
        return
    for key, value in node.items():
        where = SourceRef(file, node.lines[key])
        if is_secret_key(key):
            continue
        if key not in SETTINGS_KEYS:
            state.error(
                f"unknown setting '{key}'" + suggest(key, SETTINGS_KEYS), file, where.line, f"settings.{key}"
            )
            continue
        if key in state.settings:
            state.error(
                f"settings.{key} is already set at {state.settings_where[key]}",
                file,
                where.line,
                f"settings.{key}",
            )
            continue
        if key == "provider" and value not in PROVIDERS:
            state.error(
                f"unknown provider '{value}'" + suggest(str(value), PROVIDERS),
                file,
                where.line,
                "settings.provider",
            )
        if key == "managed_lists" and not (
            isinstance(value, LList) and all(isinstance(v, str) for v in value)
        ):
            state.error("must be a list of list names", file, where.line, "settings.managed_lists")
            continue
        if key == "base_url" and not (isinstance(value, str) and value.startswith(("http://", "https://"))):
            state.error("must be an http(s) URL", file, where.line, "settings.base_url")
        state.settings[key] = list(value) if isinstance(value, LList) else value
        state.settings_where[key] = where


def _declarations(state: _State, node: Any, file: str, line: int, kind: str) -> None:
    if not isinstance(node, LList):
        state.error(f"{kind} must be a list", file, line, kind)
        return
    allowed = ("name", "description") if kind == "lists" else ("name", "type")
    limit = 255 if kind == "lists" else 50
    for i, item in enumerate(node):
        item_line = node.lines[i]
        if not isinstance(item, LMap) or not isinstance(item.get("name"), str) or not item["name"].strip():
            state.error("each entry needs a name", file, item_line, f"{kind}[{i}].name")
            continue
        for key in item.keys() - set(allowed):
            state.error(
                f"unknown key '{key}'" + suggest(key, allowed), file, item.lines[key], f"{kind}[{i}].{key}"
            )
        name = item["name"].strip()
        if len(name) > limit:
            state.error(f"name is longer than {limit} characters", file, item_line, f"{kind}[{i}].name")
        table: dict[str, Any] = state.lists if kind == "lists" else state.fields
        if name in table:
            state.error(
                f"'{name}' is already declared at {table[name][1]}", file, item_line, f"{kind}[{i}].name"
            )
            continue
        if kind == "lists":
            description = item.get("description")
            state.lists[name] = (
                ListDef(name, None if description is None else str(description)),
                SourceRef(file, item_line),
            )
        else:
            ftype = item.get("type", "string")
            if ftype not in ("string", "date"):
                state.error(
                    "type must be string or date",
                    file,
                    item.lines.get("type", item_line),
                    f"{kind}[{i}].type",
                )
            state.fields[name] = (CustomFieldDef(name, str(ftype)), SourceRef(file, item_line))


def _read_file(state: _State, path: Path) -> None:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        state.error(f"cannot read the file: {err}", file, 1)
        return
    try:
        doc = parse_yaml(text, file)
    except ManifestError as err:
        state.errors.append(err)
        return
    if doc is None:
        return
    if not isinstance(doc, LMap):
        state.error(f"a manifest file must be a mapping with keys {', '.join(TOP_KEYS)}", file, 1)
        return
    _scan_secrets(state, doc, file)
    for key, value in doc.items():
        line = doc.lines[key]
        if key == "settings":
            _settings(state, value, file, line)
        elif key in ("lists", "custom_fields"):
            _declarations(state, value, file, line, key)
        elif key == "defaults":
            if isinstance(value, LMap):
                state.defaults.append((file, value))
            else:
                state.error("defaults must be a mapping", file, line, "defaults")
        elif key == "contacts":
            if not isinstance(value, LList):
                state.error("contacts must be a list", file, line, "contacts")
                continue
            for i, item in enumerate(value):
                if isinstance(item, LMap):
                    state.contacts.append((file, item))
                else:
                    state.error(
                        "each contact must be a mapping with at least an email",
                        file,
                        value.lines[i],
                        f"contacts[{i}]",
                    )
        else:
            state.error(f"unknown top-level key '{key}'" + suggest(key, TOP_KEYS), file, line, key)


def _defaults(state: _State) -> ContactParts | None:
    if len(state.defaults) > 1:
        file, node = state.defaults[1]
        state.error(f"defaults are already given in {state.defaults[0][0]}", file, node.line, "defaults")
    if not state.defaults:
        return None
    file, node = state.defaults[0]
    parts = ContactParts(file, node, None, state.errors)
    check_contact(parts, DEFAULT_KEYS)
    return parts


def _contact(state: _State, file: str, node: LMap, defaults: ContactParts | None) -> DesiredContact | None:
    email = node.get("email")
    parts = ContactParts(file, node, email if isinstance(email, str) else None, state.errors)
    if not isinstance(email, str) or not email.strip():
        parts.error("every contact needs an email", "email")
        return None
    email = email.strip()
    if len(email) > 80 or not EMAIL.match(email):
        parts.error("is not a valid email address (at most 80 characters, like name@example.com)", "email")
    check_contact(parts, CONTACT_KEYS)
    fields, custom, lists = parts.fields, parts.custom_fields, parts.lists
    if defaults is not None:
        fields = {**defaults.fields, **fields}
        custom = {**defaults.custom_fields, **custom}
        lists = lists if lists is not None else defaults.lists
    if len(custom) > 25:
        parts.error(f"has {len(custom)} custom fields with defaults; at most 25 are allowed", "custom_fields")
    return DesiredContact(
        email=email,
        source=SourceRef(file, node.line),
        fields=fields,
        custom_fields=custom,
        lists=lists,
        consent_evidence=parts.evidence,
    )


def _digest(
    contacts: list[DesiredContact],
    lists: list[ListDef],
    fields: list[CustomFieldDef],
    settings: dict[str, Any],
) -> str:
    doc = {
        "settings": settings,
        "lists": [[d.name, d.description] for d in lists],
        "custom_fields": [[d.name, d.type] for d in fields],
        "contacts": [
            [
                c.key,
                sorted(c.fields.items()),
                sorted(c.custom_fields.items()),
                sorted(c.lists) if c.lists is not None else None,
                [c.consent_evidence.at, c.consent_evidence.evidence] if c.consent_evidence else None,
            ]
            for c in contacts
        ],
    }
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(raw.encode()).hexdigest()


def load(path: str | Path) -> Desired:
    state = _State()
    for file in _files(Path(path)):
        _read_file(state, file)
    defaults = _defaults(state)
    contacts: dict[str, DesiredContact] = {}
    for where, node in state.contacts:
        contact = _contact(state, where, node, defaults)
        if contact is None:
            continue
        if contact.key in contacts:
            state.errors.append(
                ManifestError(
                    f"is declared twice (also at {contacts[contact.key].source})",
                    source=contact.source,
                    contact=contact.email,
                    field="email",
                )
            )
            continue
        contacts[contact.key] = contact
    referenced = set(state.lists)
    for contact in contacts.values():
        referenced |= contact.lists or set()
    managed = state.settings.get("managed_lists")
    if isinstance(managed, list):
        for contact in contacts.values():
            for name in sorted((contact.lists or set()) - set(managed)):
                state.errors.append(
                    ManifestError(
                        f"list '{name}' is not in settings.managed_lists",
                        source=contact.source,
                        contact=contact.email,
                        field="lists",
                    )
                )
    if state.errors:
        raise ManifestErrors(
            sorted(state.errors, key=lambda e: (e.source.file, e.source.line) if e.source else ("", 0))
        )
    ordered = sorted(contacts.values(), key=lambda c: c.key)
    lists = sorted((d for d, _ in state.lists.values()), key=lambda d: d.name)
    fields = sorted((d for d, _ in state.fields.values()), key=lambda d: d.name)
    return Desired(
        contacts=tuple(ordered),
        managed_lists=frozenset(managed if isinstance(managed, list) else referenced),
        lists=tuple(lists),
        custom_fields=tuple(fields),
        settings=dict(state.settings),
        digest=_digest(ordered, lists, fields, state.settings),
    )
