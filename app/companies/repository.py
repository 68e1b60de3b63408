"""Every query about companies, their people and invitations, and the company's seats."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository as booking_repository
from app.core.enums import BookingStatus, CompanyRole, CompanyStatus, Role
from app.core.sql import held_after, seconds_of, values_table
from app.models import Booking, Company, CompanyMember, Invitation, Member


async def get(session: AsyncSession, company_id: uuid.UUID) -> Company | None:
    return await session.get(Company, company_id)


async def lock(session: AsyncSession, company_id: uuid.UUID) -> Company | None:
    """The company row, locked until the transaction ends (PostgreSQL; SQLite serialises
    writes anyway) and read fresh, so a status or seat change committed meanwhile is seen."""
    statement = (
        select(Company)
        .where(Company.id == company_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def pending_administered(session: AsyncSession, member_id: uuid.UUID) -> int:
    """How many still pending companies the member admins (registering makes the admin)."""
    statement = (
        select(func.count())
        .select_from(CompanyMember)
        .join(Company, Company.id == CompanyMember.company_id)
        .where(
            CompanyMember.member_id == member_id,
            CompanyMember.company_role == CompanyRole.ADMIN,
            Company.status == CompanyStatus.PENDING,
        )
    )
    return (await session.scalar(statement)) or 0


async def roles_of(session: AsyncSession, company_id: uuid.UUID, member_id: uuid.UUID) -> set[str]:
    statement = select(CompanyMember.company_role).where(
        CompanyMember.company_id == company_id, CompanyMember.member_id == member_id
    )
    return set((await session.scalars(statement)).all())


def readable_by(caller: Member) -> Select[Company]:
    """Operators read every company, others the companies they admin or work for."""
    statement = select(Company)
    if caller.role != Role.OPERATOR:
        statement = statement.where(
            Company.id.in_(
                select(CompanyMember.company_id).where(CompanyMember.member_id == caller.id)
            )
        )
    return statement.order_by(Company.name, Company.id)


async def companies_of(session: AsyncSession, member_id: uuid.UUID) -> list[tuple[Company, str]]:
    """Each company the member belongs to with the member's role there (a company twice when
    the member both admins it and works for it); ordered by name, then id, admins first."""
    statement = (
        select(Company, CompanyMember.company_role)
        .join(CompanyMember, CompanyMember.company_id == Company.id)
        .where(CompanyMember.member_id == member_id)
        .order_by(Company.name, Company.id, CompanyMember.company_role)
    )
    return [(company, role) for company, role in (await session.execute(statement)).all()]


#: The company the member (bound ``member_id``) is an employee of: at most one (a unique
#: index). Built once: every booking asks (app.bookings.checks).
EMPLOYER = select(CompanyMember.company_id).where(
    CompanyMember.member_id == bindparam("member_id"),
    CompanyMember.company_role == CompanyRole.EMPLOYEE,
)


async def employer_of(session: AsyncSession, member_id: uuid.UUID) -> uuid.UUID | None:
    """The company the member is an employee of, if any."""
    return (await session.scalars(EMPLOYER, {"member_id": member_id})).one_or_none()


async def employment(
    session: AsyncSession, company_id: uuid.UUID, member_id: uuid.UUID
) -> CompanyMember | None:
    return await session.get(CompanyMember, (company_id, member_id, CompanyRole.EMPLOYEE))


@dataclass(frozen=True)
class EmployeeRow:
    member: Member
    joined_at: datetime
    is_admin: bool


async def employees(
    session: AsyncSession,
    company_id: uuid.UUID,
    *,
    member_id: uuid.UUID | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[EmployeeRow], int]:
    """A page of the company's employees, whether each also admins it, and their total;
    ordered by joining time, then member id."""
    admins = select(CompanyMember.member_id).where(
        CompanyMember.company_id == company_id, CompanyMember.company_role == CompanyRole.ADMIN
    )
    # Erased members are anonymous statistics profiles, nobody's colleagues.
    condition = and_(
        CompanyMember.company_id == company_id,
        CompanyMember.company_role == CompanyRole.EMPLOYEE,
        CompanyMember.member_id.in_(select(Member.id).where(Member.erased_at.is_(None))),
    )
    if member_id is not None:
        condition = and_(condition, CompanyMember.member_id == member_id)
    statement = (
        select(Member, CompanyMember.joined_at, Member.id.in_(admins))
        .join(CompanyMember, CompanyMember.member_id == Member.id)
        .where(condition)
        .order_by(CompanyMember.joined_at, Member.id)
        .limit(limit)
        .offset(offset)
    )
    total = await session.scalar(select(func.count()).select_from(CompanyMember).where(condition))
    rows = (await session.execute(statement)).all()
    return [EmployeeRow(member, joined, bool(admin)) for member, joined, admin in rows], total or 0


async def invitation_by_hash(session: AsyncSession, token_hash: str) -> Invitation | None:
    statement = select(Invitation).where(Invitation.token_hash == token_hash).with_for_update()
    return (await session.scalars(statement)).one_or_none()


async def get_invitation(
    session: AsyncSession, company_id: uuid.UUID, invitation_id: uuid.UUID
) -> Invitation | None:
    """An invitation of the company that was not withdrawn."""
    statement = select(Invitation).where(
        Invitation.id == invitation_id,
        Invitation.company_id == company_id,
        Invitation.revoked_at.is_(None),
    )
    return (await session.scalars(statement)).one_or_none()


def invitations(company_id: uuid.UUID) -> Select[Invitation]:
    """The company's invitations that were not withdrawn; newest first, then id."""
    return (
        select(Invitation)
        .where(Invitation.company_id == company_id, Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id)
    )


