"""PII masking, applied to the plan itself so that no renderer can forget a place.

Every string anywhere in the plan is scanned for email addresses (contact emails, field values,
consent evidence, refusal reasons); every value under a phone-number field is masked whatever
it looks like, because phone numbers have no reliable textual shape.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.plan import Plan

__all__ = ["PHONE_FIELDS", "mask_email", "mask_phone", "mask_plan", "mask_text"]

PHONE_FIELDS: frozenset[str] = frozenset({"phone_numbers"})

# `*` is left out of the local part on purpose: masked addresses then never match again,
# which keeps masking idempotent.
_EMAIL = re.compile(r"[\w.!#$%&'+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")


def mask_email(email: str) -> str:
    """`jane@example.com` -> `j***@e***.com`: enough to tell contacts apart in a review."""
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    masked_domain = labels[0][:1] + "***"
    if len(labels) > 1:
        masked_domain += "." + labels[-1]
    return f"{local[:1]}***@{masked_domain}"


def mask_text(text: str) -> str:
    return _EMAIL.sub(lambda m: mask_email(m.group(0)), text)


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "***-" + digits[-4:] if len(digits) >= 4 else "***"


def _mask_phones(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phone(value)
    if isinstance(value, list):
        return [_mask_phones(v) for v in value]
    if isinstance(value, dict):
        # "kind" (mobile, work, ...) says nothing about the person and helps the reviewer.
        return {k: v if k == "kind" else _mask_phones(v) for k, v in value.items()}
    return value


def _mask_strings(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask_strings(v) for v in value]
    if isinstance(value, dict):
        return {mask_text(k): _mask_strings(v) for k, v in value.items()}
    return value


def mask_plan(plan: Plan) -> Plan:
    """A copy of the plan with PII masked. For display only: it can no longer be applied."""
    data = plan.model_dump(mode="json")
    for change in data["changes"]:
        for field in change["fields"]:
            if field["path"] in PHONE_FIELDS:
                field["before"] = _mask_phones(field["before"])
                field["after"] = _mask_phones(field["after"])
    return Plan.model_validate(_mask_strings(data))
