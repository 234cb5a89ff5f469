"""The fingerprint of desired state: equal content, equal digest, however it is split into
files, ordered or commented. File paths and line numbers are deliberately left out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.model import CustomFieldDef, DesiredContact, ListDef

__all__ = ["digest"]

_VERSION = 1  # bump when the document below changes shape, so old digests never match


def _contact(c: DesiredContact) -> dict[str, Any]:
    evidence = c.consent_evidence
    return {
        "email": c.email,
        "fields": dict(c.fields),
        "custom_fields": dict(c.custom_fields),
        "lists": sorted(c.lists) if c.lists is not None else None,
        "consent": [evidence.at, evidence.evidence, evidence.method] if evidence else None,
    }


def digest(
    contacts: Sequence[DesiredContact],
    managed_lists: frozenset[str],
    lists: Sequence[ListDef],
    custom_fields: Sequence[CustomFieldDef],
    settings: Mapping[str, Any],
) -> str:
    """ "sha256:" + hex digest of a canonical JSON document. `contacts` must be sorted by key
    and `lists`/`custom_fields` by name (as in `Desired`)."""
    doc = {
        "version": _VERSION,
        "settings": dict(settings),
        "managed_lists": sorted(managed_lists),
        "lists": [[d.name, d.description] for d in lists],
        "custom_fields": [[d.name, d.type] for d in custom_fields],
        "contacts": [_contact(c) for c in contacts],
    }
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()
