"""Rules about locations, their opening hours and closures."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import service as booking_service
from app.core.errors import Conflict
from app.locations.hours import local_instant
from app.locations.schemas import ClosureCreate, LocationCreate, LocationUpdate
from app.models import Closure, Location


async def create(session: AsyncSession, *, data: LocationCreate) -> Location:
    location = Location(**data.model_dump())
    session.add(location)
    await session.flush()
    return location


async def update(session: AsyncSession, *, location: Location, changes: LocationUpdate) -> Location:
    """Changes apply to new bookings; existing bookings keep their times and check-in deadline."""
    for field, value in changes.model_dump(exclude_unset=True).items():
        setattr(location, field, value)
    await session.flush()
    return location


async def close_day(
    session: AsyncSession, *, location: Location, data: ClosureCreate
) -> tuple[Closure, int]:
    """Close the location for a local day; its active bookings are cancelled.

    Returns the closure and how many bookings it cancelled.
    """
    closure = Closure(location_id=location.id, date=data.date, reason=data.reason)
    session.add(closure)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise Conflict(f"The location is already closed on {data.date}.") from error
    zone = ZoneInfo(location.timezone)
    cancelled = await booking_service.cancel_at_location(
        session,
        location_id=location.id,
        start=local_instant(zone, data.date, 0),
        end=local_instant(zone, data.date + timedelta(days=1), 0),
    )
    return closure, cancelled


async def reopen_day(session: AsyncSession, *, closure: Closure) -> None:
    """Remove a closure; bookings it cancelled stay cancelled."""
    await session.delete(closure)
    await session.flush()
