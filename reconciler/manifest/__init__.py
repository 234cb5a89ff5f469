"""Manifests: YAML files of desired contacts, loaded and validated into `Desired`."""

from reconciler.manifest.loader import load
from reconciler.manifest.schema import json_schema

__all__ = ["json_schema", "load"]
