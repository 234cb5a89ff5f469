"""reconciler: declarative desired-state reconciler for email-marketing contacts."""

__version__ = "0.1.0"
__all__ = ["__version__"]
