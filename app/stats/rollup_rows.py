"""What the rollup stores (:mod:`app.stats.rollup`): the rows it adds, as statements."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Select, Uuid, func, insert, literal, select, union_all

from app.bookings.repository import current_status
from app.core.enums import BookingStatus
from app.core.sql import integer, seconds_of
from app.models import Booking, Desk, stats_member_months, stats_slot_deltas
from app.models.base import UTCDateTime
from app.stats import timeline
from app.stats.queries.bookings import LEAD_BUCKET_SECONDS
from app.stats.queries.members import live_per_member, live_visits
from app.stats.scope import ScopeSql
from app.stats.slots import BOOKING_DELTAS, booking_edges, booking_instants
from app.stats.timeline import QUARTER_SECONDS, Scope


def member_month_rows(month: Scope, key: uuid.UUID) -> Select[Any]:
    """The ``stats_member_months`` rows of one whole local month (``month``, a scope of
    exactly that month) for ``key`` (the location of a one-location scope, or :data:`NIL` for
    every location): ``(location_id, month, member_id, bookings, booked_seconds,
    visit_days)``, the figures of :func:`live_per_member` and :func:`live_visits` of the
    month added to the key's rows of the month before (running totals)."""
    shared = ScopeSql(month)
    booked = live_per_member(shared).subquery("month_booked")
    visits = live_visits(shared).subquery("month_visits")
    number = timeline.month_number(month.first_day)
    rows = stats_member_months.c
    parts = union_all(
        select(rows.member_id, rows.bookings, rows.booked_seconds, rows.visit_days).where(
            rows.location_id == key, rows.month == number - 1
        ),
        select(booked.c.member_id, booked.c.bookings, booked.c.booked_seconds, integer(0)),
        select(visits.c.member_id, integer(0), integer(0), visits.c.visits),
    ).subquery("month_parts")
    return select(
        literal(key, Uuid()),
        integer(number),
        parts.c.member_id,
        *(func.sum(parts.c[name]) for name in ("bookings", "booked_seconds", "visit_days")),
    ).group_by(parts.c.member_id)


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
    shared = ScopeSql(history)
    locations = shared.locations
    start = seconds_of(Booking.start)
    sealed = (
        select(
            Desk.location_id,
            current_status(history.now).label("status"),
            (seconds_of(Booking.end) - start).label("duration"),
            (Booking.lead_seconds // integer(LEAD_BUCKET_SECONDS)).label("lead_day"),
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


def slot_rows(
    locations: Sequence[uuid.UUID], since: datetime, until: datetime, now: datetime
) -> Insert:
    """``INSERT INTO stats_slot_deltas SELECT ...``: the events of the bookings of active
    desks of ``locations`` that are not cancelled and start in ``[since, until)``, per
    location, kind and quarter."""
    instants = (
        select(Desk.location_id, Desk.kind, *booking_instants(now))
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
    edges = booking_edges(instants, integer(QUARTER_SECONDS), ["location_id", "kind"])
    sums = select(
        edges.c.location_id,
        edges.c.kind,
        edges.c.slot,
        literal(until, UTCDateTime()),
        *(func.sum(edges.c[name]) for name in BOOKING_DELTAS),
    ).group_by(edges.c.location_id, edges.c.kind, edges.c.slot)
    columns = ["location_id", "kind", "quarter", "batch", *BOOKING_DELTAS]
    return insert(stats_slot_deltas).from_select(columns, sums)
