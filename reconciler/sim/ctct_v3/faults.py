"""Moved to reconciler.sim.common.faults; re-exported for existing imports."""

from reconciler.sim.common.faults import FAULT_STATUSES, Fault, FaultPlan

__all__ = ["FAULT_STATUSES", "Fault", "FaultPlan"]
