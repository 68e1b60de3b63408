"""Local calendars of the locations, turned into plain integers the SQL can use.

SQLite has no time zones, so the statistics never ask the database what a local day or hour
is. Instead every instant becomes a whole number of seconds since 0001-01-01T00:00Z (positive
for every date, so integer division is floor division on both databases), and Python works out,
per location:

- the range: the UTC instants of local midnight of ``from`` and of the day after ``to``;
- the *segments*: stretches of the range with one UTC offset (a daylight-saving change starts
  a new one). Local wall-clock seconds are instant seconds plus the segment's offset, so the
  local day number is ``(seconds + offset) // 86400`` — also ``date.toordinal() - 1``, which
  makes ``day % 7`` the weekday with Monday = 0;
- the opening intervals of every day of the range as real instants (an all-day location is open
  23 hours on the last Sunday of March and 25 on the last Sunday of October).

Time is cut into *slots* of ``slot_seconds`` (an hour, or less for zones with half-hour offsets)
aligned so that every slot lies inside one local hour of one local day.
"""

import dataclasses
import functools
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from app.locations.hours import local_instant, opening_intervals

ORIGIN = datetime(1, 1, 1, tzinfo=UTC)
DAY_SECONDS = 86_400
HOUR_SECONDS = 3_600
#: The statistics rollup's unit (``app.stats.rollup``): every UTC offset in use is a multiple.
QUARTER_SECONDS = 900

Granularity = Literal["day", "week", "month"]


def seconds(instant: datetime) -> int:
    """Whole seconds from 0001-01-01T00:00Z to ``instant`` (sub-seconds dropped, as in SQL)."""
    delta = instant - ORIGIN
    return delta.days * DAY_SECONDS + delta.seconds


def instant(value: int) -> datetime:
    return ORIGIN + timedelta(seconds=value)


def day_number(day: date) -> int:
    """Days since 0001-01-01, which was a Monday."""
    return day.toordinal() - 1


def month_number(day: date) -> int:
    """Months since January of year 0: consecutive months are consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_days(month: int) -> tuple[date, date]:
    """The first and the last day of a month number."""
    first = date(month // 12, month % 12 + 1, 1)
    following = date((month + 1) // 12, (month + 1) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def last_whole_month(day: date) -> int:
    """The number of the latest month that ends on or before ``day``."""
    month = month_number(day)
    return month if day == month_days(month)[1] else month - 1


def day_of(number: int) -> date:
    return date.fromordinal(number + 1)


@dataclass(frozen=True)
class Segment:
    """Slots ``[first_slot, end_slot)`` of one location share one UTC offset."""

    first_slot: int
    end_slot: int
    offset: int


@dataclass(frozen=True)
class Opening:
    """An opening interval of a local day, in seconds since the origin."""

    day: int
    opens: int
    closes: int


@dataclass(frozen=True)
class LocationCalendar:
    index: int
    location_id: uuid.UUID
    timezone: str
    #: The weekly opening hours as JSON (sorted keys), to compute the calendar of other ranges.
    hours: str
    start: datetime
    end: datetime
    offsets: list[tuple[int, int, int]]
    openings: list[Opening]
    #: Bookings of the location starting before this are read from the rollup (None: none).
    sealed_until: datetime | None = None

    @property
    def start_seconds(self) -> int:
        return seconds(self.start)

    @property
    def end_seconds(self) -> int:
        return seconds(self.end)


@dataclass(frozen=True)
class Scope:
    """Everything the statistics statements need to know about the requested range."""

    first_day: date
    last_day: date
    now: datetime
    slot_seconds: int
    locations: list[LocationCalendar]

    @property
    def start(self) -> datetime:
        """The earliest UTC instant of the range over all locations (for index-friendly bounds)."""
        if not self.locations:
            return local_instant(ZoneInfo("UTC"), self.first_day, 0)
        return min(location.start for location in self.locations)

    @property
    def end(self) -> datetime:
        if not self.locations:
            return local_instant(ZoneInfo("UTC"), self.last_day + timedelta(days=1), 0)
        return max(location.end for location in self.locations)

    @property
    def seals(self) -> list[tuple[uuid.UUID, datetime]]:
        """``(location_id, sealed_until)`` of the locations whose rollup the statements read."""
        return [
            (location.location_id, location.sealed_until)
            for location in self.locations
            if location.sealed_until is not None
        ]

    def narrowed(self, first_day: date, last_day: date) -> "Scope":
        """The same locations (and seals) over a part of the range."""
        calendars = [
            location_calendar(
                location.index,
                location.location_id,
                location.timezone,
                location.hours,
                first_day,
                last_day,
                sealed_until=location.sealed_until,
            )
            for location in self.locations
        ]
        return scope(first_day=first_day, last_day=last_day, now=self.now, locations=calendars)

    def segments(self, location: LocationCalendar) -> list[Segment]:
        size = self.slot_seconds
        return [
            Segment(first_slot=start // size, end_slot=end // size, offset=offset)
            for start, end, offset in location.offsets
        ]


@dataclass(frozen=True)
class Calendars:
    """A scope as a cache key: its range and each location's calendar and seal, not now."""

    key: tuple[Any, ...]
    scope: Scope = dataclasses.field(compare=False, hash=False)

    @classmethod
    def of(cls, scope: Scope) -> "Calendars":
        locations = tuple(
            (loc.index, loc.location_id, loc.timezone, loc.hours, loc.sealed_until)
            for loc in scope.locations
        )
        return cls((scope.first_day, scope.last_day, scope.slot_seconds, locations), scope)


