"""The query every statistics endpoint shares."""

import uuid
from typing import Annotated

from fastapi import Depends, Query

from app.core.dates import DateRangeQuery
from app.core.db import DbSession
from app.core.errors import NotFound
from app.locations import repository as location_repository
from app.stats.schemas import StatsQuery


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