async def nth_latest_invitation_since(
    session: AsyncSession, company_id: uuid.UUID, *, since: datetime, n: int
) -> datetime | None:
    """When the company created its ``n``-th latest invitation, if that was after ``since``
    (withdrawn ones included): ``None`` while it created fewer than ``n`` since then."""
    statement = (
        select(Invitation.created_at)
        .where(Invitation.company_id == company_id, Invitation.created_at > since)
        .order_by(Invitation.created_at.desc())
        .offset(n - 1)
        .limit(1)
    )
    return (await session.scalars(statement)).one_or_none()


async def held_invitations(session: AsyncSession, company_id: uuid.UUID) -> list[Invitation]:
    """The company's invitations whose mail is held, oldest first, locked."""
    statement = (
        select(Invitation)
        .where(Invitation.company_id == company_id, Invitation.mail_status == "held")
        .order_by(Invitation.created_at, Invitation.id)
        .with_for_update()
    )
    return list((await session.scalars(statement)).all())


def _seat_holders(company_id: uuid.UUID, now: datetime) -> ColumnElement[bool]:
    return and_(
        Booking.company_id == company_id,
        Booking.is_workplace.is_(True),
        booking_repository.holds_desk(now),
    )


async def peak_seats(
    session: AsyncSession, *, company_id: uuid.UUID, start: datetime, end: datetime, now: datetime
) -> int:
    """The most company seats held at any one instant of ``[start, end)``.

    Half-open intervals: a booking ending when another starts is not concurrent with it. The
    peak is found by sweeping the (few) overlapping bookings in time order.
    """
    statement = select(Booking.start, Booking.end).where(
        _seat_holders(company_id, now), booking_repository.overlaps(start, end)
    )
    events: list[tuple[datetime, int]] = []
    for booked_start, booked_end in (await session.execute(statement)).all():
        events.append((max(booked_start, start), 1))
        events.append((min(booked_end, end), -1))
    # Ends sort before starts at the same instant (-1 < 1): back-to-back is not overlap.
    peak = held = 0
    for _instant, change in sorted(events):
        held += change
        peak = max(peak, held)
    return peak


async def privatise_future_bookings(
    session: AsyncSession, *, company_id: uuid.UUID, member_id: uuid.UUID, now: datetime
) -> int:
    """A removed employee's bookings that have not started leave the company's seats."""
    result = await session.execute(
        update(Booking)
        .where(
            Booking.company_id == company_id,
            Booking.member_id == member_id,
            Booking.start > now,
            booking_repository.holds_desk(now),
        )
        .values(company_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


#: The days around a range whose bookings can still run at a start inside it.
EVENT_MARGIN = timedelta(days=2)


async def usage_by_day(
    session: AsyncSession, *, company_id: uuid.UUID, first: date, last: date
) -> dict[date, tuple[float, int]]:
    """Per local day: booked seconds and peak concurrent bookings of the company's
    non-cancelled bookings. Aggregated in SQL; no member ever leaves the database.

    A day's peak is the largest running count right after one of its starts, as the
    statistics count seat peaks (:func:`app.core.sql.held_after`): linear in the bookings.
    """
    held_by_company = and_(
        Booking.company_id == company_id, Booking.status != BookingStatus.CANCELLED
    )
    counted = and_(held_by_company, Booking.local_date >= first, Booking.local_date <= last)
    booked = (
        select(Booking.local_date, func.sum(seconds_of(Booking.end) - seconds_of(Booking.start)))
        .where(counted)
        .group_by(Booking.local_date)
    )
    deltas = values_table("seat_deltas", ["delta"], [(1,), (-1,)])
    at = seconds_of(case((deltas.c.delta == 1, Booking.start), else_=Booking.end))
    # Every booking that can run at a counted start: none lasts over a day, and local dates
    # of two zones lie less than two days apart.
    events = (
        select(Booking.local_date.label("day"), deltas.c.delta, at.label("at"))
        .join(deltas, true())
        .where(
            held_by_company,
            Booking.local_date >= first - EVENT_MARGIN,
            Booking.local_date <= last + EVENT_MARGIN,
        )
        .subquery("seat_events")
    )
    held = select(
        events.c.day, events.c.delta, held_after(events.c.delta, at=events.c.at).label("held")
    ).subquery("seats_held")
    peaks = (
        select(held.c.day, func.max(held.c.held))
        .where(held.c.delta == 1, held.c.day >= first, held.c.day <= last)
        .group_by(held.c.day)
    )
    seconds: dict[date, float] = {
        day: float(total or 0)
        for day, total in (await session.execute(booked)).all()
        if day is not None  # never: counted bookings have a local date
    }
    peak: dict[date, int] = {day: int(n) for day, n in (await session.execute(peaks)).all()}
    return {day: (seconds.get(day, 0.0), peak.get(day, 0)) for day in seconds.keys() | peak}
