"""Shared helpers of the booking tests."""

from datetime import UTC, datetime
from typing import Any

import httpx

from app.core import clock
from tests.factories import Api, Member

BOOKINGS = "/api/v1/bookings"
#: The day after the frozen "now" (Monday 2030-01-07 08:00 Berlin).
TUESDAY = "2030-01-08"


def set_clock(day: str, hhmm: str) -> None:
    """Move the frozen clock to a UTC wall-clock time of ``day``."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    clock.set_now(datetime.fromisoformat(day).replace(hour=hours, minute=minutes, tzinfo=UTC))


async def act(api: Api, caller: Member, booking: dict[str, Any], action: str) -> httpx.Response:
    """``cancel``, ``check-in`` or ``check-out`` a booking as ``caller``."""
    return await api.client.post(f"{BOOKINGS}/{booking['id']}/{action}", headers=caller.headers)


async def read(api: Api, caller: Member, booking: dict[str, Any]) -> dict[str, Any]:
    response = await api.client.get(f"{BOOKINGS}/{booking['id']}", headers=caller.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def listed(api: Api, caller: Member, path: str = BOOKINGS, **params: str) -> list[str]:
    """The ids a booking list answers the caller, in order."""
    response = await api.client.get(path, params=params, headers=caller.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]
