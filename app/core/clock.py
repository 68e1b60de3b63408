"""The one source of "now" for business rules (the past, check-in windows, no-shows).

Tests move it with :func:`set_now`; tokens use the real clock because their expiry is checked
by the JWT library.
"""

from datetime import UTC, datetime

_fixed: datetime | None = None


def now() -> datetime:
    return _fixed if _fixed is not None else datetime.now(UTC)


def set_now(value: datetime | None) -> None:
    """Freeze the clock at ``value`` (aware), or let it run again with ``None``."""
    global _fixed
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    _fixed = value
