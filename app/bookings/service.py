"""The booking rules: what may be booked, by whom, and how a booking moves through its states.

The double-booking rules live here (checked first, for a clear answer) and in the database:
on PostgreSQL the exclusion constraints of migration 0001 make two overlapping active bookings
of one desk, or two overlapping workplace bookings of one member, impossible even when
requests race; the loser's insert fails and is answered 409 like the checks below. On SQLite
the write transaction is ``BEGIN IMMEDIATE``, so the checks and the insert run alone.
The company seat rule is :func:`app.companies.service.claim_seat` (it locks the company row),
plan entitlement :func:`app.plans.service.claim_day`; both run inside :func:`create`.

The lock order on PostgreSQL (SQLite serialises writers instead). A booking takes, in its first
statement, the member's row FOR UPDATE and then the location's FOR KEY SHARE, later the
company's row (the seat rule). Whatever changes what a booking may be takes one of these
before any other lock or write: an erasure or an employee's removal the member's row
(:func:`app.members.repository.lock`), a closure the location's FOR UPDATE
(:func:`app.locations.repository.lock`). Each later statement of a booking reads anew (READ
COMMITTED), so a booking either commits before such a change, which then sees it, or sees the
change committed.
"""

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.bookings import checks, repository
from app.bookings.schemas import BookingCreate
from app.companies import service as company_service
from app.core import clock
from app.core.db import raise_for_integrity
from app.core.enums import BookingStatus, Role
from app.core.errors import (
    BookingConflict,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    MemberDoubleBooked,
    NotAuthenticated,
    NotFound,
    OutsideOpeningHours,
    ValidationFailed,
)
from app.desks import repository as desk_repository
from app.locations import repository as location_repository
from app.locations.hours import local_date, local_instant, opening_intervals
from app.models import Booking, Desk, Location, Member
from app.models.booking import lead_seconds_of
from app.models.desk import WORKPLACE_KINDS
from app.plans import service as plan_service

CHECK_IN_OPENS_BEFORE = timedelta(minutes=15)
IDEMPOTENCY_WINDOW = timedelta(hours=24)
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def current_status(booking: Booking, now: datetime) -> BookingStatus:
    """The status as of ``now``; the SQL twin is :func:`repository.current_status`."""
    if booking.status == BookingStatus.CONFIRMED and booking.check_in_until < now:
        return BookingStatus.NO_SHOW
    if booking.status == BookingStatus.CHECKED_IN and booking.end <= now:
        return BookingStatus.COMPLETED
    return BookingStatus(booking.status)


class LocationRules(Protocol):
    """What the booking rules read of a location: a :class:`Location` or the plain values of
    :class:`repository.BookableDesk`."""

    @property
    def timezone(self) -> str: ...
    @property
    def opening_hours(self) -> list[dict[str, Any]]: ...
    @property
    def booking_rules(self) -> dict[str, int]: ...


def check_interval(
    *, location: LocationRules, start: datetime, end: datetime, now: datetime
) -> None:
    """The location's rules for any interval (422 ``validation-error``); no database needed."""
    rules = location.booking_rules
    if end <= start:
        raise ValidationFailed("end must be after start.")
    if start < now:
        raise ValidationFailed("start is in the past.")
    minutes = (end - start).total_seconds() / 60
    if not rules["min_duration_minutes"] <= minutes <= rules["max_duration_minutes"]:
        raise ValidationFailed(
            "A booking lasts {least} to {most} minutes; this one lasts {minutes}.",
            least=rules["min_duration_minutes"],
            most=rules["max_duration_minutes"],
            minutes=f"{minutes:g}",
        )
    if start > now + timedelta(days=rules["max_advance_days"]):
        raise ValidationFailed(
            "Bookings open {days} days in advance at this location.",
            days=rules["max_advance_days"],
        )


def check_open(
    *, location: LocationRules, start: datetime, end: datetime, day: date, closed: bool
) -> None:
    """The interval inside one opening interval of its local ``day``, which is no closure day
    (422 ``outside-opening-hours``)."""
    if closed:
        raise OutsideOpeningHours("The location is closed on {day}.", day=day)
    intervals = opening_intervals(location.opening_hours, location.timezone, day)
    if not any(opens <= start and end <= closes for opens, closes in intervals):
        raise OutsideOpeningHours(
            "The booking must lie within one opening interval of the location "
            "({timezone}) on {day}.",
            timezone=location.timezone,
            day=day,
        )


async def check_bookable_interval(
    session: AsyncSession, *, location: Location, start: datetime, end: datetime, now: datetime
) -> None:
    """The rules any booking of the location must meet, whoever books which desk."""
    check_interval(location=location, start=start, end=end, now=now)
    day = local_date(start, location.timezone)
    closed = await location_repository.is_closed(session, location.id, day)
    check_open(location=location, start=start, end=end, day=day, closed=closed)


