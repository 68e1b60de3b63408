import re
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BeforeValidator

from app.survey import service
from app.survey.service import DateRange

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


LocalDate = Annotated[date, BeforeValidator(_iso_date)]


async def _period(
    from_: Annotated[
        LocalDate | None,
        Query(
            alias="from",
            description="First local day (Europe/Berlin), inclusive; default: three years "
            "before `to`.",
        ),
    ] = None,
    to: Annotated[
        LocalDate | None,
        Query(description="Last local day (Europe/Berlin), inclusive; default: today."),
    ] = None,
) -> DateRange:
    return service.date_range(from_, to)


#: ``?from=&to=``: local dates 2000–2099, inclusive, less than three years apart; ``to``
#: before ``from`` → 422
Period = Annotated[DateRange, Depends(_period)]
