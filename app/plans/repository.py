"""Every query about plans, memberships and the days members have booked on them."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Label, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.enums import BookingStatus
from app.models import Booking, LocationDefaultPlan, Membership, Plan


def _with_prices() -> Select[Plan]:
    return select(Plan).options(selectinload(Plan.group_prices))


async def get(session: AsyncSession, plan_id: uuid.UUID) -> Plan | None:
    return (await session.scalars(_with_prices().where(Plan.id == plan_id))).one_or_none()


def search(*, active_only: bool) -> Select[Plan]:
    """Ordered by name, then id."""
    statement = _with_prices()
    if active_only:
        statement = statement.where(Plan.active.is_(True))
    return statement.order_by(Plan.name, Plan.id)


async def in_use(session: AsyncSession, plan_id: uuid.UUID) -> bool:
    used = or_(
        exists().where(Membership.plan_id == plan_id),
        exists().where(LocationDefaultPlan.plan_id == plan_id),
    )
    return bool(await session.scalar(select(used)))


_DEFAULT_PLAN = (
    _with_prices()
    .join(LocationDefaultPlan, LocationDefaultPlan.plan_id == Plan.id)
    .where(LocationDefaultPlan.location_id == bindparam("location_id"))
)  # built once: every booking asks


async def default_of(session: AsyncSession, location_id: uuid.UUID) -> Plan | None:
    return (await session.scalars(_DEFAULT_PLAN, {"location_id": location_id})).one_or_none()


async def overlapping_membership(
    session: AsyncSession, *, member_id: uuid.UUID, plan_id: uuid.UUID, first: date, last: date
) -> bool:
    """Whether the member holds a membership of the plan on any day of ``[first, last]``."""
    overlapping = exists().where(
        Membership.member_id == member_id,
        Membership.plan_id == plan_id,
        Membership.starts_on <= last,
        Membership.ends_on >= first,
    )
    return bool(await session.scalar(select(overlapping)))


def _consumes_a_day() -> ColumnElement[bool]:
    """A personal booking that is not cancelled uses its local day (no-shows too)."""
    return and_(Booking.company_id.is_(None), Booking.status != BookingStatus.CANCELLED)


def _used_days() -> Any:
    return (
        select(func.count(func.distinct(Booking.local_date)))
        .where(Booking.membership_id == Membership.id, _consumes_a_day())
        .correlate(Membership)
        .scalar_subquery()
    )


def memberships_of(member_id: uuid.UUID | ColumnElement[uuid.UUID]) -> Select[Any]:
    """The member's memberships with their plan and used days; by first day, then creation."""
    return (
        select(Membership, Plan, _used_days())
        .join(Plan, Plan.id == Membership.plan_id)
        .where(Membership.member_id == member_id)
        .order_by(Membership.starts_on, Membership.created_at, Membership.id)
    )


async def page_of_memberships(
    session: AsyncSession, member_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[tuple[Membership, Plan, int]], int]:
    total = await session.scalar(
        select(func.count()).select_from(Membership).where(Membership.member_id == member_id)
    )
    statement = memberships_of(member_id).limit(limit).offset(offset)
    rows = (await session.execute(statement)).all()
    return [(m, p, int(used or 0)) for m, p, used in rows], total or 0


_COVERING = (
    memberships_of(bindparam("member_id"))
    .where(Membership.starts_on <= bindparam("day"), Membership.ends_on >= bindparam("day"))
    .order_by(None)
    .order_by(Membership.ends_on, Membership.created_at, Membership.id)
)  # built once: every booking asks


async def covering(
    session: AsyncSession, member_id: uuid.UUID, day: date
) -> list[tuple[Membership, Plan, int]]:
    """The member's memberships valid on ``day``, the soonest to end first."""
    values = {"member_id": member_id, "day": day}
    rows = (await session.execute(_COVERING, values)).all()
    return [(m, p, int(used or 0)) for m, p, used in rows]


# Built once: every booking asks (building a statement costs more CPU than running it).
_USES_THE_DAY = (
    Booking.member_id == bindparam("member_id"),
    Booking.local_date == bindparam("day"),
    _consumes_a_day(),
)
_DAY_USED_BY = (
    select(Booking.membership_id).where(*_USES_THE_DAY).order_by(Booking.created_at).limit(1)
)
_COVERED = exists().where(
    Membership.member_id == bindparam("member_id"),
    Membership.starts_on <= bindparam("day"),
    Membership.ends_on >= bindparam("day"),
)
_DEFAULT_COUNTS_DAYS = exists().where(
    LocationDefaultPlan.location_id == bindparam("location_id"),
    LocationDefaultPlan.plan_id == Plan.id,
    Plan.included_days.is_not(None),
)

#: What deciding a booking's plan day starts from, as columns for one statement with the
#: booking's other checks (app.bookings.checks): bound ``member_id``, ``day`` and
#: ``location_id``; read them back with :meth:`DayFacts.of`.
DAY_FACTS: tuple[Label[Any], ...] = (
    exists().where(*_USES_THE_DAY).label("day_used"),
    _DAY_USED_BY.scalar_subquery().label("day_used_by"),
    _COVERED.label("day_covered"),
    _DEFAULT_COUNTS_DAYS.label("default_counts_days"),
)


@dataclass(frozen=True, slots=True)
class DayFacts:
    """A member's plan situation on one local day at one location."""

    #: Another personal booking of the member already uses the day ...
    used: bool
    #: ... on this membership (None: under the location's default plan).
    used_by: uuid.UUID | None
    #: Some membership of the member is valid on the day.
    covered: bool
    #: The location's default plan counts days (none, or unlimited: it does not).
    default_counts_days: bool

    @classmethod
    def of(cls, row: Any) -> "DayFacts":
        """From a row holding the :data:`DAY_FACTS` columns."""
        return cls(
            used=bool(row.day_used),
            used_by=row.day_used_by,
            covered=bool(row.day_covered),
            default_counts_days=bool(row.default_counts_days),
        )


async def default_plan_days(
    session: AsyncSession, member_id: uuid.UUID, first: date, last: date
) -> int:
    """Local days in ``[first, last]`` the member booked under a default plan."""
    statement = select(func.count(func.distinct(Booking.local_date))).where(
        Booking.member_id == member_id,
        Booking.membership_id.is_(None),
        Booking.local_date >= first,
        Booking.local_date <= last,
        _consumes_a_day(),
    )
    return (await session.scalar(statement)) or 0
