"""Local calendar dates and ``from``/``to`` ranges of them: the one parser, the years the
service accepts, and the three-year rule every range endpoint applies.

A range is ``from``–``to``, both inclusive, and ``to`` lies before the same calendar day
three years after ``from``; 29 February + 3 years is 1 March. Dates (and instants, see
:mod:`app.core.schemas`) lie in the years 2000–2099: earlier calendars carry odd historic
offsets, and a year 1 or 9999 with an offset cannot even be converted to UTC.
"""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from pydantic import AfterValidator, BeforeValidator, Field

from app.core import clock
from app.core.errors import ValidationFailed

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_RANGE_YEARS = 3
YEARS = f"{EARLIEST.year}–{LATEST.year}"
# ASCII digits only: ``\d`` would let Arabic-Indic and other Unicode digits through.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

FROM_DESCRIPTION = f"First local date `YYYY-MM-DD` of the range, inclusive; years {YEARS}."
TO_DESCRIPTION = (
    f"Last local date `YYYY-MM-DD` of the range, inclusive; years {YEARS}. Not before `from`, "
    "and at most three years after it: before the same day three years later "
    "(29 February + 3 years = 1 March)."
)


def _date_text(value: Any) -> Any:
    # Only ``YYYY-MM-DD`` text: pydantic alone would also take epoch seconds or a datetime.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("expected a date YYYY-MM-DD")


def within_years(value: date) -> date:
    """``value`` if it lies in the years the service accepts, else a ``ValueError``."""
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise ValueError(f"must lie in the years {YEARS}")
    return value


#: A local calendar date ``YYYY-MM-DD`` (ASCII digits) in the years 2000–2099.
LocalDate = Annotated[
    date, Field(strict=False), BeforeValidator(_date_text), AfterValidator(within_years)
]


def years_later(day: date, years: int) -> date:
    """The same calendar day ``years`` later (or earlier); 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


@dataclass(frozen=True)
class DateRange:
    """Local dates ``first``–``last``, both inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def date_range(first: date, last: date) -> DateRange:
    """``first``–``last`` if they make a range under the rule above, else 422."""
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):
        raise ValidationFailed(f"Dates must lie between {EARLIEST} and {LATEST}.")
    if last < first:
        raise ValidationFailed("`to` must not be before `from`.")
    if last >= years_later(first, MAX_RANGE_YEARS):
        raise ValidationFailed(f"The range may span at most {MAX_RANGE_YEARS} years.")
    return DateRange(first, last)


async def _required_range(
    first: Annotated[LocalDate, Query(alias="from", description=FROM_DESCRIPTION)],
    last: Annotated[LocalDate, Query(alias="to", description=TO_DESCRIPTION)],
) -> DateRange:
    return date_range(first, last)


#: ``?from=&to=``, both required.
DateRangeQuery = Annotated[DateRange, Depends(_required_range)]


def range_up_to_today(timezone: str) -> Callable[..., Awaitable[DateRange]]:
    """A ``?from=&to=`` dependency whose ``to`` defaults to today in ``timezone`` and whose
    ``from`` defaults to the earliest day the rule allows before ``to``."""

    async def dependency(
        first: Annotated[
            LocalDate | None,
            Query(
                alias="from",
                description=f"{FROM_DESCRIPTION} Default: three years before `to`.",
            ),
        ] = None,
        last: Annotated[
            LocalDate | None,
            Query(alias="to", description=f"{TO_DESCRIPTION} Default: today ({timezone})."),
        ] = None,
    ) -> DateRange:
        today = clock.now().astimezone(ZoneInfo(timezone)).date()
        last = last or (max(first, today) if first else today)
        if first is None:
            first = max(EARLIEST, years_later(last, -MAX_RANGE_YEARS) + timedelta(days=1))
        return date_range(first, last)

    return dependency