async def desk_for_booking(
    session: AsyncSession, *, desk_id: uuid.UUID, member_id: uuid.UUID
) -> repository.BookableDesk:
    """The desk and its location (404 when there is no such desk); locks the member's row
    and shares the location's. A member erased or deactivated since they were authenticated
    is refused as their token now would be (401)."""
    found = await repository.desk_for_booking(session, desk_id=desk_id, member_id=member_id)
    if found is None:
        raise NotFound("No such desk.")
    if not found.member_active:
        raise NotAuthenticated("The account is not active.")
    return found


def _fingerprint(data: BookingCreate) -> str:
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replay(
    session: AsyncSession, *, member: Member, key: str, data: BookingCreate, now: datetime
) -> Booking | None:
    """The booking first made with this idempotency key in the last 24 h, if any."""
    previous = await repository.find_by_idempotency_key(session, member.id, key)
    if previous is None:
        return None
    if previous.created_at <= now - IDEMPOTENCY_WINDOW:
        previous.idempotency_key = None  # expired: the key is free again
        await session.flush()
        return None
    if previous.idempotency_fingerprint != _fingerprint(data):
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request in the last 24 hours."
        )
    return previous


def _raise_for_checks(
    found: checks.BookingChecks,
    *,
    location: LocationRules,
    data: BookingCreate,
    day: date,
    is_workplace: bool,
) -> None:
    """The rules read by :func:`checks.read`, in the order ``POST /bookings`` documents."""
    check_open(location=location, start=data.start, end=data.end, day=day, closed=found.closed)
    limit = location.booking_rules["max_active_bookings_per_member"]
    if found.upcoming >= limit:
        raise Conflict(
            "You already hold {count} upcoming bookings here, the most allowed.",
            count=found.upcoming,
        )
    if found.desk_taken:
        raise BookingConflict("The desk is already booked for part of this time.")
    if is_workplace and found.workplace_held:
        raise MemberDoubleBooked("You already hold another workplace for part of this time.")


async def create(
    session: AsyncSession,
    *,
    member: Member,
    data: BookingCreate,
    idempotency_key: str | None = None,
) -> Booking:
    """Book a desk for the member, or return the booking this idempotency key already made."""
    now = clock.now()
    # One booking request of a member at a time (this read locks the member's row): the
    # quota and the idempotency key are then exact.
    desk = await desk_for_booking(session, desk_id=data.desk_id, member_id=member.id)
    if idempotency_key is not None:
        previous = await _replay(session, member=member, key=idempotency_key, data=data, now=now)
        if previous is not None:
            return previous
    if not desk.active:
        raise ValidationFailed("The desk is deactivated and takes no new bookings.")
    check_interval(location=desk, start=data.start, end=data.end, now=now)
    day = local_date(data.start, desk.timezone)
    found = await checks.read(
        session,
        member_id=member.id,
        desk_id=desk.id,
        location_id=desk.location_id,
        start=data.start,
        end=data.end,
        day=day,
        now=now,
    )
    is_workplace = desk.kind in WORKPLACE_KINDS
    _raise_for_checks(found, location=desk, data=data, day=day, is_workplace=is_workplace)
    # PostgreSQL's exclusion constraints look at the stored status: a lapsed booking of the
    # desk or the member must be stored as such before the insert, or it would still count.
    # The checks saw whether there is one (as of ``now``, as settle decides); mostly not.
    if found.unsettled:
        await repository.settle(session, now=now, desk_id=desk.id, member_id=member.id)
    # A workplace of an active company's employee takes one of its seats (409 when none is
    # left); any other booking uses a day of the member's plan (409 when none is left).
    company_id = None
    if is_workplace:
        company_id = await company_service.claim_seat(
            session, employer_id=found.employer_id, start=data.start, end=data.end, now=now
        )
    membership_id = None
    if company_id is None:
        membership_id = await plan_service.claim_day(
            session, member_id=member.id, location_id=desk.location_id, day=day, facts=found.day
        )

    grace = timedelta(minutes=desk.booking_rules["check_in_grace_minutes"])
    booking = Booking(
        id=uuid.uuid4(),
        desk_id=desk.id,
        member_id=member.id,
        company_id=company_id,
        start=data.start,
        end=data.end,
        status=BookingStatus.CONFIRMED,
        note=data.note,
        is_workplace=is_workplace,
        local_date=day,
        membership_id=membership_id,
        check_in_until=min(data.start + grace, data.end),
        created_at=now,
        lead_seconds=lead_seconds_of(data.start, now),
        checked_in_at=None,
        checked_out_at=None,
        cancelled_at=None,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=_fingerprint(data) if idempotency_key else None,
    )
    try:
        await repository.add(session, booking)
    except IntegrityError as error:
        raise_for_integrity(
            error,
            {
                "ex_bookings_desk_overlap": BookingConflict(
                    "The desk is already booked for part of this time."
                ),
                "ex_bookings_member_workplace_overlap": MemberDoubleBooked(
                    "You already hold another workplace for part of this time."
                ),
            },
        )
    except DBAPIError as error:
        # Two inserts racing for one desk can wait on each other in the exclusion constraint;
        # PostgreSQL then aborts one of them, and that one lost the race.
        if getattr(error.orig, "sqlstate", None) == DEADLOCK_DETECTED:
            raise BookingConflict("The desk is already booked for part of this time.") from error
        raise
    return booking


