"""The query every statistics endpoint shares, and the choice between JSON and CSV."""

import uuid
from typing import Annotated

from fastapi import Depends, Header, Query

from app.core.dates import DateRangeQuery
from app.core.db import DbSession
from app.core.errors import NotFound
from app.locations import repository as location_repository
from app.stats.schemas import OutputFormat, StatsQuery


async def stats_query(
    session: DbSession,
    period: DateRangeQuery,
    location_id: Annotated[
        uuid.UUID | None,
        Query(description="One location; without it every location, each in its own zone."),
    ] = None,
) -> StatsQuery:
    if location_id is not None and await location_repository.get(session, location_id) is None:
        raise NotFound("No such location.")
    return StatsQuery(first_day=period.first, last_day=period.last, location_id=location_id)


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
