"""Rules about desks and rooms."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, ValidationFailed
from app.desks.schemas import DeskCreate, DeskUpdate
from app.models import Desk, DeskFeature

DUPLICATE_NAME = "A desk with this name already exists at the location."


async def _flush_unique_name(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise Conflict(DUPLICATE_NAME) from error


async def create(session: AsyncSession, *, data: DeskCreate) -> Desk:
    values = data.model_dump(exclude={"features"})
    desk = Desk(**values, feature_rows=[DeskFeature(feature=f) for f in data.features])
    session.add(desk)
    await _flush_unique_name(session)
    return desk


async def update(session: AsyncSession, *, desk: Desk, changes: DeskUpdate) -> Desk:
    values = changes.model_dump(exclude_unset=True)
    if "features" in values:
        kept = {row.feature: row for row in desk.feature_rows}
        desk.feature_rows = [kept.get(f) or DeskFeature(feature=f) for f in values.pop("features")]
    if desk.kind == "desk" and values.get("capacity", 1) != 1:
        raise ValidationFailed("A desk has capacity 1.")
    for field, value in values.items():
        setattr(desk, field, value)
    await _flush_unique_name(session)
    return desk
