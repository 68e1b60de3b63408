"""Every query of the survey: aggregates in SQL (GROUP BY), Python only shapes the result.

SQLite has no time zones, so where a local day or a location's local range is needed the
boundaries and UTC offsets are computed in Python (:mod:`app.locations.hours`,
:func:`app.stats.timeline.utc_offsets`) and passed in; the portable SQL is
:mod:`app.core.sql`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.enums import BookingStatus, CommuteMode
from app.core.sql import greatest, integer, least, seconds_of
from app.locations.hours import local_instant
from app.models import (
    Booking,
    Desk,
    Location,
    Member,
    MemberGroup,
    SurveyResponse,
    SurveyResponseGroup,
    SurveyResponseNeed,
)
from app.models.base import UTCDateTime
from app.stats import timeline

#: commute modes whose journeys a coworking day replaces
AVOIDING_MODES = (CommuteMode.CAR, CommuteMode.PUBLIC_TRANSPORT)


def day_bounds(zone: str, first: date, last: date) -> tuple[datetime, datetime]:
    """The half-open UTC interval of the local days ``first``–``last`` (inclusive) in ``zone``."""
    info = ZoneInfo(zone)
    return local_instant(info, first, 0), local_instant(info, last + timedelta(days=1), 0)


def _submitted_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(SurveyResponse.submitted_at >= start, SurveyResponse.submitted_at < end)


# --- survey -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    responses: int
    wants_trial: int
    cooperation_interest: int
    mean_commute_km: float | None
    mean_price: float | None
    stated_respondents: int
    stated_km_per_week: float


async def totals(session: AsyncSession, start: datetime, end: datetime) -> Totals:
    avoiding = SurveyResponse.commute_mode.in_(AVOIDING_MODES)
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(SurveyResponse.wants_trial),
                func.count().filter(SurveyResponse.cooperation_interest),
                func.avg(SurveyResponse.commute_km),
                func.avg(SurveyResponse.price_per_day_eur),
                func.count().filter(avoiding),
                func.coalesce(
                    func.sum(
                        2 * SurveyResponse.commute_km * SurveyResponse.coworking_days_per_week
                    ).filter(avoiding),
                    0,
                ),
            ).where(_submitted_in(start, end))
        )
    ).one()
    return Totals(
        responses=row[0],
        wants_trial=row[1],
        cooperation_interest=row[2],
        mean_commute_km=None if row[3] is None else float(row[3]),
        mean_price=None if row[4] is None else float(row[4]),
        stated_respondents=row[5],
        stated_km_per_week=float(row[6]),
    )


async def need_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(SurveyResponseNeed.need, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyResponseNeed.response_id)
        .where(_submitted_in(start, end))
        .group_by(SurveyResponseNeed.need)
    )
    return dict(rows.all())


async def group_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(SurveyResponseGroup.group, func.count())
        .join(SurveyResponse, SurveyResponse.id == SurveyResponseGroup.response_id)
        .where(_submitted_in(start, end))
        .group_by(SurveyResponseGroup.group)
    )
    return dict(rows.all())


async def municipality_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[str, int]:
    rows = await session.execute(
        select(SurveyResponse.home_municipality, func.count())
        .where(_submitted_in(start, end))
        .group_by(SurveyResponse.home_municipality)
    )
    return dict(rows.all())


async def median(
    session: AsyncSession, column: Any, start: datetime, end: datetime, count: int
) -> float | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if count == 0:
        return None
    middle = (
        select(column.label("value"))
        .where(_submitted_in(start, end))
        .order_by(column)
        .limit(2 - count % 2)
        .offset((count - 1) // 2)
        .subquery()
    )
    value = await session.scalar(select(func.avg(middle.c.value)))
    return None if value is None else float(value)


async def histogram(
    session: AsyncSession, column: Any, edges: Sequence[float], start: datetime, end: datetime
) -> list[int]:
    """Counts per bin ``[edges[i], edges[i+1])``; the last bin includes its upper edge."""
    bins = len(edges) - 1
    index = case(
        *[(column < edge, position) for position, edge in enumerate(edges[1:-1])],
        else_=bins - 1,
    )
    rows = await session.execute(
        select(index, func.count()).where(_submitted_in(start, end)).group_by(index)
    )
    counts = [0] * bins
    for position, count in rows:
        counts[int(position)] = count
    return counts


async def answers(session: AsyncSession, start: datetime, end: datetime) -> list[SurveyResponse]:
    """The anonymous answers of the range, oldest first (for the CSV export)."""
    rows = await session.scalars(
        select(SurveyResponse)
        .where(_submitted_in(start, end))
        .options(selectinload(SurveyResponse.group_rows), selectinload(SurveyResponse.need_rows))
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
    )
    return list(rows)


async def count_all(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(SurveyResponse)) or 0


# --- usage of the pilot -----------------------------------------------------------------


class UsageRange:
    """The local days ``first``–``last`` of every location, each in its own time zone."""

    def __init__(self, zones: Sequence[str], first: date, last: date):
        self.first, self.last = first, last
        self.bounds = {zone: day_bounds(zone, first, last) for zone in zones}

    def _bound(self, which: int) -> ColumnElement[Any]:
        whens = [
            (Location.timezone == zone, literal(bounds[which], UTCDateTime()))
            for zone, bounds in self.bounds.items()
        ]
        return case(*whens, else_=None) if whens else literal(None, UTCDateTime())

    def holds(self, instant: Any) -> ColumnElement[bool]:
        """``instant`` lies in the range of its location."""
        if not self.bounds:
            return false()
        return or_(
            *[
                and_(Location.timezone == zone, instant >= start, instant < end)
                for zone, (start, end) in self.bounds.items()
            ]
        )

    def overlaps(self) -> ColumnElement[bool]:
        """The booking overlaps the range of its location."""
        if not self.bounds:
            return false()
        return or_(
            *[
                and_(Location.timezone == zone, Booking.start < end, Booking.end > start)
                for zone, (start, end) in self.bounds.items()
            ]
        )

    def clipped_hours(self) -> ColumnElement[Any]:
        """The booking's hours inside the range."""
        start, end = self._bound(0), self._bound(1)
        seconds = seconds_of(least(Booking.end, end)) - seconds_of(greatest(Booking.start, start))
        return cast(seconds, Float) / 3600.0

    def local_day(self, instant: Any) -> ColumnElement[int]:
        """The local day number of ``instant`` (in range) at its location: its seconds plus the
        UTC offset of the zone's stretch holding it (comparisons, no conversions)."""
        whens = [
            (
                and_(
                    Location.timezone == zone,
                    instant >= timeline.instant(begin),
                    instant < timeline.instant(stop),
                ),
                integer(offset),
            )
            for zone, (start, end) in self.bounds.items()
            for begin, stop, offset in timeline.utc_offsets(
                ZoneInfo(zone), timeline.seconds(start), timeline.seconds(end)
            )
        ]
        offset = case(*whens, else_=integer(0)) if whens else integer(0)
        return (seconds_of(instant) + offset) // integer(timeline.DAY_SECONDS)


