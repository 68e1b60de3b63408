"""The statistics rollup: past bookings summed once, per quarter hour, local day and month.

A booking stops changing once its check-in window and its end have passed: it can no longer
be cancelled, checked in or out, and its status as of now is final. Bookings start at the
earliest now, last at most 24 hours and close check-in at most a day after their start, so
every booking that started two days before now is final.

So, per location, the bookings starting before a *seal* (UTC midnight at least two days ago,
:func:`seal_for`) are summed once and the statements read those sums instead of the
bookings; the bookings from the seal on are read one by one as before:

- ``stats_slot_deltas``: booked and used intervals of active desks as start and end events
  per location, desk kind and UTC quarter hour (every UTC offset in use is a whole number of
  quarters, so a quarter lies inside one local hour): utilization, heatmap, summary totals;
- ``stats_start_days``: bookings and their lengths per location, local day of the start and
  final status: the counts and rates of ``stats/bookings``;
- ``stats_lead_days``: bookings per location, local start day and whole days of lead time:
  the first step of the median lead time (the second ranks the lead times of the middle
  day(s), read from the bookings);
- ``stats_member_months``: running totals per member up to the end of each whole local month
  (bookings, booked seconds, distinct check-in days), per location and for every location
  together: member groups, commute and the summary's members read a range's whole months as
  two rows per member and only the days around them from the bookings. A month is added once
  every booking touching it is sealed (:func:`app.stats.repository.last_sealed_month`).

The figures are the same either way (every statistics test runs both ways; the whole months
are ``tests/stats/test_rollup.py``'s). The companies' seat peaks still read the bookings.

- :func:`refresh` moves the seals up to :func:`seal_for` now, adding the newly sealed
  bookings; the app runs it at start-up and then every ``stats_rollup_interval_seconds``
  (0 turns the rollup off and empties it). A stale seal costs speed, never exactness.
- :func:`forget` drops a location's rollup when a desk is (de)activated (the figures count
  the desks active now) or the location moves to another time zone (local days change);
  the next refresh rebuilds it.
- A seal later than :func:`seal_for` now (the clock was set back) is not used by the
  statements and is rebuilt by the next refresh.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Insert,
    Row,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import Database
from app.core.enums import BookingStatus
from app.models import (
    Booking,
    Desk,
    Location,
    StatsSeal,
    stats_lead_days,
    stats_member_months,
    stats_slot_deltas,
    stats_start_days,
)
from app.models.base import UTCDateTime
from app.stats import repository, timeline
from app.stats.timeline import QUARTER_SECONDS, Scope

#: A booking that started this long ago can no longer change (see the module's text).
SEAL_AFTER = timedelta(days=2)
#: Where a location without a seal starts: before any booking.
BEGINNING = datetime(1, 1, 1, tzinfo=UTC)
#: PostgreSQL advisory lock key serialising refreshes and :func:`forget` ("stat" in ASCII).
LOCK_KEY = 0x73746174

#: The sums kept per location (``stats_member_months`` also keeps those of every location).
LOCATION_SUMS = (stats_slot_deltas, stats_start_days, stats_lead_days)

#: The initial build reads the bookings a month at a time (each statement stays short).
WINDOW = timedelta(days=31)
#: The rollup's statements aggregate many rows once: larger hash tables, no JIT (PostgreSQL).
TUNING = text("SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)")


def _midnight(at: datetime) -> datetime:
    return datetime.combine(at.astimezone(UTC).date(), time(), tzinfo=UTC)


def seal_for(now: datetime) -> datetime:
    """The latest seal usable at ``now``: UTC midnight of the day two days before."""
    return _midnight(now - SEAL_AFTER)


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


def _slot_rows(
    locations: Sequence[uuid.UUID], since: datetime, until: datetime, now: datetime
) -> Insert:
    """``INSERT INTO stats_slot_deltas SELECT ...``: the events of the bookings of active
    desks of ``locations`` that are not cancelled and start in ``[since, until)``, per
    location, kind and quarter."""
    instants = (
        select(Desk.location_id, Desk.kind, *repository.booking_instants(now))
        .select_from(Booking)
        .join(Desk, Desk.id == Booking.desk_id)
        .where(
            Desk.location_id.in_(locations),
            Desk.active.is_(True),
            Booking.status != BookingStatus.CANCELLED,
            Booking.start >= since,
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
    return insert(stats_slot_deltas).from_select(columns, sums)


def _history(rows: Sequence[Row[Any]], since: datetime, until: datetime, now: datetime) -> Scope:
    """The calendars of the locations ``rows`` (id, timezone, opening_hours) over every local
    day their bookings starting in ``[since, until)`` touch, with a day of margin (local days
    run up to 14 hours off UTC)."""
    first_day, last_day = (since - timedelta(days=1)).date(), (until + timedelta(days=3)).date()
    return _scope(rows, first_day, last_day, now)


def _scope(rows: Sequence[Row[Any]], first_day: date, last_day: date, now: datetime) -> Scope:
    """A scope of the locations ``rows`` (id, timezone, opening_hours) over the days."""
    calendars = [
        timeline.location_calendar(
            index, row.id, row.timezone, row.opening_hours, first_day, last_day
        )
        for index, row in enumerate(rows)
    ]
    return timeline.scope(first_day=first_day, last_day=last_day, now=now, locations=calendars)


async def _earliest_start(
    session: AsyncSession,
    locations: Sequence[uuid.UUID],
    since: datetime = BEGINNING,
    until: datetime | None = None,
) -> datetime | None:
    """The earliest start of a booking of ``locations`` in ``[since, until)``."""
    statement = (
        select(func.min(Booking.start))
        .join(Desk, Desk.id == Booking.desk_id)
        .where(Desk.location_id.in_(locations), Booking.start >= since)
    )
    if until is not None:
        statement = statement.where(Booking.start < until)
    return await session.scalar(statement)


async def _seal(
    session: AsyncSession,
    locations: Sequence[uuid.UUID],
    since: datetime,
    until: datetime,
    now: datetime,
) -> None:
    """Add the bookings of ``locations`` starting in ``[since, until)`` to the rollup, a
    window of :data:`WINDOW` at a time (each its own ``batch``: the window's end)."""
    first = await _earliest_start(session, locations, since, until)
    if first is None:
        return
    calendars = (
        await session.execute(
            select(Location.id, Location.timezone, Location.opening_hours)
            .where(Location.id.in_(locations))
            .order_by(Location.id)
        )
    ).all()
    start = max(since, _midnight(first))
    while start < until:
        end = min(start + WINDOW, until)
        await session.execute(_slot_rows(locations, start, end, now))
        history = _history(calendars, start, end, now)
        start_days, lead_days = repository.sealed_day_rows(history, start, end)
        await session.execute(
            insert(stats_start_days).from_select(
                ["location_id", "day", "status", "bookings", "duration_seconds", "batch"],
                start_days,
            )
        )
        await session.execute(
            insert(stats_lead_days).from_select(
                ["location_id", "day", "lead_day", "bookings", "batch"], lead_days
            )
        )
        start = end


async def _first_month(
    session: AsyncSession, locations: Sequence[uuid.UUID], since: datetime
) -> int | None:
    """The first month to add for ``locations`` sealed up to ``since`` (None: none)."""
    if since != BEGINNING:
        return repository.last_sealed_month(since) + 1
    first = await _earliest_start(session, locations)
    # A day earlier: the local month of a start can begin before its UTC month.
    return None if first is None else timeline.month_number((first - timedelta(days=1)).date())


async def _seal_member_months(
    session: AsyncSession,
    work: Sequence[tuple[uuid.UUID, datetime]],
    target: datetime,
    now: datetime,
) -> None:
    """Add the whole months newly sealed to ``stats_member_months``: per location moved from
    its seal in ``work`` to ``target``, and for every location together (only with two or
    more; rebuilt whole when any location starts afresh: a new one, or one forgotten)."""
    rows = (
        await session.execute(
            select(Location.id, Location.timezone, Location.opening_hours).order_by(Location.id)
        )
    ).all()
    last = repository.last_sealed_month(target)
    since_of = dict(work)
    keys: list[tuple[uuid.UUID, list[Row[Any]], int | None]] = [
        (row.id, [row], await _first_month(session, [row.id], since_of[row.id]))
        for row in rows
        if row.id in since_of
    ]
    if len(rows) > 1:
        everywhere = [row.id for row in rows]
        if BEGINNING in since_of.values():
            months = stats_member_months.c
            await session.execute(
                delete(stats_member_months).where(months.location_id == repository.NIL)
            )
            first = await _first_month(session, everywhere, BEGINNING)
        else:
            first = await _first_month(session, everywhere, min(since_of.values()))
        keys.append((repository.NIL, list(rows), first))
    for key, locations, first in keys:
        for month in range(first if first is not None else last + 1, last + 1):
            scope = _scope(locations, *timeline.month_days(month), now)
            await session.execute(
                insert(stats_member_months).from_select(
                    [column.name for column in stats_member_months.c],
                    repository.member_month_rows(scope, key),
                )
            )


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
        if target is None or not work:
            return len(work)
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(TUNING)
        # Locations sealed up to the same instant are taken in together.
        by_since: dict[datetime, list[uuid.UUID]] = {}
        for location_id, since in work:
            by_since.setdefault(since, []).append(location_id)
        for since, locations in by_since.items():
            await _seal(session, locations, since, target, now)
        await _seal_member_months(session, work, target, now)
        if session.get_bind().dialect.name == "postgresql":
            # The planner's row counts of the sums (autovacuum would come later).
            tables = (*LOCATION_SUMS, stats_member_months)
            await session.execute(text(f"ANALYZE {', '.join(table.name for table in tables)}"))
        moved = [location_id for location_id, _ in work]
        await session.execute(delete(StatsSeal).where(StatsSeal.location_id.in_(moved)))
        await session.execute(
            insert(StatsSeal),
            [{"location_id": location_id, "sealed_until": target} for location_id in moved],
        )
        return len(work)


async def forget(session: AsyncSession, location_id: uuid.UUID, *, locked: bool = False) -> None:
    """Drop a location's rollup (a desk was (de)activated, the time zone changed); the next
    refresh rebuilds it."""
    if not locked:
        await _lock(session)
    for table in LOCATION_SUMS:
        await session.execute(delete(table).where(table.c.location_id == location_id))
    # The months of every location included it.
    months = stats_member_months.c
    await session.execute(
        delete(stats_member_months).where(months.location_id.in_([location_id, repository.NIL]))
    )
    await session.execute(delete(StatsSeal).where(StatsSeal.location_id == location_id))
