"""The statistics rollup: past bookings' booked and used time, summed once per quarter hour.

Utilization, the heatmap and the summary's totals turn every booking overlapping the range
into start and end events per slot (:mod:`app.stats.repository`). A booking's events stop
changing once its check-in window and its end have passed: it cannot be cancelled, checked
in or out any more, and its status as of now is final. Bookings start at the earliest now,
last at most a local day (25 hours) and close check-in at most a day after their start, so
every booking that started two days before now is final.

So, per location, the bookings starting before a *seal* (UTC midnight at least two days ago,
:func:`seal_for`) are summed into ``stats_slot_deltas`` per location, desk kind and quarter
hour (every UTC offset in use is a whole number of quarters, so a quarter lies inside one
local hour) and the statements read those sums instead of the bookings; the bookings from
the seal on are read one by one as before. The figures are the same either way (tests
compare both).

- :func:`refresh` moves the seals up to :func:`seal_for` now, adding the newly sealed
  bookings; the app runs it at start-up and then every ``stats_rollup_interval_seconds``
  (0 turns the rollup off and empties it). A stale seal costs speed, never exactness.
- :func:`forget` drops a location's rollup when a desk is (de)activated: the figures count
  the desks active now.
- A seal later than :func:`seal_for` now (the clock was set back) is not used by the
  statements and is rebuilt by the next refresh.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import (
    BigInteger,
    Insert,
    Uuid,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import Database
from app.models import Booking, Desk, Location, StatsSeal, StatsSlotDelta
from app.models.base import UTCDateTime
from app.stats import repository
from app.stats.timeline import QUARTER_SECONDS

#: A booking that started this long ago can no longer change (see the module's text).
SEAL_AFTER = timedelta(days=2)
#: Where a location without a seal starts: before any booking.
BEGINNING = datetime(1, 1, 1, tzinfo=UTC)
#: PostgreSQL advisory lock key serialising refreshes and :func:`forget` ("stat" in ASCII).
LOCK_KEY = 0x73746174


def seal_for(now: datetime) -> datetime:
    """The latest seal usable at ``now``: UTC midnight of the day two days before."""
    day = (now.astimezone(UTC) - SEAL_AFTER).date()
    return datetime.combine(day, time(), tzinfo=UTC)


def usable(sealed_until: datetime | None, now: datetime) -> datetime | None:
    """A stored seal the statements may read at ``now`` (None when there is none, or when it
    lies beyond what ``now`` can seal: the clock was set back)."""
    if sealed_until is None or sealed_until > seal_for(now):
        return None
    return sealed_until


async def _lock(session: AsyncSession) -> None:
    """Serialise rollup writers. SQLite's write transactions already are (``BEGIN
    IMMEDIATE``); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _seal_statement(
    work: Sequence[tuple[uuid.UUID, datetime]], until: datetime, now: datetime
) -> Insert:
    """``INSERT INTO stats_slot_deltas SELECT ...``: the events of the bookings of active
    desks that are not cancelled and start in ``[since, until)`` of their location, per
    location, kind and quarter, for ``work`` = ``(location_id, since)`` rows."""
    ranges = union_all(
        *(
            select(
                literal(location_id, Uuid()).label("location_id"),
                literal(since, UTCDateTime()).label("since"),
            )
            for location_id, since in work
        )
    ).cte("seal_ranges")
    instants = (
        select(Desk.location_id, Desk.kind, *repository.booking_instants(now))
        .select_from(Booking)
        .join(Desk, Desk.id == Booking.desk_id)
        .join(ranges, ranges.c.location_id == Desk.location_id)
        .where(
            Desk.active.is_(True),
            Booking.status != "cancelled",
            Booking.start >= ranges.c.since,
            Booking.start < until,
        )
        .subquery("booking_instants")
    )
    size = literal_column(str(QUARTER_SECONDS), BigInteger)
    edges = repository.booking_edges(instants, size, ["location_id", "kind"])
    sums = select(
        edges.c.location_id,
        edges.c.kind,
        edges.c.slot,
        literal(until, UTCDateTime()),
        *(func.sum(edges.c[name]) for name in repository.BOOKING_DELTAS),
    ).group_by(edges.c.location_id, edges.c.kind, edges.c.slot)
    columns = ["location_id", "kind", "quarter", "batch", *repository.BOOKING_DELTAS]
    return insert(StatsSlotDelta).from_select(columns, sums)


async def refresh(database: Database, now: datetime, *, enabled: bool = True) -> int:
    """Move every location's seal to :func:`seal_for` ``now`` (or, not ``enabled``, drop the
    rollup); how many locations changed. One transaction; concurrent refreshes wait."""
    target = seal_for(now) if enabled else None
    seals = select(Location.id, StatsSeal.sealed_until).outerjoin(
        StatsSeal, StatsSeal.location_id == Location.id
    )
    async with database.read_sessions() as session:
        if all(row.sealed_until == target for row in await session.execute(seals)):
            return 0
    async with database.write_sessions.begin() as session:
        await _lock(session)
        work: list[tuple[uuid.UUID, datetime]] = []
        for location_id, sealed_until in (await session.execute(seals)).all():
            if sealed_until == target:
                continue
            if target is None or sealed_until is None or sealed_until > target:
                await forget(session, location_id, locked=True)
                work.append((location_id, BEGINNING))
            else:
                work.append((location_id, sealed_until))
        if target is not None and work:
            await session.execute(_seal_statement(work, target, now))
            await session.execute(
                delete(StatsSeal).where(StatsSeal.location_id.in_([row[0] for row in work]))
            )
            await session.execute(
                insert(StatsSeal),
                [{"location_id": location_id, "sealed_until": target} for location_id, _ in work],
            )
        return len(work)


async def forget(session: AsyncSession, location_id: uuid.UUID, *, locked: bool = False) -> None:
    """Drop a location's rollup (its desks changed); the next refresh rebuilds it."""
    if not locked:
        await _lock(session)
    await session.execute(delete(StatsSlotDelta).where(StatsSlotDelta.location_id == location_id))
    await session.execute(delete(StatsSeal).where(StatsSeal.location_id == location_id))
