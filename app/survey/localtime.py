"""Local days as UTC instants, for queries on databases without time zones (SQLite)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = "Europe/Berlin"


def day_start(zone: str, day: date) -> datetime:
    """Local midnight of ``day`` in ``zone``, as a UTC instant."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def day_bounds(zone: str, first: date, last: date) -> tuple[datetime, datetime]:
    """The half-open UTC interval of the local days ``first``–``last`` (inclusive)."""
    return day_start(zone, first), day_start(zone, last + timedelta(days=1))


def _offset(zone: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_segments(
    zone: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, int]]:
    """``[(segment_start, segment_end, utc_offset_seconds), ...]`` covering ``[start, end)``."""
    info = ZoneInfo(zone)
    segments: list[tuple[datetime, datetime, int]] = []
    segment_start, offset = start, _offset(info, start)
    step = timedelta(hours=6)  # zones change their offset at most a few times a year
    cursor = start
    while cursor < end:
        probe = min(cursor + step, end)
        if _offset(info, probe) != offset:
            # The first whole second with the new offset (zones change on whole seconds).
            low, high = int(cursor.timestamp()), int(probe.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(info, datetime.fromtimestamp(middle, UTC)) == offset:
                    low = middle
                else:
                    high = middle
            change = datetime.fromtimestamp(high, UTC)
            segments.append((segment_start, change, offset))
            segment_start, offset = change, _offset(info, change)
        cursor = probe
    segments.append((segment_start, end, offset))
    return segments
