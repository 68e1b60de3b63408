"""Every query about locations and closures."""

import uuid
from datetime import date

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Closure, Location


def all_locations() -> Select[Location]:
    return select(Location).order_by(Location.name, Location.id)


async def get(session: AsyncSession, location_id: uuid.UUID) -> Location | None:
    return await session.get(Location, location_id)


def closures_of(location_id: uuid.UUID) -> Select[Closure]:
    return select(Closure).where(Closure.location_id == location_id).order_by(Closure.date)


#: Whether the location is closed on a day (bound ``location_id``, ``day``). Built once: every
#: booking asks (app.bookings.checks), every availability search too.
CLOSED = exists().where(
    Closure.location_id == bindparam("location_id"), Closure.date == bindparam("day")
)
_IS_CLOSED = select(CLOSED)


async def is_closed(session: AsyncSession, location_id: uuid.UUID, day: date) -> bool:
    return bool(await session.scalar(_IS_CLOSED, {"location_id": location_id, "day": day}))


async def lock(session: AsyncSession, location_id: uuid.UUID) -> None:
    """Lock the location's row against every booking there (which shares it, see
    :func:`app.bookings.repository.desk_for_booking`) until the transaction ends: a closure
    takes it before it is stored, so bookings racing it either are stored before it and
    cancelled by it, or come after it and see it."""
    await session.execute(select(Location.id).where(Location.id == location_id).with_for_update())


async def get_closure(
    session: AsyncSession, location_id: uuid.UUID, closure_id: uuid.UUID
) -> Closure | None:
    statement = select(Closure).where(Closure.id == closure_id, Closure.location_id == location_id)
    return (await session.scalars(statement)).one_or_none()
