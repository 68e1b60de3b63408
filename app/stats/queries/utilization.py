"""Hours per period, per weekday × hour and in total (``stats/utilization``, ``stats/heatmap``,
the summary's totals): sums of :func:`app.stats.slots.slot_seconds`."""

from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.sql import integer, values_table
from app.stats.scope import ScopeSql
from app.stats.slots import MEASURES, local_seconds, slot_seconds
from app.stats.timeline import DAY_SECONDS, HOUR_SECONDS, Scope


class Seconds(NamedTuple):
    """Seconds available, booked and used (see :data:`app.stats.slots.MEASURES`)."""

    available: int
    booked: int
    used: int


class CellSeconds(NamedTuple):
    """One local weekday (Monday = 0) × hour cell."""

    weekday: int
    hour: int
    seconds: Seconds


def _seconds(row: Any) -> Seconds:
    return Seconds(*(int(row[measure] or 0) for measure in MEASURES))


async def per_period(
    session: AsyncSession, scope: Scope, *, periods: list[tuple[int, int]], kind: str | None
) -> list[Seconds]:
    """The seconds of each period, in the order of ``periods``."""
    (statement,) = utilization_statements(scope, periods=periods, kind=kind)
    return [_seconds(row._mapping) for row in (await session.execute(statement)).all()]


async def per_cell(session: AsyncSession, scope: Scope, *, kind: str | None) -> list[CellSeconds]:
    """The seconds of all 168 weekday × hour cells, Monday 00:00 first."""
    (statement,) = heatmap_statements(scope, kind=kind)
    return [
        CellSeconds(int(row.weekday), int(row.hour), _seconds(row._mapping))
        for row in (await session.execute(statement)).all()
    ]


async def totals(session: AsyncSession, scope: Scope) -> Seconds:
    """The seconds of the whole range over all kinds."""
    (statement,) = totals_statements(scope)
    return _seconds((await session.execute(statement)).one()._mapping)


def utilization_statements(
    scope: Scope, *, periods: list[tuple[int, int]], kind: str | None
) -> list[Select[Any]]:
    """Seconds available, booked and used per period: rows ``(period, available, booked,
    used)`` in period order; ``periods`` are ``(first_day, last_day)`` day numbers."""
    per_slot = slot_seconds(ScopeSql(scope, kind))
    day = local_seconds(per_slot, scope.slot_seconds) // integer(DAY_SECONDS)
    per_day = (
        select(day.label("day"), *(func.sum(per_slot.c[m]).label(m) for m in MEASURES))
        .group_by(day)
        .cte("per_day")
    )
    days = values_table(
        "range_days",
        ["day", "period"],
        [
            (number, index)
            for index, (first, last) in enumerate(periods)
            for number in range(first, last + 1)
        ],
    )
    statement = (
        select(
            days.c.period,
            *(func.coalesce(func.sum(per_day.c[m]), 0).label(m) for m in MEASURES),
        )
        .select_from(days)
        .outerjoin(per_day, per_day.c.day == days.c.day)
        .group_by(days.c.period)
        .order_by(days.c.period)
    )
    return [statement]


def heatmap_statements(scope: Scope, *, kind: str | None) -> list[Select[Any]]:
    """Seconds available, booked and used per local weekday × hour over the range: rows
    ``(weekday, hour, available, booked, used)`` for all 168 cells, Monday 00:00 first."""
    per_slot = slot_seconds(ScopeSql(scope, kind))
    local = local_seconds(per_slot, scope.slot_seconds)
    weekday = (local // integer(DAY_SECONDS)) % integer(7)
    hour = (local % integer(DAY_SECONDS)) // integer(HOUR_SECONDS)
    per_cell = (
        select(
            weekday.label("weekday"),
            hour.label("hour"),
            *(func.sum(per_slot.c[m]).label(m) for m in MEASURES),
        )
        .group_by(weekday, hour)
        .cte("per_cell")
    )
    cells = values_table(
        "cells", ["weekday", "hour"], [(w, h) for w in range(7) for h in range(24)]
    )
    statement = (
        select(
            cells.c.weekday,
            cells.c.hour,
            *(func.coalesce(per_cell.c[m], 0).label(m) for m in MEASURES),
        )
        .select_from(cells)
        .outerjoin(
            per_cell, and_(per_cell.c.weekday == cells.c.weekday, per_cell.c.hour == cells.c.hour)
        )
        .order_by(cells.c.weekday, cells.c.hour)
    )
    return [statement]


def totals_statements(scope: Scope) -> list[Select[Any]]:
    """The range's utilization totals over all kinds in one row ``(available, booked, used)``:
    the sums of the slots, so the same figures as the ``total`` of
    :func:`utilization_statements`."""
    per_slot = slot_seconds(ScopeSql(scope))
    return [select(*(func.coalesce(func.sum(per_slot.c[m]), 0).label(m) for m in MEASURES))]