async def location_zones(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(Location.timezone).distinct())).all())


def _booked(usage: UsageRange) -> Select[Any]:
    """Non-cancelled bookings overlapping the range (from clause with desk and location)."""
    return (
        select()
        .select_from(Booking)
        .join(Desk, Desk.id == Booking.desk_id)
        .join(Location, Location.id == Desk.location_id)
        .where(Booking.status != BookingStatus.CANCELLED, usage.overlaps())
    )


async def usage_totals(session: AsyncSession, usage: UsageRange) -> tuple[int, float]:
    """Distinct members with a booking in range and their booked hours."""
    statement = _booked(usage).add_columns(
        func.count(distinct(Booking.member_id)), func.coalesce(func.sum(usage.clipped_hours()), 0)
    )
    members, hours = (await session.execute(statement)).one()
    return members, float(hours)


async def usage_by_group(session: AsyncSession, usage: UsageRange) -> dict[str, tuple[int, float]]:
    statement = (
        _booked(usage)
        .join(MemberGroup, MemberGroup.member_id == Booking.member_id)
        .add_columns(
            MemberGroup.group,
            func.count(distinct(Booking.member_id)),
            func.sum(usage.clipped_hours()),
        )
        .group_by(MemberGroup.group)
    )
    rows = await session.execute(statement)
    return {group: (members, float(hours)) for group, members, hours in rows}


async def usage_by_municipality(
    session: AsyncSession, usage: UsageRange
) -> dict[str, tuple[int, float]]:
    statement = (
        _booked(usage)
        .join(Member, Member.id == Booking.member_id)
        .add_columns(
            Member.home_municipality,
            func.count(distinct(Booking.member_id)),
            func.sum(usage.clipped_hours()),
        )
        .group_by(Member.home_municipality)
    )
    rows = await session.execute(statement)
    return {name: (members, float(hours)) for name, members, hours in rows}


async def visits(session: AsyncSession, usage: UsageRange) -> tuple[int, float]:
    """Distinct member-days with a check-in in range, and 2 × commute km summed over the
    visits of members commuting by car or public transport."""
    member_days = (
        select(
            Booking.member_id.label("member_id"),
            usage.local_day(Booking.checked_in_at).label("day"),
        )
        .select_from(Booking)
        .join(Desk, Desk.id == Booking.desk_id)
        .join(Location, Location.id == Desk.location_id)
        .where(Booking.checked_in_at.is_not(None), usage.holds(Booking.checked_in_at))
        .distinct()
        .subquery()
    )
    avoided = case(
        (Member.commute_mode.in_(AVOIDING_MODES), 2 * func.coalesce(Member.commute_km, 0)),
        else_=0,
    )
    count, km = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(avoided), 0))
            .select_from(member_days)
            .join(Member, Member.id == member_days.c.member_id)
        )
    ).one()
    return count, float(km)
