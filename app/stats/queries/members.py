"""Figures per member: member groups, commute and the summary's members.

Each reads the bookings of the range's days outside whole months and, for the whole months
the rollup holds, two rows per member of ``stats_member_months``."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import CTE

from app.core.enums import BookingStatus, CommuteMode
from app.core.sql import integer, materialized
from app.models import Booking, Member, MemberGroup, stats_member_months
from app.models.member import MEMBER_GROUPS
from app.stats import timeline
from app.stats.scope import ScopeSql
from app.stats.seals import sealed_months
from app.stats.timeline import Scope

#: Modes whose avoided kilometres count (the others emit nothing to avoid).
MOTORISED_MODES = (CommuteMode.CAR, CommuteMode.PUBLIC_TRANSPORT)


class GroupMembers(NamedTuple):
    """One member group (see :func:`member_groups_statements`)."""

    group: str
    members: int
    bookings: int
    booked_seconds: int


class CommuteRow(NamedTuple):
    """One row of :func:`commute_statements`."""

    breakdown: str
    value: str | None
    members: int
    visits: int
    km_avoided: float
    co2_kg_avoided: float


async def member_groups(session: AsyncSession, scope: Scope) -> list[GroupMembers]:
    """Every member group, by name."""
    (statement,) = member_groups_statements(scope)
    return [
        GroupMembers(row.group, int(row.members), int(row.bookings), int(row.booked_seconds))
        for row in (await session.execute(statement)).all()
    ]


async def members_with_bookings(session: AsyncSession, scope: Scope) -> int:
    """Distinct members with booked time in the range."""
    (statement,) = members_statements(scope)
    return int((await session.execute(statement)).one().members)


async def commute(
    session: AsyncSession, scope: Scope, *, co2_kg_per_km: dict[str, float]
) -> list[CommuteRow]:
    """The total, per mode and per municipality (see :func:`commute_statements`)."""
    (statement,) = commute_statements(scope, co2_kg_per_km=co2_kg_per_km)
    return [
        CommuteRow(
            row.breakdown,
            row.value,
            int(row.members),
            int(row.visits),
            float(row.km_avoided),
            float(row.co2_kg_avoided),
        )
        for row in (await session.execute(statement)).all()
    ]


def live_per_member(shared: ScopeSql) -> Select[Any]:
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
        .where(Booking.status != BookingStatus.CANCELLED, *shared.overlapping())
        .group_by(Booking.member_id)
    )


def live_visits(shared: ScopeSql) -> Select[Any]:
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


def _member_sums(
    scope: Scope, live: Callable[[ScopeSql], Select[Any]], rollup: dict[str, str], name: str
) -> CTE:
    """Per member, figures summed over the live parts of the range (``live(shared)``: rows
    ``(member_id, *figures)`` of members whose first figure is not 0) and the rollup's whole
    months: ``rollup`` maps each figure, in order, to its column there. The months are the
    running totals at the last month less those at the month before the first."""
    parts, months = _member_parts(scope)
    selects = [live(ScopeSql(part, name=f"_{index}")) for index, part in enumerate(parts)]
    if months is None:
        return materialized(selects[0], name)
    key, first, last = months
    rows = stats_member_months.c
    for month, sign in ((last, 1), (first - 1, -1)):
        selects.append(
            select(
                rows.member_id,
                *(
                    (rows[column] * integer(sign)).label(figure)
                    for figure, column in rollup.items()
                ),
            ).where(rows.location_id == key, rows.month == integer(month))
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
    return materialized(per_member, name)


def _per_member(scope: Scope) -> CTE:
    """Per member with booked time in the range: ``(member_id, booked_seconds, bookings)``."""
    rollup = {"booked_seconds": "booked_seconds", "bookings": "bookings"}
    return _member_sums(scope, live_per_member, rollup, "per_member")


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
    per_member = _member_sums(scope, live_visits, {"visits": "visit_days"}, "member_visits")
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
