"""The slot engine: seconds available, booked and used per slot of the range.

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

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.expression import CTE, Subquery

from app.core.enums import BookingStatus
from app.core.sql import integer, least, seconds_of
from app.models import Booking, Desk, stats_slot_deltas
from app.models.base import UTCDateTime
from app.stats.scope import ScopeSql, active_desks
from app.stats.timeline import QUARTER_SECONDS


def _used_end(now: datetime) -> ColumnElement[Any]:
    """Where a check-in's use ends: check-out, else the booking's end, but not after now."""
    return least(func.coalesce(Booking.checked_out_at, Booking.end), literal(now, UTCDateTime()))


MEASURES = ("available", "booked", "used")


ENDS = ("booked_start", "booked_end", "used_start", "used_end")
BOOKING_DELTAS = ("booked_n", "booked_into", "used_n", "used_into")
DELTAS = ("available_n", "available_into", *BOOKING_DELTAS)


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


def sealed_edges(shared: ScopeSql) -> Select[Any] | None:
    """The rollup's events (:mod:`app.stats.rollup`) of the sealed locations in scope, moved
    from quarter hours to the statement's slots (a slot is one or more whole quarters)."""
    seals = shared.scope.seals
    if not seals:
        return None
    rows = stats_slot_deltas.c
    at = rows.quarter * integer(QUARTER_SECONDS)
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


def slot_seconds(shared: ScopeSql) -> CTE:
    """Seconds available, booked and used in every slot of the range, per location:
    ``(loc, slot, utc_offset, available, booked, used)``."""
    scope, size, locations = shared.scope, shared.size, shared.locations

    # The bookings not in the rollup, then the rollup's sums of the others.
    instants = (
        shared.bookings(join_locations=False, desks=True)
        .add_columns(Desk.location_id, *booking_instants(scope.now))
        .where(
            Booking.status != BookingStatus.CANCELLED,
            Booking.start < scope.end,
            Booking.end > scope.start,
            *active_desks(shared.kind),
            *shared.unsealed(),
        )
        .subquery("booking_instants")
    )
    live = booking_edges(instants, size, ["location_id"])
    sealed = sealed_edges(shared)
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
            for name in DELTAS
        ),
    ).join(locations, locations.c.location_id == booking_slots.c.location_id)

    # Opening intervals are intervals too, weighted by the number of desks.
    opened, desks = shared.open_intervals, shared.desk_counts

    def opening_edge(at: ColumnElement[int], sign: int) -> Select[Any]:
        weight = desks.c.desks * sign
        figures: dict[str, ColumnElement[Any]] = dict.fromkeys(DELTAS, zero)
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
            *(func.sum(events.c[name]).label(name) for name in DELTAS),
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


def local_seconds(per_slot: CTE, size: int) -> ColumnElement[int]:
    return per_slot.c.slot * integer(size) + per_slot.c.utc_offset