async def cancel(session: AsyncSession, *, booking: Booking, caller: Member) -> Booking:
    """The owner cancels before the start; an operator at any time. Only confirmed bookings."""
    now = clock.now()
    if caller.role != Role.OPERATOR and booking.member_id != caller.id:
        # A company admin reads the company's bookings but cancels only their own.
        raise Forbidden("Only the member who booked or an operator can cancel.")
    if current_status(booking, now) != BookingStatus.CONFIRMED:
        raise Conflict(
            "The booking is {status}, not confirmed.", status=current_status(booking, now)
        )
    if caller.role != Role.OPERATOR and now >= booking.start:
        raise Conflict("The booking has started; it can no longer be cancelled.")
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    await session.flush()
    if caller.role == Role.OPERATOR and caller.id != booking.member_id:
        await audit.record(
            session,
            actor=caller,
            action="booking.cancelled_by_operator",
            target_type="booking",
            target_id=booking.id,
            before={"status": BookingStatus.CONFIRMED},
            after={"status": BookingStatus.CANCELLED},
        )
    return booking


def check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    """When the booking can be checked in: from 15 minutes before its start until start +
    the location's grace (both included)."""
    return booking.start - CHECK_IN_OPENS_BEFORE, booking.check_in_until


async def check_in(session: AsyncSession, *, booking: Booking, caller: Member) -> Booking:
    """The owner checks in from 15 minutes before the start until start + grace."""
    now = clock.now()
    opens, closes = check_in_window(booking)
    if booking.member_id != caller.id:
        raise Forbidden("Only the member who booked can check in.")
    if booking.status == BookingStatus.CONFIRMED and now > closes:
        raise Conflict("Check-in closed at {closed}; the booking is a no-show.", closed=closes)
    status = current_status(booking, now)
    if status != BookingStatus.CONFIRMED:
        raise Conflict(
            "The booking is {status}; only a confirmed booking can be checked in.", status=status
        )
    if now < opens:
        raise Conflict("Check-in opens at {opens}.", opens=opens)
    booking.status = BookingStatus.CHECKED_IN
    booking.checked_in_at = now
    await session.flush()
    return booking


async def check_out(session: AsyncSession, *, booking: Booking, caller: Member) -> Booking:
    """The owner or an operator ends a checked-in booking; it becomes ``completed``."""
    now = clock.now()
    if caller.role != Role.OPERATOR and booking.member_id != caller.id:
        raise Forbidden("Only the member who booked or an operator can check out.")
    status = current_status(booking, now)
    if status != BookingStatus.CHECKED_IN:
        raise Conflict(
            "The booking is {status}; only a checked-in booking can be checked out.",
            status=status,
        )
    booking.status = BookingStatus.COMPLETED
    booking.checked_out_at = now
    await session.flush()
    return booking


async def cancel_at_location(
    session: AsyncSession, *, location_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    """Cancel the location's confirmed bookings starting in ``[start, end)`` that have not
    started (a closure); bookings under way or checked in stay."""
    return await repository.cancel_between(
        session, location_id=location_id, start=start, end=end, now=clock.now()
    )


async def available_desks(
    session: AsyncSession,
    *,
    location: Location,
    start: datetime,
    end: datetime,
    kind: str | None,
    feature: str | None,
) -> Select[Desk]:
    """The active desks of the location free for all of ``[start, end)``.

    An interval nobody could book answers the problem a booking would get.
    """
    now = clock.now()
    await check_bookable_interval(session, location=location, start=start, end=end, now=now)
    return desk_repository.search(
        location_id=location.id, kind=kind, feature=feature, active_only=True
    ).where(Desk.id.not_in(repository.busy_desks(start, end, now)))


async def location_schedule(
    session: AsyncSession, *, location: Location, day: date
) -> tuple[bool, list[tuple[datetime, datetime]], list[Booking]]:
    """A local day of a location: closed or not, its opening intervals, the active bookings
    of all its desks (by start)."""
    zone = ZoneInfo(location.timezone)
    closed = await location_repository.is_closed(session, location.id, day)
    intervals = [] if closed else opening_intervals(location.opening_hours, location.timezone, day)
    busy = await repository.active_bookings_between(
        session,
        location_id=location.id,
        start=local_instant(zone, day, 0),
        end=local_instant(zone, day + timedelta(days=1), 0),
        now=clock.now(),
    )
    return closed, intervals, busy


async def desk_schedule(
    session: AsyncSession, *, desk: Desk, location: Location, day: date
) -> tuple[bool, list[tuple[datetime, datetime]], list[Booking]]:
    """A local day of a desk: closed or not, its opening intervals, its active bookings."""
    zone = ZoneInfo(location.timezone)
    closed = await location_repository.is_closed(session, location.id, day)
    intervals = [] if closed else opening_intervals(location.opening_hours, location.timezone, day)
    busy = await repository.active_bookings_between(
        session,
        desk_id=desk.id,
        start=local_instant(zone, day, 0),
        end=local_instant(zone, day + timedelta(days=1), 0),
        now=clock.now(),
    )
    return closed, intervals, busy
