"""Every statistics query, as statements the benchmark can also run on their own.

Each ``*_statements(scope, ...)`` returns the exact statements its endpoint executes, in order;
:func:`app.stats.service.statements` builds the scope (one small query on ``locations``) and
returns them for a named endpoint.

Hours without time zones in the database (``timeline`` explains the integers): every interval
(a booking, a check-in, an opening interval weighted by its number of desks) is a start event
and an end event at whole seconds. Events are counted per *slot* (an hour, aligned to local
hours); a running count over the slots (a window function) says how many intervals cover a
slot, and with ``size`` the slot length

    seconds in slot k = active_after(k) * size - sum over events e in k of ±(e - k * size)

(+ for starts, - for ends): exact whatever the length of the intervals, and linear in the
number of bookings. Slots map to local days, periods and weekday × hour cells by integer
arithmetic with the UTC offset of their segment.
"""

import functools
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    Uuid,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import CTE, FunctionElement, Subquery
from sqlalchemy.types import TypeEngine

from app.bookings.repository import current_status
from app.models import (
    Booking,
    Closure,
    Company,
    Desk,
    Member,
    MemberGroup,
    stats_lead_days,
    stats_member_months,
    stats_slot_deltas,
    stats_start_days,
)
from app.models.base import UTCDateTime
from app.models.member import MEMBER_GROUPS
from app.stats import timeline
from app.stats.timeline import (
    DAY_SECONDS,
    HOUR_SECONDS,
    QUARTER_SECONDS,
    UNIX_EPOCH_SECONDS,
    Scope,
    seconds,
)

#: The width of a bucket of lead times for the median (``stats_lead_days`` counts per day).
LEAD_BUCKET_SECONDS = 86_400
#: Modes whose avoided kilometres count (the others emit nothing to avoid).
MOTORISED_MODES = ("car", "public_transport")
#: No booking lasts longer (``max_duration_minutes`` is at most 1440).
LONGEST_BOOKING = timedelta(days=1)
NIL = uuid.UUID(int=0)


class seconds_of(FunctionElement[int]):
    """Whole seconds from 0001-01-01T00:00Z to a stored instant (sub-seconds dropped)."""

    type = BigInteger()
    inherit_cache = True
    name = "seconds_of"


@compiles(seconds_of, "postgresql")
def _seconds_postgresql(element: seconds_of, compiler: SQLCompiler, **kw: Any) -> str:
    argument = compiler.process(element.clauses, **kw)
    return f"(CAST(FLOOR(date_part('epoch', {argument})) AS BIGINT) + {UNIX_EPOCH_SECONDS})"


