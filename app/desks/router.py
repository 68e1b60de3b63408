import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth.dependencies import OperatorOnly, OptionalMember
from app.bookings import service as booking_service
from app.core import clock
from app.core.db import DbSession
from app.core.enums import DeskKind, Role
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    OutsideOpeningHours,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, Pagination, page_of, paginate
from app.core.schemas import CalendarDate, Instant
from app.desks import repository, service
from app.desks.dependencies import ValidDesk
from app.desks.schemas import (
    BusyInterval,
    DeskCreate,
    DeskRead,
    DeskSchedule,
    DeskUpdate,
    Interval,
)
from app.locations import repository as location_repository

router = APIRouter(tags=["desks"])
OPERATOR_ERRORS = problem_responses(NotAuthenticated, Forbidden, ValidationFailed)
FeatureFilter = Annotated[str | None, Query(max_length=40, description="Has this feature")]


@router.get("/desks", summary="List desks and rooms", responses=problem_responses(ValidationFailed))
async def list_desks(
    session: DbSession,
    page: Pagination,
    location_id: uuid.UUID | None = None,
    kind: DeskKind | None = None,
    feature: FeatureFilter = None,
) -> Page[DeskRead]:
    """Public; inactive desks included (see `active`). Ordered by location, then name."""
    statement = repository.search(location_id=location_id, kind=kind, feature=feature)
    rows, total = await paginate(session, statement, page)
    return page_of(DeskRead, rows, total, page)


@router.post(
    "/desks",
    status_code=status.HTTP_201_CREATED,
    summary="Create a desk or room (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound, Conflict)},
)
async def create_desk(body: DeskCreate, session: DbSession, actor: OperatorOnly) -> DeskRead:
    """`name` is unique per location (409). A `desk` has capacity 1."""
    if await location_repository.get(session, body.location_id) is None:
        raise NotFound("No such location.")
    return DeskRead.model_validate(await service.create(session, actor=actor, data=body))


@router.get(
    "/desks/{desk_id}",
    summary="A desk or room",
    responses=problem_responses(NotFound, ValidationFailed),
)
async def read_desk(desk: ValidDesk) -> DeskRead:
    return DeskRead.model_validate(desk)


@router.patch(
    "/desks/{desk_id}",
    summary="Change a desk or room (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound, Conflict)},
)
async def update_desk(
    body: DeskUpdate, desk: ValidDesk, session: DbSession, actor: OperatorOnly
) -> DeskRead:
    """Deactivating keeps the desk's bookings and refuses new ones."""
    return DeskRead.model_validate(
        await service.update(session, actor=actor, desk=desk, changes=body)
    )


@router.get(
    "/desks/{desk_id}/schedule",
    summary="A desk's day: opening intervals and busy times",
    responses=problem_responses(NotFound, ValidationFailed),
    response_model_exclude_none=True,
)
async def read_desk_schedule(
    desk: ValidDesk,
    session: DbSession,
    caller: OptionalMember,
    day: Annotated[CalendarDate, Query(alias="date", description="Local date YYYY-MM-DD")],
) -> DeskSchedule:
    """Public. Busy intervals are the active bookings of that local day, ordered by start;
    only operators see which booking and member they belong to (`booking_id`, `member_id`
    are left out for everybody else)."""
    location = await location_repository.get(session, desk.location_id)
    assert location is not None
    closed, intervals, bookings = await booking_service.desk_schedule(
        session, desk=desk, location=location, day=day
    )
    operator = caller is not None and caller.role == Role.OPERATOR
    now = clock.now()
    return DeskSchedule(
        desk_id=desk.id,
        date=day,
        timezone=location.timezone,
        closed=closed,
        opening_intervals=[Interval(start=start, end=end) for start, end in intervals],
        busy=[
            BusyInterval(
                start=booking.start,
                end=booking.end,
                status=booking_service.current_status(booking, now),
                booking_id=booking.id if operator else None,
                member_id=booking.member_id if operator else None,
            )
            for booking in bookings
        ],
    )


@router.get(
    "/availability",
    summary="Desks free for a whole interval",
    tags=["bookings"],
    responses=problem_responses(NotFound, ValidationFailed, OutsideOpeningHours),
)
async def list_available_desks(
    session: DbSession,
    page: Pagination,
    location_id: uuid.UUID,
    start: Annotated[Instant, Query(description="With offset")],
    end: Annotated[Instant, Query(description="With offset")],
    kind: DeskKind | None = None,
    feature: FeatureFilter = None,
) -> Page[DeskRead]:
    """Public. Applies the booking rules (opening hours, closures, active desks, durations,
    advance limit): an interval nobody could book answers the 422 a booking would get.
    Ordered by name."""
    location = await location_repository.get(session, location_id)
    if location is None:
        raise NotFound("No such location.")
    statement = await booking_service.available_desks(
        session, location=location, start=start, end=end, kind=kind, feature=feature
    )
    rows, total = await paginate(session, statement, page)
    return page_of(DeskRead, rows, total, page)
