"""Every query about bookings, including what a caller may read."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import execute_plain
from app.core.enums import BookingStatus, CompanyRole, Role
from app.models import Booking, CompanyMember, Desk, Location, Member
from app.models.booking import ACTIVE_STATUSES

#: A value or a bound parameter: the booking path's statements are built once, with
#: ``bindparam``s, because building and hashing a statement costs more CPU than running it.
Instant = datetime | ColumnElement[datetime]


def current_status(now: datetime) -> ColumnElement[str]:
    """The status as of ``now`` in SQL; :func:`app.bookings.service.current_status` in Python."""
    return case(
        (
            and_(Booking.status == BookingStatus.CONFIRMED, Booking.check_in_until < now),
            BookingStatus.NO_SHOW,
        ),
        (
            and_(Booking.status == BookingStatus.CHECKED_IN, Booking.end <= now),
            BookingStatus.COMPLETED,
        ),
        else_=Booking.status,
    )


# The active statuses as SQL literals: SQLAlchemy renders a bound list into the statement's
# text anew on every run ("expanding" parameters), and the booking path runs this three times.
_ACTIVE: list[ColumnElement[str]] = [literal_column(f"'{status}'") for status in ACTIVE_STATUSES]


def holds_desk(now: Instant) -> ColumnElement[bool]:
    """Bookings that hold their desk as of ``now`` (active and not lapsed)."""
    return and_(
        Booking.status.in_(_ACTIVE),
        not_(and_(Booking.status == BookingStatus.CONFIRMED, Booking.check_in_until < now)),
        not_(and_(Booking.status == BookingStatus.CHECKED_IN, Booking.end <= now)),
    )


def overlaps(start: Instant, end: Instant) -> ColumnElement[bool]:
    """Half-open intervals: a booking ending at 12:00 does not overlap one starting at 12:00."""
    return and_(Booking.start < end, Booking.end > start)


def readable_by(caller: Member) -> Select[Booking]:
    """The one place that decides which bookings a caller may see: operators all, members
    their own, company admins also their company's. Every list and detail route starts here."""
    statement = select(Booking)
    if caller.role != Role.OPERATOR:
        administered = select(CompanyMember.company_id).where(
            CompanyMember.member_id == caller.id, CompanyMember.company_role == CompanyRole.ADMIN
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


@dataclass(frozen=True, slots=True)
class BookableDesk:
    """What a new booking reads of its desk and the desk's location, as plain values."""

    id: uuid.UUID
    kind: str
    active: bool
    location_id: uuid.UUID
    timezone: str
    opening_hours: list[dict[str, Any]]
    booking_rules: dict[str, int]
    #: the booking member is neither deactivated nor erased, as of their row's lock
    member_active: bool


# Built once: every booking asks. In the same round trip it takes the booking's two locks
# (PostgreSQL; SQLite serialises write transactions anyway): the member's row FOR UPDATE, in
# the scalar subquery, which reads the row as it is once locked, and the location's row
# FOR KEY SHARE, which bookings share and a location's ordinary UPDATE does not wait for.
# Plain columns, not ORM objects: loading a Desk and a Location cost more CPU than the
# statement.
_DESK_FOR_BOOKING = (
    select(
        Desk.id,
        Desk.kind,
        Desk.active,
        Desk.location_id,
        Location.timezone,
        Location.opening_hours,
        Location.booking_rules,
        select(and_(Member.active, Member.email.is_not(None)))
        .where(Member.id == bindparam("member_id"))
        .with_for_update()
        .scalar_subquery()
        .label("member_active"),
    )
    .join(Location, Location.id == Desk.location_id)
    .where(Desk.id == bindparam("desk_id"))
    .with_for_update(read=True, key_share=True, of=Location)
)
_BY_IDEMPOTENCY_KEY = select(Booking).where(
    Booking.member_id == bindparam("member_id"), Booking.idempotency_key == bindparam("key")
)


async def desk_for_booking(
    session: AsyncSession, *, desk_id: uuid.UUID, member_id: uuid.UUID
) -> BookableDesk | None:
    """The desk and its location, read in one statement that also locks the member's row
    (one booking request of a member at a time, so the quota and the idempotency key are
    exact; an erasure or an employee's removal waits for it, see
    :func:`app.members.repository.lock`) and shares the location's (a closure waits for it,
    see :func:`app.locations.repository.lock`).
    No row (and no lock) when the desk does not exist."""
    values = {"desk_id": desk_id, "member_id": member_id}
    row = (await execute_plain(session, _DESK_FOR_BOOKING, values)).first()
    if row is None:
        return None
    return BookableDesk(
        id=row.id,
        kind=row.kind,
        active=row.active,
        location_id=row.location_id,
        timezone=row.timezone,
        opening_hours=row.opening_hours,
        booking_rules=row.booking_rules,
        member_active=bool(row.member_active),
    )


_INSERT = insert(Booking)
_COLUMNS = tuple(column.key for column in Booking.__table__.columns)


async def add(session: AsyncSession, booking: Booking) -> None:
    """Store a new booking with one plain INSERT of all its columns (set them all, id and
    status too). The unit of work would cost twice the INSERT's CPU, for an object nothing
    reads back in this transaction; it stays transient, outside the session."""
    values = {key: getattr(booking, key) for key in _COLUMNS}
    await execute_plain(session, _INSERT, values)


async def find_by_idempotency_key(
    session: AsyncSession, member_id: uuid.UUID, key: str
) -> Booking | None:
    values = {"member_id": member_id, "key": key}
    return (await session.scalars(_BY_IDEMPOTENCY_KEY, values)).one_or_none()


_START: ColumnElement[datetime] = bindparam("start")
_END: ColumnElement[datetime] = bindparam("end")
_NOW: ColumnElement[datetime] = bindparam("now")

#: The checks of a new booking, bound ``desk_id``, ``member_id``, ``location_id``, ``start``,
#: ``end`` and ``now``; app.bookings.checks reads them in one statement.
DESK_TAKEN = exists().where(
    Booking.desk_id == bindparam("desk_id"), overlaps(_START, _END), holds_desk(_NOW)
)
WORKPLACE_HELD = exists().where(
    Booking.member_id == bindparam("member_id"),
    Booking.is_workplace.is_(True),
    overlaps(_START, _END),
    holds_desk(_NOW),
)
#: The member's bookings at the location that still hold a desk now or later.
UPCOMING_AT_LOCATION = select(func.count()).where(
    Booking.member_id == bindparam("member_id"),
    Booking.desk_id.in_(select(Desk.id).where(Desk.location_id == bindparam("location_id"))),
    Booking.end > _NOW,
    holds_desk(_NOW),
)


def busy_desks(start: datetime, end: datetime, now: datetime) -> Select[uuid.UUID]:
    return select(Booking.desk_id).where(overlaps(start, end), holds_desk(now))


async def active_bookings_between(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    desk_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> list[Booking]:
    """The bookings holding a desk (of the one desk, or of every desk of the location)
    during part of ``[start, end)``, by start."""
    statement = search(
        select(Booking).where(holds_desk(now)),
        now=now,
        desk_id=desk_id,
        location_id=location_id,
        start=start,
        end=end,
    )
    return list((await session.scalars(statement)).all())


def lapsed(at: Instant) -> ColumnElement[bool]:
    """Bookings whose stored status time has overtaken by ``at``: confirmed past their
    check-in limit, checked in past their end (see :func:`current_status`)."""
    return or_(
        and_(Booking.status == BookingStatus.CONFIRMED, Booking.check_in_until < at),
        and_(Booking.status == BookingStatus.CHECKED_IN, Booking.end <= at),
    )


# One statement for both transitions. (An UPDATE's bound parameters cannot share a column's
# name.)
_SETTLE = (
    update(Booking)
    .where(lapsed(bindparam("at")))
    .values(
        status=case(
            (Booking.status == BookingStatus.CONFIRMED, BookingStatus.NO_SHOW),
            else_=BookingStatus.COMPLETED,
        )
    )
    .execution_options(synchronize_session=False)
)
_SETTLE_SCOPED = _SETTLE.where(
    or_(
        Booking.desk_id == bindparam("scope_desk_id"),
        Booking.member_id == bindparam("scope_member_id"),
    )
)
#: Whether :func:`settle` for ``desk_id`` and ``member_id`` as of ``now`` has anything to do.
UNSETTLED = exists().where(
    or_(Booking.desk_id == bindparam("desk_id"), Booking.member_id == bindparam("member_id")),
    lapsed(_NOW),
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
        result = await execute_plain(session, _SETTLE, {"at": now})
    else:
        values = {"at": now, "scope_desk_id": desk_id, "scope_member_id": member_id}
        result = await execute_plain(session, _SETTLE_SCOPED, values)
    return int(result.rowcount or 0)


async def cancel_between(
    session: AsyncSession, *, location_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> int:
    """Cancel the location's confirmed bookings that start in ``[start, end)`` and have not
    started: a booking under way or checked in is left alone."""
    result = await session.execute(
        update(Booking)
        .where(
            Booking.desk_id.in_(select(Desk.id).where(Desk.location_id == location_id)),
            Booking.start >= start,
            Booking.start < end,
            Booking.start > now,
            Booking.status == BookingStatus.CONFIRMED,
        )
        .values(status=BookingStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