def _offset_at(zone: ZoneInfo, at: int) -> int:
    offset = instant(at).astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def utc_offsets(zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    """``(from, to, offset)`` stretches of ``[start, end)`` with one UTC offset each.

    Walks the range a day at a time and bisects to the second where the offset changes (no
    time zone changes its offset twice within a day).
    """
    stretches: list[tuple[int, int, int]] = []
    begin = cursor = start
    offset = _offset_at(zone, start)
    while cursor < end:
        last = min(cursor + DAY_SECONDS, end) - 1
        if _offset_at(zone, last) == offset:
            cursor = last + 1
            continue
        low, high = cursor - 1, last  # offset(cursor - 1) is the current one
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if _offset_at(zone, middle) == offset else (low, middle)
        stretches.append((begin, high, offset))
        begin = cursor = high
        offset = _offset_at(zone, high)
    stretches.append((begin, end, offset))
    return stretches


def location_calendar(
    index: int,
    location_id: uuid.UUID,
    timezone: str,
    opening_hours: list[dict[str, Any]] | str,
    first_day: date,
    last_day: date,
    sealed_until: datetime | None = None,
) -> LocationCalendar:
    """The calendar of a location over ``[first_day, last_day]``; ``opening_hours`` as stored,
    or as the JSON of :attr:`LocationCalendar.hours`."""
    if not isinstance(opening_hours, str):
        opening_hours = json.dumps(opening_hours, sort_keys=True)
    start, end, offsets, openings = _calendar(timezone, opening_hours, first_day, last_day)
    return LocationCalendar(
        index=index,
        location_id=location_id,
        timezone=timezone,
        hours=opening_hours,
        start=start,
        end=end,
        offsets=list(offsets),
        openings=list(openings),
        sealed_until=sealed_until,
    )


@functools.lru_cache(maxsize=64)
def _calendar(
    timezone: str, opening_hours: str, first_day: date, last_day: date
) -> tuple[datetime, datetime, tuple[tuple[int, int, int], ...], tuple[Opening, ...]]:
    """The range, UTC offsets and opening intervals of one calendar: a pure function of the
    zone, the weekly hours (as JSON) and the range, remembered because an analyst's dashboard
    asks for the same range again and again (it took 25 ms a year for one location)."""
    zone = ZoneInfo(timezone)
    hours = json.loads(opening_hours)
    start = local_instant(zone, first_day, 0)
    end = local_instant(zone, last_day + timedelta(days=1), 0)
    openings = []
    day = first_day
    while day <= last_day:
        for opens, closes in opening_intervals(hours, timezone, day):
            openings.append(Opening(day_number(day), seconds(opens), seconds(closes)))
        day += timedelta(days=1)
    return start, end, tuple(utc_offsets(zone, seconds(start), seconds(end))), tuple(openings)


def slot_size(locations: list[LocationCalendar]) -> int:
    """The longest slot that never straddles a local hour: an hour for whole-hour offsets."""
    size = HOUR_SECONDS
    for location in locations:
        for start, end, offset in location.offsets:
            size = math.gcd(size, offset % HOUR_SECONDS, start % HOUR_SECONDS, end % HOUR_SECONDS)
    return size


def scope(
    *, first_day: date, last_day: date, now: datetime, locations: list[LocationCalendar]
) -> Scope:
    size = slot_size(locations)
    if size % QUARTER_SECONDS:
        # Slots finer than the rollup's quarters: every booking is read one by one.
        locations = [dataclasses.replace(location, sealed_until=None) for location in locations]
    return Scope(
        first_day=first_day, last_day=last_day, now=now, slot_seconds=size, locations=locations
    )


def periods(first_day: date, last_day: date, granularity: Granularity) -> list[tuple[date, date]]:
    """Calendar periods covering the range, the first and last clipped to it.

    Weeks start on Monday, months on the 1st; ``(start, end)`` are both inclusive.
    """
    result: list[tuple[date, date]] = []
    start = first_day
    while start <= last_day:
        if granularity == "day":
            end = start
        elif granularity == "week":
            end = start + timedelta(days=6 - start.weekday())
        else:
            following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = following - timedelta(days=1)
        end = min(end, last_day)
        result.append((start, end))
        start = end + timedelta(days=1)
    return result
