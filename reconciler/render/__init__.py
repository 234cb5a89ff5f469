"""Plan renderers: text for a terminal, JSON for machines, markdown for pull-request comments.

All of them are pure functions of the plan: same plan and options, same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol, get_args

from reconciler.plan import Plan
from reconciler.render.json import plan_json_schema, render_json
from reconciler.render.markdown import render_markdown
from reconciler.render.mask import mask_plan
from reconciler.render.text import render_text

__all__ = ["FORMATS", "RENDERERS", "PlanFormat", "Renderer", "mask_plan", "plan_json_schema", "render_plan"]

PlanFormat = Literal["text", "json", "markdown"]
FORMATS: tuple[str, ...] = get_args(PlanFormat)


class Renderer(Protocol):
    def __call__(self, plan: Plan, *, color: bool = False, width: int = 100) -> str: ...


RENDERERS: Mapping[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
}


def render_plan(
    plan: Plan,
    fmt: PlanFormat,
    *,
    color: bool = False,
    mask_pii: bool = False,
    width: int = 100,
) -> str:
    """Render `plan` as `fmt`. `color` only affects text; masking applies to every format."""
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(f"unknown plan format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderer(mask_plan(plan) if mask_pii else plan, color=color, width=width)
