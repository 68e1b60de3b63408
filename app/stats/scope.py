"""The scope of one statistics statement in SQL: the locations in range with their
calendars (as CTEs and bound parameters), the bookings in range and the rollup's share of them."""

import uuid
from datetime import timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    Uuid,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.expression import CTE
from sqlalchemy.types import TypeEngine

from app.core.sql import day_number_of, greatest, integer, least, seconds_of, values_table
from app.models import Booking, Closure, Desk
from app.models.base import UTCDateTime
from app.stats import timeline
from app.stats.timeline import DAY_SECONDS, Scope, seconds

#: No booking lasts longer (``max_duration_minutes`` is at most 1440).
LONGEST_BOOKING = timedelta(days=1)
#: The rollup's key for every location together (and the location of an empty scope's row).
NIL = uuid.UUID(int=0)


class ScopeSql:
    """The common table expressions of one statement, each built once (CTE names are unique
    within a statement)."""

    def __init__(self, scope: Scope, kind: str | None = None, *, name: str = "") -> None:
        self.scope = scope
        self.kind = kind
        self.size = integer(scope.slot_seconds)
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
        return values_table(
            f"segments{self.name}", ["loc", "first_slot", "end_slot", "utc_offset"], rows
        )

    @cached_property
    def open_intervals(self) -> CTE:
        """Opening intervals of the range that are not on a closure day:
        ``(loc, day, opens, closes)`` in seconds, for the locations in scope."""
        openings = values_table(
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
            .where(*active_desks(self.kind))
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
            conditions += [rows.day >= integer(first_day), rows.day <= integer(last_day)]
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
                integer(seconds(self.scope.start)),
                integer(seconds(self.scope.end)),
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
        return greatest(self.clip(seconds_of(end)) - self.clip(seconds_of(start)), integer(0))

    def utc_offset(self, at: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The UTC offset in seconds, at instant ``at``, of the booking's location (a CASE over
        the few daylight-saving changes of the range: comparisons, no conversions)."""
        per_location: list[tuple[ColumnElement[bool], ColumnElement[int]]] = []
        locations = self.scope.locations[:1] if self.one_clock else self.scope.locations
        for location in locations:
            *changes, (_, _, last) = location.offsets
            offset: ColumnElement[int] = integer(last)
            if changes:
                offset = case(
                    *((at < timeline.instant(end), integer(value)) for _, end, value in changes),
                    else_=offset,
                )
            per_location.append((Desk.location_id == location.location_id, offset))
        if len(per_location) <= 1:
            return per_location[0][1] if per_location else integer(0)
        return case(*per_location, else_=integer(0))

    def local_day(self, at: SQLColumnExpression[Any]) -> ColumnElement[int]:
        """The local day number of an instant at the booking's location."""
        return (seconds_of(at) + self.utc_offset(at)) // integer(DAY_SECONDS)


def active_desks(kind: str | None) -> list[ColumnElement[bool]]:
    """Desks counted by utilization and heatmap: active now, of the kind if one is asked for."""
    conditions: list[ColumnElement[bool]] = [Desk.active.is_(True)]
    if kind is not None:
        conditions.append(Desk.kind == kind)
    return conditions
