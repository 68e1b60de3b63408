"""The rollup's policy: up to which instant a location's bookings can be sealed (summed once,
:mod:`app.stats.rollup`), and which whole local months the rollup then holds."""

import uuid
from datetime import UTC, datetime, time, timedelta

from app.stats import timeline
from app.stats.scope import NIL
from app.stats.timeline import Scope

#: A booking that started this long ago can no longer change (see :mod:`app.stats.rollup`).
SEAL_AFTER = timedelta(days=2)


def midnight(at: datetime) -> datetime:
    """UTC midnight of the UTC day of ``at``."""
    return datetime.combine(at.astimezone(UTC).date(), time(), tzinfo=UTC)


def seal_for(now: datetime) -> datetime:
    """The latest seal usable at ``now``: UTC midnight of the day two days before."""
    return midnight(now - SEAL_AFTER)


def usable(sealed_until: datetime | None, now: datetime) -> datetime | None:
    """A stored seal the statements may read at ``now`` (None when there is none, or when it
    lies beyond what ``now`` can seal: the clock was set back)."""
    if sealed_until is None or sealed_until > seal_for(now):
        return None
    return sealed_until


#: A local month's bookings are all sealed when its last day is this long before the seal's
#: UTC date (local midnight lies at most 12 hours after UTC's; check-in opens 15 minutes early).
SEALED_MONTH_MARGIN = timedelta(days=2)


def last_sealed_month(sealed_until: datetime) -> int:
    """The latest month number whose rows the rollup holds under a seal."""
    return timeline.last_whole_month(sealed_until.date() - SEALED_MONTH_MARGIN)


def sealed_months(scope: Scope) -> tuple[uuid.UUID, int, int] | None:
    """``(key, first, last)``: the whole months of the range whose member rows the rollup
    holds, for the key of the scope (its one location, or :data:`NIL` for several, which
    means every location); None when there are none."""
    locations = scope.locations
    if not locations or any(location.sealed_until is None for location in locations):
        return None
    key = locations[0].location_id if len(locations) == 1 else NIL
    first = timeline.month_number(scope.first_day)
    if scope.first_day.day != 1:
        first += 1
    last = timeline.last_whole_month(scope.last_day)
    seal = min(location.sealed_until for location in locations if location.sealed_until)
    last = min(last, last_sealed_month(seal))
    return (key, first, last) if first <= last else None
