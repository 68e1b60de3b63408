import uuid

from fastapi import APIRouter, status

from app.auth.dependencies import OperatorOnly
from app.core.db import DbSession
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, Pagination, page_of, paginate
from app.locations import repository, service
from app.locations.dependencies import ValidLocation
from app.locations.schemas import (
    ClosureCreate,
    ClosureCreated,
    ClosureRead,
    LocationCreate,
    LocationRead,
    LocationUpdate,
)

router = APIRouter(prefix="/locations", tags=["locations"])
OPERATOR_ERRORS = problem_responses(NotAuthenticated, Forbidden, ValidationFailed)


@router.get("", summary="List locations", responses=problem_responses(ValidationFailed))
async def list_locations(session: DbSession, page: Pagination) -> Page[LocationRead]:
    """Public. Ordered by name."""
    rows, total = await paginate(session, repository.all_locations(), page)
    return page_of(LocationRead, rows, total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a location (operator)",
    responses=OPERATOR_ERRORS,
)
async def create_location(
    body: LocationCreate, session: DbSession, actor: OperatorOnly
) -> LocationRead:
    """Opening hours are wall-clock times in the location's time zone (`closes` may be
    `"24:00"`, a weekday may have several intervals or none; intervals of a day must not
    overlap). `booking_rules` default to the design's values."""
    return LocationRead.model_validate(await service.create(session, actor=actor, data=body))


@router.get(
    "/{location_id}",
    summary="A location",
    responses=problem_responses(NotFound, ValidationFailed),
)
async def read_location(location: ValidLocation) -> LocationRead:
    return LocationRead.model_validate(location)


@router.patch(
    "/{location_id}",
    summary="Change a location (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound)},
)
async def update_location(
    body: LocationUpdate, location: ValidLocation, session: DbSession, actor: OperatorOnly
) -> LocationRead:
    """New opening hours and rules apply to new bookings; existing bookings stay."""
    location = await service.update(session, actor=actor, location=location, changes=body)
    return LocationRead.model_validate(location)


@router.get(
    "/{location_id}/closures",
    summary="Closure days of a location",
    responses=problem_responses(NotFound, ValidationFailed),
)
async def list_closures(
    location: ValidLocation, session: DbSession, page: Pagination
) -> Page[ClosureRead]:
    """Public. Ordered by date."""
    rows, total = await paginate(session, repository.closures_of(location.id), page)
    return page_of(ClosureRead, rows, total, page)


@router.post(
    "/{location_id}/closures",
    status_code=status.HTTP_201_CREATED,
    summary="Close a location for a day (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound, Conflict)},
)
async def create_closure(
    body: ClosureCreate, location: ValidLocation, session: DbSession, actor: OperatorOnly
) -> ClosureCreated:
    """The day is a local date of the location. Its confirmed bookings that have not started
    are cancelled (the answer says how many); bookings under way or checked in stay. A second
    closure of the same day answers 409."""
    closure, cancelled = await service.close_day(session, actor=actor, location=location, data=body)
    return ClosureCreated(
        **ClosureRead.model_validate(closure).model_dump(), cancelled_bookings=cancelled
    )


@router.delete(
    "/{location_id}/closures/{closure_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a closure (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound)},
)
async def delete_closure(
    closure_id: uuid.UUID, location: ValidLocation, session: DbSession, actor: OperatorOnly
) -> None:
    """Bookings the closure cancelled stay cancelled."""
    closure = await repository.get_closure(session, location.id, closure_id)
    if closure is None:
        raise NotFound("No such closure.")
    await service.reopen_day(session, actor=actor, closure=closure)
