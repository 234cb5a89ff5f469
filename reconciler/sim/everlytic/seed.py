"""The demo account: the v3 demo's story told in Everlytic's terms (see demo_seed.json).

Everlytic has no named custom fields in its documented API, so the demo's Tier, Region and
Lead_Source live in the writable properties `department`, `industry` and `title`; run the
provider with RECONCILER_EVERLYTIC_CUSTOM_FIELDS=DEMO_CUSTOM_FIELDS to see them by name."""

from __future__ import annotations

from typing import Any

from reconciler.sim.common.app import load_json_resource

__all__ = ["DEMO_CUSTOM_FIELDS", "load_demo_seed"]

DEMO_CUSTOM_FIELDS = "Tier=department,Region=industry,Lead_Source=title"


def load_demo_seed() -> dict[str, Any]:
    return load_json_resource("reconciler.sim.everlytic", "demo_seed.json")
