"""``?limit=&offset=`` and the list answer shape shared by every list endpoint."""

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.schemas import QueryInteger

T = TypeVar("T", bound=BaseModel)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


async def _page_params(
    limit: Annotated[QueryInteger, Query(ge=1, le=200, description="Page size (1–200).")] = 50,
    offset: Annotated[QueryInteger, Query(ge=0, le=1_000_000, description="Rows to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(_page_params)]


def page_of(schema: type[T], rows: list[Any], total: int, params: PageParams) -> Page[T]:
    """The list answer, each row rendered through ``schema``."""
    return Page[schema](  # type: ignore[valid-type]
        items=[schema.model_validate(row) for row in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


async def paginate(
    session: AsyncSession, statement: Select[Any], params: PageParams
) -> tuple[list[Any], int]:
    """The rows of one page of ``statement`` (already ordered) and the total row count."""
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    rows = (await session.scalars(statement.limit(params.limit).offset(params.offset))).all()
    return list(rows), total or 0
