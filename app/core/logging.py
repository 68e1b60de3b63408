"""Structured JSON logs; every line of a request carries its request id.

A last processor redacts what must never reach a log: values of keys that name secrets or
personal data, and anything that looks like an email address or a bearer token.
"""

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SENSITIVE_KEYS = re.compile(
    r"pass|token|secret|email|authorization|cookie|full_name|postcode", re.I
)
EMAIL = re.compile(r"[^\s@\"'<>]+@[^\s@\"'<>]+\.[A-Za-z]{2,}")
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return JWT.sub("[redacted-token]", EMAIL.sub("[redacted-email]", value))
    return value


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        event[key] = "[redacted]" if SENSITIVE_KEYS.search(key) else _scrub(event[key])
    return event


def configure_logging(level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        # Resolve sys.stderr per logger, not once: test capture and reconfigured streams work.
        logger_factory=lambda *_: structlog.PrintLogger(sys.stderr),
        cache_logger_on_first_use=False,
    )
