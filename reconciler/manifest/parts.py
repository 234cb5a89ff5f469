"""The canonical values of one contact (or defaults block) as they are checked, with the
errors found on the way, each naming file, line, contact and field."""

from __future__ import annotations

from typing import Any

from reconciler.errors import ManifestError, SourceRef
from reconciler.manifest.yaml_source import LMap
from reconciler.model import ConsentEvidence

__all__ = ["ContactParts"]


class ContactParts:
    def __init__(
        self,
        file: str,
        node: LMap,
        errors: list[ManifestError],
        *,
        contact: str | None = None,
        prefix: str = "",
        managed_lists: frozenset[str] | None = None,
    ) -> None:
        self.file = file
        self.node = node
        self.errors = errors
        self.contact = contact
        self.prefix = prefix  # "defaults." for the defaults block, so fields say where they are
        self.managed_lists = managed_lists  # settings.managed_lists, when given
        self.fields: dict[str, Any] = {}
        self.custom_fields: dict[str, str | None] = {}
        self.lists: frozenset[str] | None = None
        self.evidence: ConsentEvidence | None = None

    def line(self, key: str | None = None) -> int:
        return self.node.lines.get(key, self.node.line) if key is not None else self.node.line

    def error(self, message: str, field: str, line: int | None = None) -> None:
        """`field` is relative to the contact ("phone_numbers[1].kind"); without a line, the
        line of its top-level key is used."""
        if line is None:
            line = self.line(field.split(".", 1)[0].split("[", 1)[0])
        self.errors.append(
            ManifestError(
                message,
                source=SourceRef(self.file, line),
                contact=self.contact,
                field=self.prefix + field,
            )
        )
