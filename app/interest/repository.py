import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import ExpressionOfInterest


def listing(*, kind: str | None, contacted: bool | None) -> Select[Any]:
    """Entries matching the filters, newest first (ties by id)."""
    statement = select(ExpressionOfInterest).order_by(
        ExpressionOfInterest.created_at.desc(), ExpressionOfInterest.id
    )
    if kind is not None:
        statement = statement.where(ExpressionOfInterest.kind == kind)
    if contacted is not None:
        statement = statement.where(
            ExpressionOfInterest.contacted_at.is_not(None)
            if contacted
            else ExpressionOfInterest.contacted_at.is_(None)
        )
    return statement


async def get(session: AsyncSession, entry_id: uuid.UUID) -> ExpressionOfInterest | None:
    return await session.get(ExpressionOfInterest, entry_id)


async def all_of(session: AsyncSession, statement: Select[Any]) -> list[ExpressionOfInterest]:
    return list((await session.scalars(statement)).all())
