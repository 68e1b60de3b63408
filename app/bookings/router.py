import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from sqlalchemy import Select

from app.auth.dependencies import CurrentMember
from app.bookings import repository, service
from app.bookings.dependencies import ReadableBooking
from app.bookings.schemas import BookingCreate, BookingRead
from app.core import clock
from app.core.db import DbSession
from app.core.enums import BookingStatus
from app.core.errors import (
    BookingConflict,
    CompanySeatsExhausted,
    Conflict,
    Forbidden,
    IdempotencyKeyReused,
    MemberDoubleBooked,
    NotAuthenticated,
    NotFound,
    OutsideOpeningHours,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, PageParams, Pagination, paginate
from app.core.schemas import Instant
from app.models import Booking

router = APIRouter(
    prefix="/bookings",
    tags=["bookings"],
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)
me_router = APIRouter(
    prefix="/me", tags=["me"], responses=problem_responses(NotAuthenticated, ValidationFailed)
)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a create safely: the same key within 24 h returns the first booking.",
    ),
]


def _read(booking: Booking) -> BookingRead:
    status = service.current_status(booking, clock.now())
    return BookingRead.model_validate(booking).model_copy(update={"status": status})


async def _page(
    session: DbSession, statement: Select[Booking], page: PageParams
) -> Page[BookingRead]:
    rows, total = await paginate(session, statement, page)
    return Page[BookingRead](
        items=[_read(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Book a desk or room",
    responses=problem_responses(
        NotFound,
        OutsideOpeningHours,
        IdempotencyKeyReused,
        BookingConflict,
        MemberDoubleBooked,
        CompanySeatsExhausted,
        Conflict,
    ),
)
async def create_booking(
    body: BookingCreate,
    member: CurrentMember,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> BookingRead:
    """Rules, in the order they are checked: the desk exists (404) and is active (422);
    `end` after `start`, `start` not in the past, the duration within the location's limits,
    `start` at most `max_advance_days` ahead (422 `validation-error`); the interval inside one
    opening interval of one local day that is not a closure day (422
    `outside-opening-hours`); fewer than `max_active_bookings_per_member` upcoming bookings at
    the location (409 `conflict`); the desk free (409 `booking-conflict`); for desks and
    parent-and-child rooms, no other workplace of yours at the same time (409
    `member-double-booked`). Intervals are half-open. Times must carry an offset.

    Company seats: while your company is `active`, a desk or parent-and-child room booking
    carries its `company_id` and takes one of its seats; when the company already holds all
    its seats at some instant of the interval the answer is 409 `company-seats-exhausted`.
    Pending or suspended companies grant no seats (the booking is private).

    Plan entitlement: any other booking uses the local day (location time zone) it falls on
    from your membership valid that day (`/me/memberships`), or else from the location's
    default plan (`/locations/{id}/default-plan`; none set: unlimited). Several bookings on
    one day use it once; cancelled bookings free it. With no included day left: 409
    `conflict`."""
    booking = await service.create(
        session, member=member, data=body, idempotency_key=idempotency_key
    )
    return _read(booking)


@router.get("", summary="List bookings", responses=problem_responses(Forbidden))
async def list_bookings(
    session: DbSession,
    caller: CurrentMember,
    page: Pagination,
    location_id: uuid.UUID | None = None,
    desk_id: uuid.UUID | None = None,
    member_id: uuid.UUID | None = None,
    status: BookingStatus | None = None,
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Annotated[Instant | None, Query()] = None,
) -> Page[BookingRead]:
    """Operators see all bookings, members their own; company admins also the bookings on
    their company's seats. `from`/`to` (with offset) select the
    bookings overlapping `[from, to)`. Ordered by start, then id."""
    if from_ is not None and to is not None and to <= from_:
        raise ValidationFailed("`to` must be after `from`.")
    statement = repository.search(
        repository.readable_by(caller),
        now=clock.now(),
        location_id=location_id,
        desk_id=desk_id,
        member_id=member_id,
        status=status,
        start=from_,
        end=to,
    )
    return await _page(session, statement, page)


@router.get("/{booking_id}", summary="A booking", responses=problem_responses(NotFound))
async def read_booking(booking: ReadableBooking) -> BookingRead:
    return _read(booking)


@router.post(
    "/{booking_id}/cancel",
    summary="Cancel a booking",
    responses=problem_responses(NotFound, Forbidden, Conflict),
)
async def cancel_booking(
    booking: ReadableBooking, caller: CurrentMember, session: DbSession
) -> BookingRead:
    """The owner may cancel a confirmed booking before it starts, an operator at any time
    (409 `conflict` otherwise)."""
    return _read(await service.cancel(session, booking=booking, caller=caller))


@router.post(
    "/{booking_id}/check-in",
    summary="Check in",
    responses=problem_responses(NotFound, Forbidden, Conflict),
)
async def check_in(
    booking: ReadableBooking, caller: CurrentMember, session: DbSession
) -> BookingRead:
    """The owner checks in from 15 minutes before the start until start + the location's
    grace; outside that window 409 `conflict` says when it opens or closed."""
    return _read(await service.check_in(session, booking=booking, caller=caller))


@router.post(
    "/{booking_id}/check-out",
    summary="Check out",
    responses=problem_responses(NotFound, Forbidden, Conflict),
)
async def check_out(
    booking: ReadableBooking, caller: CurrentMember, session: DbSession
) -> BookingRead:
    """The owner or an operator checks out a checked-in booking; it becomes `completed`."""
    return _read(await service.check_out(session, booking=booking, caller=caller))


@me_router.get("/bookings", summary="Your bookings")
async def list_my_bookings(
    session: DbSession,
    member: CurrentMember,
    page: Pagination,
    status: BookingStatus | None = None,
) -> Page[BookingRead]:
    """Ordered by start, then id."""
    statement = repository.search(
        repository.readable_by(member), now=clock.now(), member_id=member.id, status=status
    )
    return await _page(session, statement, page)
