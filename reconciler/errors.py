"""The one exception tree of reconciler.

    ReconcilerError
    ├── ManifestError          a manifest is wrong; names file, line, contact and field
    │   └── ManifestErrors     several ManifestErrors found in one pass
    ├── PlanError              desired state cannot be planned against this account
    ├── SavedPlanError         a saved plan file cannot be used (version, target, corrupt)
    ├── ConfigError            missing credentials or settings
    └── ApiError               the platform answered with an error
        ├── TransientApiError  worth retrying: 429 throttled, 5xx, timeouts, dropped connections
        ├── QuotaExceeded      the daily quota is spent: stop cleanly, rerun later
        └── ConflictError      409: the resource already exists

Messages are sentences that tell the user what to do next. Nothing here may contain a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ApiError",
    "ConfigError",
    "ConflictError",
    "ManifestError",
    "ManifestErrors",
    "PlanError",
    "QuotaExceeded",
    "ReconcilerError",
    "SavedPlanError",
    "SourceRef",
    "TransientApiError",
]


class ReconcilerError(Exception):
    """Root of every error reconciler raises on purpose."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a value came from in a manifest: file and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class ManifestError(ReconcilerError):
    def __init__(
        self,
        message: str,
        *,
        source: SourceRef | None = None,
        contact: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.contact = contact
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        who = f"contact {self.contact}: " if self.contact else ""
        what = f"field '{self.field}': " if self.field else ""
        return f"{where}{who}{what}{self.message}"


class ManifestErrors(ManifestError):
    """Every problem found in one validation pass, so users fix them all at once."""

    def __init__(self, errors: list[ManifestError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in manifests")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class PlanError(ReconcilerError):
    pass


class SavedPlanError(ReconcilerError):
    pass


class ConfigError(ReconcilerError):
    pass


_MAX_BODY = 500


class ApiError(ReconcilerError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        body: str | None = None,
        contact: str | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.method = method
        self.url = url
        self.body = (body or "")[:_MAX_BODY]
        self.contact = contact
        super().__init__(str(self))

    def for_contact(self, contact: str) -> ApiError:
        err = type(self)(
            self.message,
            status=self.status,
            method=self.method,
            url=self.url,
            body=self.body,
            contact=contact,
        )
        return err

    def __str__(self) -> str:
        parts = []
        if self.contact:
            parts.append(f"contact {self.contact}:")
        parts.append(self.message)
        if self.method and self.url:
            parts.append(f"({self.method} {self.url}" + (f" -> {self.status})" if self.status else ")"))
        if self.body:
            parts.append(f"server said: {self.body}")
        return " ".join(parts)


class TransientApiError(ApiError):
    pass


class QuotaExceeded(ApiError):
    pass


class ConflictError(ApiError):
    pass
