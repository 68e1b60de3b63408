"""Opening hours: wall-clock intervals of the location turned into real instants.

Opening hours are local times; a day's interval is converted with the location's IANA zone
for that very date, so daylight-saving changes never shift them (an all-day location is open
23 hours on the last Sunday of March and 25 on the last Sunday of October).
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


def minutes_of(hhmm: str) -> int:
    """``"08:30"`` → 510; ``"24:00"`` → 1440."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def local_instant(zone: ZoneInfo, day: date, minute_of_day: int) -> datetime:
    """The UTC instant of a wall-clock minute of ``day`` (1440 is the next midnight)."""
    if minute_of_day == MINUTES_PER_DAY:
        day, minute_of_day = day + timedelta(days=1), 0
    wall = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def opening_intervals(
    opening_hours: list[dict[str, Any]], timezone: str, day: date
) -> list[tuple[datetime, datetime]]:
    """The day's opening intervals as UTC instants, in order."""
    zone = ZoneInfo(timezone)
    return sorted(
        (
            local_instant(zone, day, minutes_of(interval["opens"])),
            local_instant(zone, day, minutes_of(interval["closes"])),
        )
        for interval in opening_hours
        if interval["weekday"] == day.weekday()
    )


def local_date(instant: datetime, timezone: str) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()
