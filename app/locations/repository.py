"""Every query about locations and closures."""

import uuid
from datetime import date

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Closure, Location


def all_locations() -> Select[Location]:
    return select(Location).order_by(Location.name, Location.id)


async def get(session: AsyncSession, location_id: uuid.UUID) -> Location | None:
    return await session.get(Location, location_id)


def closures_of(location_id: uuid.UUID) -> Select[Closure]:
    return select(Closure).where(Closure.location_id == location_id).order_by(Closure.date)


_CLOSED = select(Closure.id).where(
    Closure.location_id == bindparam("location_id"), Closure.date == bindparam("day")
)  # built once: every booking asks


async def is_closed(session: AsyncSession, location_id: uuid.UUID, day: date) -> bool:
    return (await session.scalar(_CLOSED, {"location_id": location_id, "day": day})) is not None


async def get_closure(
    session: AsyncSession, location_id: uuid.UUID, closure_id: uuid.UUID
) -> Closure | None:
    statement = select(Closure).where(Closure.id == closure_id, Closure.location_id == location_id)
    return (await session.scalars(statement)).one_or_none()