@compiles(seconds_of, "sqlite")
def _seconds_sqlite(element: seconds_of, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text; strftime would round.
    argument = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%s', substr({argument}, 1, 19)) AS INTEGER) + {UNIX_EPOCH_SECONDS})"


class day_number_of(FunctionElement[int]):
    """Days from 0001-01-01 to a stored calendar date."""

    type = BigInteger()
    inherit_cache = True
    name = "day_number_of"


@compiles(day_number_of, "postgresql")
def _day_postgresql(element: day_number_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '0001-01-01')"


@compiles(day_number_of, "sqlite")
def _day_sqlite(element: day_number_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 1721425.5 AS INTEGER)"


class least(FunctionElement[Any]):
    """The smaller of two values (``LEAST`` on PostgreSQL, two-argument ``MIN`` on SQLite);
    unlike a CASE, each argument is evaluated once."""

    inherit_cache = True
    name = "least"

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(first, second)
        self.type = first.type


class greatest(FunctionElement[Any]):
    """The larger of two values (``GREATEST`` / two-argument ``MAX``)."""

    inherit_cache = True
    name = "greatest"

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(first, second)
        self.type = first.type


@compiles(least, "postgresql")
@compiles(greatest, "postgresql")
def _extreme_postgresql(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"{element.name.upper()}({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
@compiles(greatest, "sqlite")
def _extreme_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    function = "MIN" if element.name == "least" else "MAX"
    return f"{function}({compiler.process(element.clauses, **kw)})"


def _int(value: int) -> ColumnElement[int]:
    """An integer written into the statement: repeated expressions stay identical for GROUP BY."""
    return literal_column(str(int(value)), BigInteger)


def _table(name: str, columns: list[str], rows: Sequence[tuple[int, ...]]) -> CTE:
    """Integers computed in Python (calendars), written inline as a ``VALUES`` list.

    Inline, so thousands of rows never meet a driver's parameter limit, and written by hand
    (they are integers), which is far quicker than rendering each one as a literal. An empty
    list gets one row of -1s that joins nothing.
    """
    data = rows or [tuple(-1 for _ in columns)]
    listed = ", ".join(f"({', '.join(str(int(value)) for value in row)})" for row in data)
    names = ", ".join(
        f"column{index} AS {column_name}" for index, column_name in enumerate(columns, start=1)
    )
    return (
        text(f"SELECT {names} FROM (VALUES {listed}) AS {name}_values")  # noqa: S608 - integers
        .columns(*(column(column_name, BigInteger) for column_name in columns))
        .cte(name)
    )


class _Shared:
    """The common table expressions of one statement, each built once (CTE names are unique
    within a statement)."""

    def __init__(self, scope: Scope, kind: str | None = None, *, name: str = "") -> None:
        self.scope = scope
        self.kind = kind
        self.size = _int(scope.slot_seconds)
        #: Appended to the names of its CTEs: several ranges can meet in one statement.
        self.name = name

    @cached_property
    def locations(self) -> CTE:
        """Each location in scope: index, id, range ``[start, end)`` as instants, seconds and
        slots (bound parameters)."""
        scope = self.scope
        rows: list[tuple[Any, ...]] = [
            (
                location.index,
                location.location_id,
                location.start,
                location.end,
                location.start_seconds,
                location.end_seconds,
                location.start_seconds // scope.slot_seconds,
                location.end_seconds // scope.slot_seconds,
            )
            for location in scope.locations
        ] or [(-1, NIL, scope.start, scope.start, 0, 0, 0, 0)]
        # Rows of bound parameters, not ``values().data()``: SQLAlchemy cannot cache a
        # statement holding literal data, and compiling one took longer than running it.
        types: list[TypeEngine[Any]] = [Integer(), Uuid(), UTCDateTime(), UTCDateTime()]
        types += [BigInteger()] * 4
        names = ["loc", "location_id", "range_start", "range_end"]
        names += ["start_seconds", "end_seconds", "first_slot", "end_slot"]
        return union_all(
            *(
                select(
                    *(
                        literal(value, type_).label(name)
                        for value, type_, name in zip(row, types, names, strict=True)
                    )
                )
                for row in rows
            )
        ).cte(f"scope_locations{self.name}")

    @cached_property
    def segments(self) -> CTE:
        """Stretches of slots with one UTC offset: ``(loc, first_slot, end_slot, utc_offset)``."""
        rows = [
            (location.index, segment.first_slot, segment.end_slot, segment.offset)
            for location in self.scope.locations
            for segment in self.scope.segments(location)
        ]
        return _table(f"segments{self.name}", ["loc", "first_slot", "end_slot", "utc_offset"], rows)

    @cached_property
    def open_intervals(self) -> CTE:
        """Opening intervals of the range that are not on a closure day:
        ``(loc, day, opens, closes)`` in seconds, for the locations in scope."""
        openings = _table(
            f"openings{self.name}",
            ["loc", "day", "opens", "closes"],
            [
                (location.index, opening.day, opening.opens, opening.closes)
                for location in self.scope.locations
                for opening in location.openings
            ],
        )
        closed = (
            select(self.locations.c.loc, day_number_of(Closure.date).label("day"))
            .select_from(self.locations)
            .join(Closure, Closure.location_id == self.locations.c.location_id)
            .where(Closure.date >= self.scope.first_day, Closure.date <= self.scope.last_day)
            .cte(f"closed_days{self.name}")
        )
        is_closed = (
            select(closed.c.day)
            .where(closed.c.loc == openings.c.loc, closed.c.day == openings.c.day)
            .exists()
        )
        return (
            select(openings)
            .where(openings.c.loc >= 0, ~is_closed)
            .cte(f"open_intervals{self.name}")
        )

    @cached_property
    def desk_counts(self) -> CTE:
        """Active desks (of the kind) per location in scope: ``(loc, desks)``."""
        return (
            select(self.locations.c.loc, func.count(Desk.id).label("desks"))
            .select_from(self.locations)
            .join(Desk, Desk.location_id == self.locations.c.location_id)
            .where(*_active_desks(self.kind))
            .group_by(self.locations.c.loc)
            .cte(f"desk_counts{self.name}")
        )

    @cached_property
    def uniform(self) -> bool:
        """All locations in scope share one range (one time zone, the usual case): bookings
        are then bounded by plain parameters, without joining ``scope_locations``."""
        return len({(location.start, location.end) for location in self.scope.locations}) <= 1

    @cached_property
    def one_clock(self) -> bool:
        """All locations in scope keep one time (same range, same UTC offsets): a booking's
        local day and hour then need nothing of its desk."""
        return len({(loc.start, loc.end, tuple(loc.offsets)) for loc in self.scope.locations}) <= 1

    def bookings(self, *, join_locations: bool | None = None, desks: bool = False) -> Select[Any]:
        """``FROM bookings`` for the locations in scope, joined to ``desks`` when the statement
        reads a desk (``desks``), keeps to one location, or needs the location's own clock;
        joined to ``scope_locations`` too when the ranges differ (or when asked to).

        Without the joins (a CTE, a desk per booking) PostgreSQL scans the bookings in
        parallel and a third faster.
        """
        statement = select().select_from(Booking)
        single = len(self.scope.locations) == 1
        if desks or single or join_locations or not self.one_clock or self.seals_differ:
            statement = statement.join(Desk, Desk.id == Booking.desk_id)
        if join_locations or (join_locations is None and not self.uniform):
            statement = statement.join(
                self.locations, self.locations.c.location_id == Desk.location_id
            )
        # The scope is one location, or every location (no filter then).
        if single:
            return statement.where(Desk.location_id == self.scope.locations[0].location_id)
        return statement

    @cached_property
    def seals_differ(self) -> bool:
        """Not every location in scope is sealed up to the same instant: which bookings are
        in the rollup depends on the booking's location (its desk)."""
        seals = {location.sealed_until for location in self.scope.locations}
        return len(seals) > 1

    def sealed(self, table: Any, *, days: bool = False) -> list[ColumnElement[bool]]:
        """The rows of a rollup table (``stats_*``) for the sealed locations in scope, up to
        each one's seal; with ``days``, those of the range's local days only."""
        seals, rows = self.scope.seals, table.c
        # Equalities rather than IN: a bound list would be rendered anew into every statement.
        batches = {sealed_until for _, sealed_until in seals}
        if len(batches) == 1:
            conditions = [
                or_(*(rows.location_id == location for location, _ in seals)),
                rows.batch <= next(iter(batches)),
            ]
        else:
            conditions = [
                or_(
                    *(
                        and_(rows.location_id == location, rows.batch <= batch)
                        for location, batch in seals
                    )
                )
            ]
        if days:
            first_day = timeline.day_number(self.scope.first_day)
            last_day = timeline.day_number(self.scope.last_day)
            conditions += [rows.day >= _int(first_day), rows.day <= _int(last_day)]
        return conditions

    def unsealed(self) -> list[ColumnElement[bool]]:
        """Bookings not in the rollup: those starting from their location's seal on (all of a
        location without one). Needs ``desks`` joined when the seals differ."""
        seals = dict(self.scope.seals)
        if not seals:
            return []
        if len(seals) == len(self.scope.locations) and len(set(seals.values())) == 1:
            return [Booking.start >= next(iter(seals.values()))]
        # Every location sealed: an index-friendly bound besides the per-location ones.
        earliest = (
            [Booking.start >= min(seals.values())]
            if len(seals) == len(self.scope.locations)
            else []
        )
        per_location = [
            Desk.location_id == location.location_id
            if location.sealed_until is None
            else and_(
                Desk.location_id == location.location_id, Booking.start >= location.sealed_until
            )
            for location in self.scope.locations
        ]
        return [*earliest, or_(*per_location)]

    def bounds(self) -> tuple[Any, Any, ColumnElement[int], ColumnElement[int]]:
        """The range of a booking's location: start and end as instants and as seconds."""
        if self.uniform:
            return (
                self.scope.start,
                self.scope.end,
                _int(seconds(self.scope.start)),
                _int(seconds(self.scope.end)),
            )
        columns = self.locations.c
        return columns.range_start, columns.range_end, columns.start_seconds, columns.end_seconds

    def overlapping(self) -> list[ColumnElement[bool]]:
        """Bookings overlapping the range of their location (with a bound on the start, so
        that a range long past is found through ``ix_bookings_start``)."""
        start, end, _, _ = self.bounds()
        bounds = [
            Booking.start < self.scope.end,
            Booking.end > self.scope.start,
            Booking.start > self.scope.start - LONGEST_BOOKING,
        ]
        return bounds if self.uniform else [*bounds, Booking.start < end, Booking.end > start]

    def starting_in_range(self) -> list[ColumnElement[bool]]:
        """Bookings whose start falls in the range of their location."""
        start, end, _, _ = self.bounds()
        bounds = [Booking.start >= self.scope.start, Booking.start < self.scope.end]
        return bounds if self.uniform else [*bounds, Booking.start >= start, Booking.start < end]

    def clip(self, at_seconds: ColumnElement[int]) -> ColumnElement[int]:
        """Seconds of an instant, moved into the range of its location."""
        _, _, start, end = self.bounds()
        return least(greatest(at_seconds, start), end)

    def clipped(
        self, start: SQLColumnExpression[Any], end: SQLColumnExpression[Any]
    ) -> ColumnElement[int]:
        """Seconds of ``[start, end)`` inside the range of the location (0 when none)."""
        return greatest(self.clip(seconds_of(end)) - self.clip(seconds_of(start)), _int(0))

    def utc_offset(self, at: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The UTC offset in seconds, at instant ``at``, of the booking's location (a CASE over
        the few daylight-saving changes of the range: comparisons, no conversions)."""
        per_location: list[tuple[ColumnElement[bool], ColumnElement[int]]] = []
        locations = self.scope.locations[:1] if self.one_clock else self.scope.locations
        for location in locations:
            *changes, (_, _, last) = location.offsets
            offset: ColumnElement[int] = _int(last)
            if changes:
                offset = case(
                    *((at < timeline.instant(end), _int(value)) for _, end, value in changes),
                    else_=offset,
                )
            per_location.append((Desk.location_id == location.location_id, offset))
        if len(per_location) <= 1:
            return per_location[0][1] if per_location else _int(0)
        return case(*per_location, else_=_int(0))

    def local_day(self, at: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The local day number of an instant at the booking's location."""
        return (seconds_of(at) + self.utc_offset(at)) // _int(DAY_SECONDS)


def _active_desks(kind: str | None) -> list[ColumnElement[bool]]:
    """Desks counted by utilization and heatmap: active now, of the kind if one is asked for."""
    conditions: list[ColumnElement[bool]] = [Desk.active.is_(True)]
    if kind is not None:
        conditions.append(Desk.kind == kind)
    return conditions


def _used_end(now: datetime) -> ColumnElement[Any]:
    """Where a check-in's use ends: check-out, else the booking's end, but not after now."""
    return least(func.coalesce(Booking.checked_out_at, Booking.end), literal(now, UTCDateTime()))


MEASURES = ("available", "booked", "used")


ENDS = ("booked_start", "booked_end", "used_start", "used_end")
BOOKING_DELTAS = ("booked_n", "booked_into", "used_n", "used_into")
_DELTAS = ("available_n", "available_into", *BOOKING_DELTAS)


def booking_instants(now: datetime) -> list[ColumnElement[Any]]:
    """The seconds of a booking's booked interval and of its used one (NULL when nobody
    checked in), as columns named after :data:`ENDS`."""
    used_end = case((Booking.checked_in_at.is_(None), null()), else_=_used_end(now))
    return [
        seconds_of(Booking.start).label("booked_start"),
        seconds_of(Booking.end).label("booked_end"),
        seconds_of(Booking.checked_in_at).label("used_start"),
        seconds_of(used_end).label("used_end"),
    ]


def booking_edges(instants: Subquery, size: ColumnElement[int], keys: Sequence[str]) -> Subquery:
    """The start (+) and end (-) events of the booked and used intervals of ``instants`` (a
    subquery with ``keys`` and :func:`booking_instants`) per slot of ``size`` seconds: rows
    ``(*keys, slot, booked_n, booked_into, used_n, used_into)``, several rows per slot.

    One scan of the bookings, grouped by the slots of the four ends: bookings are short, so
    the groups are few.
    """
    slots = {end: (instants.c[end] // size).label(f"{end}_slot") for end in ENDS}
    groups = (
        select(
            *(instants.c[key] for key in keys),
            *slots.values(),
            func.count().label("booked_n"),
            func.count(instants.c.used_start).label("used_n"),
            # Seconds into the slot, below the slot's length: 4-byte sums stay cheap.
            *(func.sum(cast(instants.c[end] % size, Integer)).label(f"{end}_into") for end in ENDS),
        )
        .group_by(*(instants.c[key] for key in keys), *(slot.element for slot in slots.values()))
        .cte("booking_groups")
    )
    zero = literal_column("0", BigInteger)

    def edge(measure: str, end: str, sign: int) -> Select[Any]:
        figures: dict[str, ColumnElement[Any]] = dict.fromkeys(BOOKING_DELTAS, zero)
        figures[f"{measure}_n"] = groups.c[f"{measure}_n"] * sign
        figures[f"{measure}_into"] = groups.c[f"{end}_into"] * sign
        return select(
            *(groups.c[key] for key in keys),
            groups.c[f"{end}_slot"].label("slot"),
            *(value.label(name) for name, value in figures.items()),
        ).where(groups.c[f"{end}_slot"].is_not(None))

    return union_all(
        edge("booked", "booked_start", 1),
        edge("booked", "booked_end", -1),
        edge("used", "used_start", 1),
        edge("used", "used_end", -1),
    ).subquery("booking_edges")


def _sealed_edges(shared: _Shared) -> Select[Any] | None:
    """The rollup's events (:mod:`app.stats.rollup`) of the sealed locations in scope, moved
    from quarter hours to the statement's slots (a slot is one or more whole quarters)."""
    seals = shared.scope.seals
    if not seals:
        return None
    rows = stats_slot_deltas.c
    at = rows.quarter * _int(QUARTER_SECONDS)
    moved = at % shared.size
    columns: list[SQLColumnExpression[Any]] = [
        rows.location_id,
        (at // shared.size).label("slot"),
        rows.booked_n,
        (rows.booked_into + rows.booked_n * moved).label("booked_into"),
        rows.used_n,
        (rows.used_into + rows.used_n * moved).label("used_into"),
    ]
    statement = select(*columns).where(*shared.sealed(stats_slot_deltas))
    if shared.kind is not None:
        statement = statement.where(rows.kind == shared.kind)
    return statement


def _slot_seconds(shared: _Shared) -> CTE:
    """Seconds available, booked and used in every slot of the range, per location:
    ``(loc, slot, utc_offset, available, booked, used)``."""
    scope, size, locations = shared.scope, shared.size, shared.locations

    # The bookings not in the rollup, then the rollup's sums of the others.
    instants = (
        shared.bookings(join_locations=False, desks=True)
        .add_columns(Desk.location_id, *booking_instants(scope.now))
        .where(
            Booking.status != "cancelled",
            Booking.start < scope.end,
            Booking.end > scope.start,
            *_active_desks(shared.kind),
            *shared.unsealed(),
        )
        .subquery("booking_instants")
    )
    live = booking_edges(instants, size, ["location_id"])
    sealed = _sealed_edges(shared)
    edges = live if sealed is None else union_all(select(live), sealed).subquery("all_edges")
    # Per slot first, then to the location's index (few rows left for the join).
    booking_slots = (
        select(
            edges.c.location_id,
            edges.c.slot,
            *(func.sum(edges.c[name]).label(name) for name in BOOKING_DELTAS),
        )
        .group_by(edges.c.location_id, edges.c.slot)
        .subquery("booking_slots")
    )
    zero = literal_column("0", BigInteger)
    from_bookings = select(
        locations.c.loc,
        booking_slots.c.slot,
        *(
            (booking_slots.c[name] if name in BOOKING_DELTAS else zero).label(name)
            for name in _DELTAS
        ),
    ).join(locations, locations.c.location_id == booking_slots.c.location_id)

    # Opening intervals are intervals too, weighted by the number of desks.
    opened, desks = shared.open_intervals, shared.desk_counts

    def opening_edge(at: ColumnElement[int], sign: int) -> Select[Any]:
        weight = desks.c.desks * sign
        figures: dict[str, ColumnElement[Any]] = dict.fromkeys(_DELTAS, zero)
        figures["available_n"] = weight
        figures["available_into"] = weight * (at % size)
        return (
            select(
                opened.c.loc,
                (at // size).label("slot"),
                *(value.label(name) for name, value in figures.items()),
            )
            .select_from(opened)
            .join(desks, desks.c.loc == opened.c.loc)
        )

    events = union_all(
        from_bookings,
        opening_edge(opened.c.opens, 1),
        opening_edge(opened.c.closes, -1),
    ).cte("slot_events")
    # Events before the range only matter for the running count: they go to the slot before.
    clamped = case(
        (events.c.slot < locations.c.first_slot, locations.c.first_slot - 1),
        else_=events.c.slot,
    )
    deltas = (
        select(
            events.c.loc,
            clamped.label("slot"),
            *(func.sum(events.c[name]).label(name) for name in _DELTAS),
        )
        .join(locations, locations.c.loc == events.c.loc)
        .where(events.c.slot < locations.c.end_slot)
        .group_by(events.c.loc, clamped)
        .cte("slot_deltas")
    )

    # Every slot of the range with its UTC offset, and the slot before (offset NULL).
    segments = shared.segments
    starts = union_all(
        select(
            cast(segments.c.loc, BigInteger).label("loc"),
            cast(segments.c.first_slot, BigInteger).label("slot"),
            cast(segments.c.end_slot, BigInteger).label("end_slot"),
            cast(segments.c.utc_offset, BigInteger).label("utc_offset"),
        ).where(segments.c.first_slot < segments.c.end_slot),
        select(
            cast(locations.c.loc, BigInteger).label("loc"),
            cast(locations.c.first_slot - 1, BigInteger).label("slot"),
            cast(locations.c.first_slot, BigInteger).label("end_slot"),
            cast(null(), BigInteger).label("utc_offset"),
        ).where(locations.c.loc >= 0),
    ).cte("slot_starts")
    slots = select(starts).cte("slots", recursive=True)
    slots = slots.union_all(
        select(slots.c.loc, slots.c.slot + 1, slots.c.end_slot, slots.c.utc_offset).where(
            slots.c.slot + 1 < slots.c.end_slot
        )
    )

    running = (
        select(
            slots.c.loc,
            slots.c.slot,
            slots.c.utc_offset,
            *(
                func.sum(func.coalesce(deltas.c[f"{m}_n"], 0))
                .over(partition_by=slots.c.loc, order_by=slots.c.slot)
                .label(f"{m}_active")
                for m in MEASURES
            ),
            *(func.coalesce(deltas.c[f"{m}_into"], 0).label(f"{m}_into") for m in MEASURES),
        )
        .select_from(slots)
        .outerjoin(deltas, and_(deltas.c.loc == slots.c.loc, deltas.c.slot == slots.c.slot))
        .cte("running")
    )
    return (
        select(
            running.c.loc,
            running.c.slot,
            running.c.utc_offset,
            *(
                (running.c[f"{m}_active"] * size - running.c[f"{m}_into"]).label(m)
                for m in MEASURES
            ),
        )
        .where(running.c.utc_offset.is_not(None))
        .cte("slot_seconds")
    )


def _local_seconds(per_slot: CTE, size: int) -> ColumnElement[int]:
    return per_slot.c.slot * _int(size) + per_slot.c.utc_offset


def utilization_statements(
    scope: Scope, *, periods: list[tuple[int, int]], kind: str | None
) -> list[Select[Any]]:
    """Seconds available, booked and used per period: rows ``(period, available, booked,
    used)`` in period order; ``periods`` are ``(first_day, last_day)`` day numbers."""
    per_slot = _slot_seconds(_Shared(scope, kind))
    day = _local_seconds(per_slot, scope.slot_seconds) // _int(DAY_SECONDS)
    per_day = (
        select(day.label("day"), *(func.sum(per_slot.c[m]).label(m) for m in MEASURES))
        .group_by(day)
        .cte("per_day")
    )
    days = _table(
        "range_days",
        ["day", "period"],
        [
            (number, index)
            for index, (first, last) in enumerate(periods)
            for number in range(first, last + 1)
        ],
    )
    statement = (
        select(
            days.c.period,
            *(func.coalesce(func.sum(per_day.c[m]), 0).label(m) for m in MEASURES),
        )
        .select_from(days)
        .outerjoin(per_day, per_day.c.day == days.c.day)
        .group_by(days.c.period)
        .order_by(days.c.period)
    )
    return [statement]


def heatmap_statements(scope: Scope, *, kind: str | None) -> list[Select[Any]]:
    """Seconds available, booked and used per local weekday × hour over the range: rows
    ``(weekday, hour, available, booked, used)`` for all 168 cells, Monday 00:00 first."""
    per_slot = _slot_seconds(_Shared(scope, kind))
    local = _local_seconds(per_slot, scope.slot_seconds)
    weekday = (local // _int(DAY_SECONDS)) % _int(7)
    hour = (local % _int(DAY_SECONDS)) // _int(HOUR_SECONDS)
    per_cell = (
        select(
            weekday.label("weekday"),
            hour.label("hour"),
            *(func.sum(per_slot.c[m]).label(m) for m in MEASURES),
        )
        .group_by(weekday, hour)
        .cte("per_cell")
    )
    cells = _table("cells", ["weekday", "hour"], [(w, h) for w in range(7) for h in range(24)])
    statement = (
        select(
            cells.c.weekday,
            cells.c.hour,
            *(func.coalesce(per_cell.c[m], 0).label(m) for m in MEASURES),
        )
        .select_from(cells)
        .outerjoin(
            per_cell, and_(per_cell.c.weekday == cells.c.weekday, per_cell.c.hour == cells.c.hour)
        )
        .order_by(cells.c.weekday, cells.c.hour)
    )
    return [statement]


def totals_statements(scope: Scope) -> list[Select[Any]]:
    """The range's utilization totals over all kinds in one row ``(available, booked, used)``:
    the sums of the slots, so the same figures as the ``total`` of
    :func:`utilization_statements`."""
    per_slot = _slot_seconds(_Shared(scope))
    return [select(*(func.coalesce(func.sum(per_slot.c[m]), 0).label(m) for m in MEASURES))]


def bookings_statements(scope: Scope) -> list[Select[Any]]:
    """One statement over the bookings whose start falls in the range, rows ``(part, status,
    bookings, started, duration_seconds, middle_sum, middle_count)``:

    - ``part = 'status'``, one row per status as of now: ``started`` counts those begun
      before now, ``duration_seconds`` sums end − start;
    - ``part = 'median'``, one row: ``(middle_sum, middle_count)`` of the one or two middle
      lead times (start − created_at, seconds), for the median.

    The counts per status read the bookings from the seal on and the rollup's start days;
    the median counts the lead times (``bookings.lead_seconds``) per whole day of lead from
    the rollup and the bookings from the seal on, then ranks those of the day(s) of lead
    holding the middle rank(s), found through their index.
    """
    shared = _Shared(scope)
    status = current_status(scope.now)

    def whole(value: ColumnElement[Any]) -> ColumnElement[int]:
        # PostgreSQL sums integers as numeric: back to an integer (the ranks below divide it).
        return cast(value, BigInteger)

    live: Select[Any] = (
        shared.bookings()
        .add_columns(
            status.label("status"),
            func.count().label("bookings"),
            func.count(case((Booking.start < scope.now, 1))).label("started"),
            func.sum(seconds_of(Booking.end) - seconds_of(Booking.start)).label("duration_seconds"),
        )
        .where(*shared.starting_in_range(), *shared.unsealed())
        .group_by(status)
    )
    parts = live.subquery("status_parts")
    if scope.seals:
        # Sealed bookings have all started, and their status is final.
        days = stats_start_days.c
        sealed = select(days.status, days.bookings, days.bookings, days.duration_seconds).where(
            *shared.sealed(stats_start_days, days=True)
        )
        parts = union_all(live, sealed).subquery("status_parts")
    per_status = select(
        literal("status", String).label("part"),
        parts.c.status,
        whole(func.sum(parts.c.bookings)).label("bookings"),
        whole(func.sum(parts.c.started)).label("started"),
        whole(func.sum(parts.c.duration_seconds)).label("duration_seconds"),
        cast(null(), BigInteger).label("middle_sum"),
        cast(null(), BigInteger).label("middle_count"),
    ).group_by(parts.c.status)

    lead = Booking.lead_seconds
    # Lead times are counted per whole day (the rollup's unit).
    bucket = lead // _int(LEAD_BUCKET_SECONDS)
    # The median without sorting every lead time: the bucket(s) holding the middle rank(s),
    # then the lead times of those buckets only, ranked.
    buckets: Any = (
        shared.bookings()
        .add_columns(bucket.label("bucket"), func.count().label("leads"))
        .where(*shared.starting_in_range(), *shared.unsealed())
        .group_by(bucket)
    )
    if scope.seals:
        leads_per_day = stats_lead_days.c
        sealed_leads = (
            select(leads_per_day.lead_day, func.sum(leads_per_day.bookings))
            .where(*shared.sealed(stats_lead_days, days=True))
            .group_by(leads_per_day.lead_day)
        )
        lead_parts = union_all(buckets, sealed_leads).subquery("lead_parts")
        buckets = select(
            lead_parts.c.bucket, whole(func.sum(lead_parts.c.leads)).label("leads")
        ).group_by(lead_parts.c.bucket)
    buckets = buckets.cte("lead_buckets")
    total = select(whole(func.coalesce(func.sum(buckets.c.leads), 0)).label("leads")).cte(
        "lead_total"
    )
    lower, upper = (total.c.leads - _int(1)) // _int(2), total.c.leads // _int(2)
    ranked_buckets = select(
        buckets.c.bucket,
        buckets.c.leads,
        (func.sum(buckets.c.leads).over(order_by=buckets.c.bucket) - buckets.c.leads).label(
            "before"
        ),
    ).subquery("ranked_buckets")

    def holds(rank: ColumnElement[int]) -> ColumnElement[bool]:
        before = ranked_buckets.c.before
        return and_(rank >= before, rank < before + ranked_buckets.c.leads)

    # The middle ranks are neighbours: no lead time lies between their buckets.
    middle_buckets = (
        select(
            (func.min(ranked_buckets.c.bucket) * _int(LEAD_BUCKET_SECONDS)).label("first"),
            ((func.max(ranked_buckets.c.bucket) + _int(1)) * _int(LEAD_BUCKET_SECONDS)).label(
                "end"
            ),
            func.min(ranked_buckets.c.before).label("before"),
            func.min(lower).label("lower"),
            func.min(upper).label("upper"),
        )
        .join(total, true())
        .where(or_(holds(lower), holds(upper)))
        .cte("middle_buckets")
    )

    def middle(name: str) -> ColumnElement[int]:
        # Scalar subqueries (computed once, before the scan) rather than a join: the database
        # then finds the lead times of those days through ix_bookings_lead_seconds_start.
        return select(middle_buckets.c[name]).scalar_subquery()

    leads = (
        shared.bookings()
        .add_columns(lead.label("lead"))
        .where(*shared.starting_in_range(), lead >= middle("first"), lead < middle("end"))
        .subquery("middle_leads")
    )
    candidates = select(
        leads.c.lead,
        (middle("before") + func.row_number().over(order_by=leads.c.lead) - _int(1)).label("rank"),
    ).subquery("candidates")
    median = select(
        literal("median", String).label("part"),
        cast(null(), String).label("status"),
        *(cast(null(), BigInteger).label(name) for name in ("bookings", "started")),
        cast(null(), BigInteger).label("duration_seconds"),
        whole(func.coalesce(func.sum(candidates.c.lead), 0)).label("middle_sum"),
        whole(func.count()).label("middle_count"),
    ).where(candidates.c.rank.in_([middle("lower"), middle("upper")]))
    return [select(union_all(per_status, median).subquery("booking_figures"))]


# --- figures per member: member groups, commute, the summary's members --------------------


def _live_per_member(shared: _Shared) -> Select[Any]:
    """Rows ``(member_id, booked_seconds, bookings)`` per member with booked time in the range
    (cancelled bookings left out), read from the bookings: booked seconds clipped to the range
    and bookings starting in it."""
    start, end, _, _ = shared.bounds()
    starts_in_range = and_(Booking.start >= start, Booking.start < end)
    return (
        shared.bookings()
        .add_columns(
            Booking.member_id,
            func.sum(shared.clipped(Booking.start, Booking.end)).label("booked_seconds"),
            func.count(case((starts_in_range, 1))).label("bookings"),
        )
        .where(Booking.status != "cancelled", *shared.overlapping())
        .group_by(Booking.member_id)
    )


def _live_visits(shared: _Shared) -> Select[Any]:
    """Rows ``(member_id, visits)``: per member, the distinct local days (at the booking's
    location) with a check-in in the range, read from the bookings."""
    day = shared.local_day(Booking.checked_in_at)
    start, end, _, _ = shared.bounds()
    scope = shared.scope
    # Check-in opens 15 minutes before the start and closes at most a day after it.
    days = (
        shared.bookings()
        .add_columns(Booking.member_id, day.label("day"))
        .where(
            Booking.checked_in_at.is_not(None),
            Booking.start >= scope.start - timedelta(days=1),
            Booking.start < scope.end + timedelta(minutes=15),
            Booking.checked_in_at >= start,
            Booking.checked_in_at < end,
        )
        .group_by(Booking.member_id, day)
        .subquery(f"visit_days{shared.name}")
    )
    return select(days.c.member_id, func.count().label("visits")).group_by(days.c.member_id)


def member_month_rows(month: Scope, key: uuid.UUID) -> Select[Any]:
    """The ``stats_member_months`` rows of one whole local month (``month``, a scope of
    exactly that month) for ``key`` (the location of a one-location scope, or :data:`NIL` for
    every location): ``(location_id, month, member_id, bookings, booked_seconds,
    visit_days)``, the figures of :func:`_live_per_member` and :func:`_live_visits` of the
    month added to the key's rows of the month before (running totals)."""
    shared = _Shared(month)
    booked = _live_per_member(shared).subquery("month_booked")
    visits = _live_visits(shared).subquery("month_visits")
    number = timeline.month_number(month.first_day)
    rows = stats_member_months.c
    parts = union_all(
        select(rows.member_id, rows.bookings, rows.booked_seconds, rows.visit_days).where(
            rows.location_id == key, rows.month == number - 1
        ),
        select(booked.c.member_id, booked.c.bookings, booked.c.booked_seconds, _int(0)),
        select(visits.c.member_id, _int(0), _int(0), visits.c.visits),
    ).subquery("month_parts")
    return select(
        literal(key, Uuid()),
        _int(number),
        parts.c.member_id,
        *(func.sum(parts.c[name]) for name in ("bookings", "booked_seconds", "visit_days")),
    ).group_by(parts.c.member_id)


def _member_parts(scope: Scope) -> tuple[list[Scope], tuple[uuid.UUID, int, int] | None]:
    """The range cut for figures per member: the whole local months the rollup holds
    (:func:`sealed_months`; None when it holds none of the range) and the days before and
    after them, read from the bookings (as scopes).

    Every part adds up: booked seconds are clipped to each part, bookings and check-in days
    fall in one part each. The rollup holds a month for a key once every location of the key
    is sealed :data:`SEALED_MONTH_MARGIN` past it (bookings touching it can no longer change).
    """
    months = sealed_months(scope)
    if months is None:
        return [scope], None
    key, first, last = months
    first_day, last_day = timeline.month_days(first)[0], timeline.month_days(last)[1]
    parts = []
    if scope.first_day < first_day:
        parts.append(scope.narrowed(scope.first_day, first_day - timedelta(days=1)))
    if last_day < scope.last_day:
        parts.append(scope.narrowed(last_day + timedelta(days=1), scope.last_day))
    return parts, (key, first, last)


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


def _member_sums(
    scope: Scope, live: Callable[[_Shared], Select[Any]], rollup: dict[str, str], name: str
) -> CTE:
    """Per member, figures summed over the live parts of the range (``live(shared)``: rows
    ``(member_id, *figures)`` of members whose first figure is not 0) and the rollup's whole
    months: ``rollup`` maps each figure, in order, to its column there. The months are the
    running totals at the last month less those at the month before the first."""
    parts, months = _member_parts(scope)
    selects = [live(_Shared(part, name=f"_{index}")) for index, part in enumerate(parts)]
    if months is None:
        return _materialized(selects[0], name)
    key, first, last = months
    rows = stats_member_months.c
    for month, sign in ((last, 1), (first - 1, -1)):
        selects.append(
            select(
                rows.member_id,
                *((rows[column] * _int(sign)).label(figure) for figure, column in rollup.items()),
            ).where(rows.location_id == key, rows.month == _int(month))
        )
    combined = union_all(*selects).subquery(f"{name}_parts")
    sums = {figure: cast(func.sum(combined.c[figure]), BigInteger) for figure in rollup}
    per_member = (
        select(combined.c.member_id, *(total.label(figure) for figure, total in sums.items()))
        .group_by(combined.c.member_id)
        # Members with none in the range: their totals did not move. (A booking in a part
        # has at least a minute in it: bookings never cross a local midnight.)
        .having(next(iter(sums.values())) > 0)
    )
    return _materialized(per_member, name)


def _materialized(statement: Select[Any], name: str) -> CTE:
    """A CTE computed once (``AS MATERIALIZED``; SQLite and PostgreSQL know the keyword)."""
    return statement.cte(name).prefix_with("MATERIALIZED")


def _per_member(scope: Scope) -> CTE:
    """Per member with booked time in the range: ``(member_id, booked_seconds, bookings)``."""
    rollup = {"booked_seconds": "booked_seconds", "bookings": "bookings"}
    return _member_sums(scope, _live_per_member, rollup, "per_member")


def member_groups_statements(scope: Scope) -> list[Select[Any]]:
    """Per member group (every group, zero rows included): ``(group, members, bookings,
    booked_seconds)`` — members with booked time in the range, their bookings starting in it,
    booked seconds clipped to it; cancelled bookings left out. A member counts in each of
    their groups."""
    per_member = _per_member(scope)
    groups = union_all(
        *(select(literal(group, String).label("name")) for group in MEMBER_GROUPS)
    ).cte("all_groups")
    statement = (
        select(
            groups.c.name.label("group"),
            func.count(per_member.c.member_id).label("members"),
            func.coalesce(func.sum(per_member.c.bookings), 0).label("bookings"),
            func.coalesce(func.sum(per_member.c.booked_seconds), 0).label("booked_seconds"),
        )
        .select_from(groups)
        .outerjoin(MemberGroup, MemberGroup.group == groups.c.name)
        .outerjoin(per_member, per_member.c.member_id == MemberGroup.member_id)
        .group_by(groups.c.name)
        .order_by(groups.c.name)
    )
    return [statement]


def members_statements(scope: Scope) -> list[Select[Any]]:
    """One row ``(members)``: distinct members with booked time in the range."""
    per_member = _per_member(scope)
    return [select(func.count().label("members")).select_from(per_member)]


def commute_statements(scope: Scope, *, co2_kg_per_km: dict[str, float]) -> list[Select[Any]]:
    """Visits (distinct member × local day with a check-in in the range) and what they
    avoided: rows ``(breakdown, value, members, visits, km_avoided, co2_kg_avoided)``;
    ``breakdown`` is ``total`` (one row), ``mode`` (``value`` NULL when not given) or
    ``municipality``. Only car and public-transport commutes avoid kilometres."""
    per_member = _member_sums(scope, _live_visits, {"visits": "visit_days"}, "member_visits")
    km = case(
        (
            or_(*(Member.commute_mode == mode for mode in MOTORISED_MODES)),
            func.coalesce(Member.commute_km, 0.0) * 2.0,
        ),
        else_=0.0,
    )
    factor = case(
        *((Member.commute_mode == mode, value) for mode, value in co2_kg_per_km.items()),
        else_=0.0,
    )
    members = (
        select(
            Member.commute_mode.label("mode"),
            Member.home_municipality.label("municipality"),
            per_member.c.visits,
            (per_member.c.visits * km).label("km"),
            (per_member.c.visits * km * factor).label("co2"),
        )
        .join(Member, Member.id == per_member.c.member_id)
        .cte("commuters")
    )

    def breakdown(name: str, key: ColumnElement[Any] | None) -> Select[Any]:
        figures = (
            func.count().label("members"),
            func.coalesce(func.sum(members.c.visits), 0).label("visits"),
            func.coalesce(func.sum(members.c.km), 0.0).label("km_avoided"),
            func.coalesce(func.sum(members.c.co2), 0.0).label("co2_kg_avoided"),
        )
        label = literal(name, String).label("breakdown")
        if key is None:
            return select(label, literal(None, String).label("value"), *figures)
        return select(label, key.label("value"), *figures).group_by(key)

    rows = union_all(
        breakdown("total", None),
        breakdown("mode", members.c.mode),
        breakdown("municipality", members.c.municipality),
    ).subquery("commute")
    return [select(rows)]


def companies_statements(scope: Scope) -> list[Select[Any]]:
    """Per company (all of them): ``(company_id, name, seats, booked_seconds, peak, seat_days,
    open_days)`` over its non-cancelled workplace bookings at the locations in scope.

    Concurrency is a running sum over the company's booking starts (+1) and ends (-1), ends
    first at the same instant (intervals are half-open); a day's peak is the largest count
    right after one of its starts. ``seat_days`` sums the peaks of open days, ``open_days``
    counts the days of the range on which a location in scope is open (closures excluded).

    It reads neither now nor the rollup, so it is built once per range and calendars (an
    analyst's dashboard asks for the same range again and again; building it took half as
    long as running it).
    """
    return [_companies_statement(timeline.Calendars.of(scope))]


@functools.lru_cache(maxsize=32)
def _companies_statement(calendars: timeline.Calendars) -> Select[Any]:
    scope = calendars.scope
    shared = _Shared(scope)
    deltas = _table("seat_deltas", ["delta"], [(1,), (-1,)])
    at = case((deltas.c.delta == 1, Booking.start), else_=Booking.end)
    events = (
        shared.bookings()
        .add_columns(
            Booking.company_id,
            deltas.c.delta,
            seconds_of(at).label("at"),
            shared.clip(seconds_of(at)).label("clipped"),
            shared.local_day(at).label("day"),
        )
        .join(deltas, true())
        .where(
            Booking.company_id.is_not(None),
            Booking.is_workplace.is_(True),
            Booking.status != "cancelled",
            *shared.overlapping(),
        )
        .cte("seat_events")
    )
    held = (
        select(
            events.c.company_id,
            events.c.delta,
            events.c.day,
            func.sum(events.c.delta)
            .over(
                partition_by=events.c.company_id,
                order_by=(events.c.at, events.c.delta),
                rows=(None, 0),
            )
            .label("held"),
        )
    ).subquery("seats_held")
    # Every event feeds the running sum; only the starts in the range are read from it.
    first_day, last_day = timeline.day_number(scope.first_day), timeline.day_number(scope.last_day)
    peaks = (
        select(held.c.company_id, held.c.day, func.max(held.c.held).label("peak"))
        .where(held.c.delta == 1, held.c.day >= first_day, held.c.day <= last_day)
        .group_by(held.c.company_id, held.c.day)
        .subquery("daily_peaks")
    )
    open_days = select(shared.open_intervals.c.day).distinct().cte("open_days")
    per_company = (
        select(
            peaks.c.company_id,
            func.max(peaks.c.peak).label("peak"),
            func.sum(case((peaks.c.day.in_(select(open_days.c.day)), peaks.c.peak), else_=0)).label(
                "seat_days"
            ),
        )
        .group_by(peaks.c.company_id)
        .subquery("company_peaks")
    )
    booked = (
        select(
            events.c.company_id,
            func.sum(case((events.c.delta == 1, -events.c.clipped), else_=events.c.clipped)).label(
                "seconds"
            ),
        )
        .group_by(events.c.company_id)
        .subquery("company_booked")
    )
    statement = (
        select(
            Company.id.label("company_id"),
            Company.name,
            Company.seats,
            func.coalesce(booked.c.seconds, 0).label("booked_seconds"),
            func.coalesce(per_company.c.peak, 0).label("peak"),
            func.coalesce(per_company.c.seat_days, 0).label("seat_days"),
            select(func.count()).select_from(open_days).scalar_subquery().label("open_days"),
        )
        .outerjoin(booked, booked.c.company_id == Company.id)
        .outerjoin(per_company, per_company.c.company_id == Company.id)
    )
    return statement


# --- what the rollup stores (app.stats.rollup) -------------------------------------------


def sealed_day_rows(
    history: Scope, since: datetime, until: datetime
) -> tuple[Select[Any], Select[Any]]:
    """The per-day rows the rollup adds for the bookings starting in ``[since, until)`` at
    the locations of ``history`` (a scope of them covering every local day those bookings
    start on), by the local day of their start:

    1. ``stats_start_days`` rows ``(location_id, day, status, bookings, duration_seconds,
       batch)``, statuses as of ``history.now`` (final for sealed bookings);
    2. ``stats_lead_days`` rows ``(location_id, day, lead_day, bookings, batch)``: all
       bookings (cancelled too) per whole days of lead time.

    ``batch`` is ``until``.
    """
    shared = _Shared(history)
    locations = shared.locations
    start = seconds_of(Booking.start)
    sealed = (
        select(
            Desk.location_id,
            current_status(history.now).label("status"),
            (seconds_of(Booking.end) - start).label("duration"),
            (Booking.lead_seconds // _int(LEAD_BUCKET_SECONDS)).label("lead_day"),
            shared.local_day(Booking.start).label("day"),
        )
        .select_from(Booking)
        .join(Desk, Desk.id == Booking.desk_id)
        .join(locations, locations.c.location_id == Desk.location_id)
        .where(Booking.start >= since, Booking.start < until)
        .cte("sealed_bookings")
    )
    batch = literal(until, UTCDateTime()).label("batch")
    start_days = select(
        sealed.c.location_id,
        sealed.c.day,
        sealed.c.status,
        func.count().label("bookings"),
        func.sum(sealed.c.duration).label("duration_seconds"),
        batch,
    ).group_by(sealed.c.location_id, sealed.c.day, sealed.c.status)
    lead_days = select(
        sealed.c.location_id,
        sealed.c.day,
        sealed.c.lead_day,
        func.count().label("bookings"),
        batch,
    ).group_by(sealed.c.location_id, sealed.c.day, sealed.c.lead_day)
    return start_days, lead_days
