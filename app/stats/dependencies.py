"""The query every statistics endpoint shares, and the choice between JSON and CSV."""

import re
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Query
from pydantic import BeforeValidator

from app.core.db import DbSession
from app.core.errors import NotFound, ValidationFailed
from app.locations import repository as location_repository
from app.stats.schemas import OutputFormat, StatsQuery

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


def _quality(accept: str, media_type: str) -> tuple[float, int]:
    """The q-value the ``Accept`` header gives ``media_type`` (0 when not accepted) and how
    specifically it names it (2 exactly, 1 by ``type/*``, 0 by ``*/*``)."""
    best, specificity = 0.0, -1
    main = media_type.split("/")[0]
    for part in accept.split(","):
        name, *parameters = (piece.strip() for piece in part.split(";"))
        name = name.lower()
        if name == media_type:
            rank = 2
        elif name == f"{main}/*":
            rank = 1
        elif name == "*/*":
            rank = 0
        else:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if rank > specificity:
            best, specificity = quality, rank
    return best, specificity


async def output_format(
    format_: Annotated[
        OutputFormat | None,
        Query(alias="format", description="`csv` or `json`; overrides the Accept header."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> OutputFormat:
    """``?format=`` wins; else CSV when ``Accept`` prefers ``text/csv`` to JSON."""
    if format_ is not None:
        return format_
    csv = _quality(accept or "", "text/csv")
    if csv[0] > 0 and csv > _quality(accept or "", "application/json"):
        return "csv"
    return "json"


Format = Annotated[OutputFormat, Depends(output_format)]
