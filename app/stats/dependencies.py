"""The query every statistics endpoint shares."""

import re
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BeforeValidator

from app.core.db import DbSession
from app.core.errors import NotFound, ValidationFailed
from app.locations import repository as location_repository
from app.stats.schemas import StatsQuery

#: Statistics cover this century: the calendars of earlier dates use odd historic offsets.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_YEARS = 3
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


LocalDate = Annotated[date, BeforeValidator(_iso_date)]


def _years_later(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


async def stats_query(
    session: DbSession,
    first_day: Annotated[
        LocalDate, Query(alias="from", description="First local date of the range (inclusive).")
    ],
    last_day: Annotated[
        LocalDate, Query(alias="to", description="Last local date of the range (inclusive).")
    ],
    location_id: Annotated[
        uuid.UUID | None,
        Query(description="One location; without it every location, each in its own zone."),
    ] = None,
) -> StatsQuery:
    if last_day < first_day:
        raise ValidationFailed("`to` must not be before `from`.")
    if first_day < EARLIEST or last_day > LATEST:
        raise ValidationFailed(f"Dates must lie between {EARLIEST} and {LATEST}.")
    if last_day >= _years_later(first_day, MAX_YEARS):
        raise ValidationFailed(f"The range may span at most {MAX_YEARS} years.")
    if location_id is not None and await location_repository.get(session, location_id) is None:
        raise NotFound("No such location.")
    return StatsQuery(first_day=first_day, last_day=last_day, location_id=location_id)


ValidStatsQuery = Annotated[StatsQuery, Depends(stats_query)]
