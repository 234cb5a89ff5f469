"""Constant Contact v3: the primary platform."""
