"""The audit log: one JSON line per contact written, with every field's before and after and why.

Appended, never rewritten, so a history of applies accumulates. "Why" is the manifest line that
asked for the change and the digest of the manifests planned from.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.apply import ApplyReport, Outcome
from reconciler.model import email_key
from reconciler.plan import Plan

__all__ = ["DEFAULT_AUDIT_LOG", "audit_records", "write_audit_log"]

DEFAULT_AUDIT_LOG = Path(".reconciler/audit.jsonl")


def audit_records(plan: Plan, report: ApplyReport, at: str) -> list[dict[str, Any]]:
    changes = {email_key(c.email): c for c in plan.changes}
    out = []
    for result in report.results:
        change = changes.get(email_key(result.email))
        if result.outcome != Outcome.APPLIED or change is None:
            continue
        out.append(
            {
                "at": at,
                "provider": plan.provider,
                "target": plan.target,
                "email": change.email,
                "contact_id": result.contact_id,
                "action": change.action.value,
                "fields": [f.model_dump(mode="json") for f in change.fields],
                "lists_add": list(change.lists_add),
                "lists_remove": list(change.lists_remove),
                "consent": change.consent.model_dump(mode="json") if change.consent else None,
                "why": {"manifest": change.source, "manifest_digest": plan.manifest_digest},
                "note": result.reason,
            }
        )
    return out


def write_audit_log(path: Path, plan: Plan, report: ApplyReport) -> None:
    records = audit_records(plan, report, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    if not records:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
