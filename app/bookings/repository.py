"""Every query about bookings, including what a caller may read."""

import uuid
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Booking, CompanyMember, Desk, Member
from app.models.booking import ACTIVE_STATUSES

#: A value or a bound parameter: the booking path's statements are built once, with
#: ``bindparam``s, because building and hashing a statement costs more CPU than running it.
Instant = datetime | ColumnElement[datetime]


def current_status(now: datetime) -> ColumnElement[str]:
    """The status as of ``now`` in SQL; :func:`app.bookings.service.current_status` in Python."""
    return case(
        (and_(Booking.status == "confirmed", Booking.check_in_until < now), "no_show"),
        (and_(Booking.status == "checked_in", Booking.end <= now), "completed"),
        else_=Booking.status,
    )


def holds_desk(now: Instant) -> ColumnElement[bool]:
    """Bookings that hold their desk as of ``now`` (active and not lapsed)."""
    return and_(
        Booking.status.in_(ACTIVE_STATUSES),
        not_(and_(Booking.status == "confirmed", Booking.check_in_until < now)),
        not_(and_(Booking.status == "checked_in", Booking.end <= now)),
    )


def overlaps(start: Instant, end: Instant) -> ColumnElement[bool]:
    """Half-open intervals: a booking ending at 12:00 does not overlap one starting at 12:00."""
    return and_(Booking.start < end, Booking.end > start)


def readable_by(caller: Member) -> Select[Booking]:
    """The one place that decides which bookings a caller may see: operators all, members
    their own, company admins also their company's. Every list and detail route starts here."""
    statement = select(Booking)
    if caller.role != "operator":
        administered = select(CompanyMember.company_id).where(
            CompanyMember.member_id == caller.id, CompanyMember.company_role == "admin"
        )
        statement = statement.where(
            or_(Booking.member_id == caller.id, Booking.company_id.in_(administered))
        )
    return statement


async def get_readable(
    session: AsyncSession, caller: Member, booking_id: uuid.UUID, *, for_update: bool = False
) -> Booking | None:
    statement = readable_by(caller).where(Booking.id == booking_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.scalars(statement)).one_or_none()


def search(
    statement: Select[Booking],
    *,
    now: datetime,
    location_id: uuid.UUID | None = None,
    desk_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    status: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Select[Booking]:
    """Narrow a readable set by the list filters; ordered by start, then id."""
    if location_id is not None:
        statement = statement.where(
            Booking.desk_id.in_(select(Desk.id).where(Desk.location_id == location_id))
        )
    if desk_id is not None:
        statement = statement.where(Booking.desk_id == desk_id)
    if member_id is not None:
        statement = statement.where(Booking.member_id == member_id)
    if status is not None:
        statement = statement.where(current_status(now) == status)
    if start is not None:
        statement = statement.where(Booking.end > start)
    if end is not None:
        statement = statement.where(Booking.start < end)
    return statement.order_by(Booking.start, Booking.id)


async def find_by_idempotency_key(
    session: AsyncSession, member_id: uuid.UUID, key: str
) -> Booking | None:
    statement = select(Booking).where(
        Booking.member_id == member_id, Booking.idempotency_key == key
    )
    return (await session.scalars(statement)).one_or_none()


_START: ColumnElement[datetime] = bindparam("start")
_END: ColumnElement[datetime] = bindparam("end")
_NOW: ColumnElement[datetime] = bindparam("now")
_DESK_TAKEN = (
    select(Booking.id)
    .where(Booking.desk_id == bindparam("desk_id"), overlaps(_START, _END), holds_desk(_NOW))
    .limit(1)
)
_WORKPLACE_HELD = (
    select(Booking.id)
    .where(
        Booking.member_id == bindparam("member_id"),
        Booking.is_workplace.is_(True),
        overlaps(_START, _END),
        holds_desk(_NOW),
    )
    .limit(1)
)
_UPCOMING_AT_LOCATION = select(func.count()).where(
    Booking.member_id == bindparam("member_id"),
    Booking.desk_id.in_(select(Desk.id).where(Desk.location_id == bindparam("location_id"))),
    Booking.end > _NOW,
    holds_desk(_NOW),
)


async def desk_is_taken(
    session: AsyncSession, *, desk_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> bool:
    values = {"desk_id": desk_id, "start": start, "end": end, "now": now}
    return (await session.scalar(_DESK_TAKEN, values)) is not None


async def member_holds_workplace(
    session: AsyncSession, *, member_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> bool:
    values = {"member_id": member_id, "start": start, "end": end, "now": now}
    return (await session.scalar(_WORKPLACE_HELD, values)) is not None


async def count_upcoming_at_location(
    session: AsyncSession, *, member_id: uuid.UUID, location_id: uuid.UUID, now: datetime
) -> int:
    """The member's bookings at the location that still hold a desk now or later."""
    values = {"member_id": member_id, "location_id": location_id, "now": now}
    return (await session.scalar(_UPCOMING_AT_LOCATION, values)) or 0


def busy_desks(start: datetime, end: datetime, now: datetime) -> Select[uuid.UUID]:
    return select(Booking.desk_id).where(overlaps(start, end), holds_desk(now))


async def desk_bookings_between(
    session: AsyncSession, *, desk_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> list[Booking]:
    statement = (
        select(Booking)
        .where(Booking.desk_id == desk_id, overlaps(start, end), holds_desk(now))
        .order_by(Booking.start)
    )
    return list((await session.scalars(statement)).all())


# One statement for both transitions. (An UPDATE's bound parameters cannot share a column's
# name.)
_SETTLE = (
    update(Booking)
    .where(
        or_(
            and_(Booking.status == "confirmed", Booking.check_in_until < bindparam("at")),
            and_(Booking.status == "checked_in", Booking.end <= bindparam("at")),
        )
    )
    .values(status=case((Booking.status == "confirmed", "no_show"), else_="completed"))
    .execution_options(synchronize_session=False)
)
_SETTLE_SCOPED = _SETTLE.where(
    or_(
        Booking.desk_id == bindparam("scope_desk_id"),
        Booking.member_id == bindparam("scope_member_id"),
    )
)


async def settle(
    session: AsyncSession,
    *,
    now: datetime,
    desk_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
) -> int:
    """Store the transitions time has made: lapsed check-ins become ``no_show``, checked-in
    bookings past their end become ``completed``. Limited to a desk or member when given."""
    if desk_id is None and member_id is None:
        result = await session.execute(_SETTLE, {"at": now})
    else:
        values = {"at": now, "scope_desk_id": desk_id, "scope_member_id": member_id}
        result = await session.execute(_SETTLE_SCOPED, values)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def cancel_between(
    session: AsyncSession, *, location_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> int:
    """Cancel the location's bookings that start in ``[start, end)`` and still hold a desk."""
    result = await session.execute(
        update(Booking)
        .where(
            Booking.desk_id.in_(select(Desk.id).where(Desk.location_id == location_id)),
            Booking.start >= start,
            Booking.start < end,
            holds_desk(now),
        )
        .values(status="cancelled", cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
