"""Every query about desks."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.models import Desk, DeskFeature


def _with_features() -> Select[Desk]:
    return select(Desk).options(selectinload(Desk.feature_rows))


async def get(session: AsyncSession, desk_id: uuid.UUID) -> Desk | None:
    return (await session.scalars(_with_features().where(Desk.id == desk_id))).one_or_none()


def search(
    *,
    location_id: uuid.UUID | None = None,
    kind: str | None = None,
    feature: str | None = None,
    active_only: bool = False,
) -> Select[Desk]:
    """Desks matching the filters, ordered by location, then name."""
    statement = _with_features()
    if location_id is not None:
        statement = statement.where(Desk.location_id == location_id)
    if kind is not None:
        statement = statement.where(Desk.kind == kind)
    if feature is not None:
        statement = statement.where(
            Desk.id.in_(select(DeskFeature.desk_id).where(DeskFeature.feature == feature))
        )
    if active_only:
        statement = statement.where(Desk.active.is_(True))
    return statement.order_by(Desk.location_id, Desk.name, Desk.id)
