"""Moved to reconciler.sim.common.journal; re-exported for existing imports."""

from reconciler.sim.common.journal import Journal

__all__ = ["Journal"]
