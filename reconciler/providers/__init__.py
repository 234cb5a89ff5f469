"""Providers: one per platform. Each maps its wire format onto the canonical contact."""

from reconciler.providers.base import Capabilities, ContactWriter, Provider, WriteResult

__all__ = ["Capabilities", "ContactWriter", "Provider", "WriteResult"]
