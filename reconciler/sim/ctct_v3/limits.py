"""Moved to reconciler.sim.common.limits; re-exported for existing imports."""

from reconciler.sim.common.limits import QUOTA_EXCEEDED, THROTTLED, Limits, RateLimiter

__all__ = ["QUOTA_EXCEEDED", "THROTTLED", "Limits", "RateLimiter"]
