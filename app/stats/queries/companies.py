"""Seat usage per company (``stats/companies``, the summary's companies)."""

import functools
import uuid
from typing import Any, NamedTuple

from sqlalchemy import Select, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import BookingStatus
from app.core.sql import held_after, seconds_of, values_table
from app.models import Booking, Company
from app.stats import timeline
from app.stats.scope import ScopeSql
from app.stats.timeline import Scope


class CompanySeats(NamedTuple):
    """A company's seat usage over the range (see :func:`companies_statements`)."""

    company_id: uuid.UUID
    name: str
    seats: int
    booked_seconds: int
    peak: int
    seat_days: int
    #: The range's days on which a location in scope is open (the same on every row).
    open_days: int


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
    shared = ScopeSql(scope)
    deltas = values_table("seat_deltas", ["delta"], [(1,), (-1,)])
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
            Booking.status != BookingStatus.CANCELLED,
            *shared.overlapping(),
        )
        .cte("seat_events")
    )
    held = (
        select(
            events.c.company_id,
            events.c.delta,
            events.c.day,
            held_after(events.c.delta, partition_by=events.c.company_id, at=events.c.at).label(
                "held"
            ),
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


async def companies(session: AsyncSession, scope: Scope) -> list[CompanySeats]:
    """Every company's seat usage over the range, in no particular order."""
    (statement,) = companies_statements(scope)
    return [
        CompanySeats(
            company_id=row.company_id,
            name=row.name,
            seats=int(row.seats),
            booked_seconds=int(row.booked_seconds),
            peak=int(row.peak),
            seat_days=int(row.seat_days),
            open_days=int(row.open_days),
        )
        for row in (await session.execute(statement)).all()
    ]
