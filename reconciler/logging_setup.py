"""Logging is configured once, here, at the edge. Library code only calls structlog.get_logger().

Logs go to stderr (stdout carries plans and reports). Secrets are redacted by a processor
that knows every credential the transport was given, not by care at each call site.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog

from reconciler.transport import known_secrets, redacting_processor

__all__ = ["LogFormat", "configure_logging"]

LogFormat = Literal["auto", "console", "json"]


def configure_logging(fmt: LogFormat = "auto", level: str = "warning") -> None:
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redacting_processor(known_secrets),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper(), logging.WARNING)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
