"""The statistics rollup (``app.stats.rollup``): it never changes a figure.

``test_stats_api`` runs every exact-figure test with and without the rollup. These tests cover
what can make a rollup stale: a desk (de)activated after its bookings were sealed, the clock
set back behind a seal, the rollup turned off, and refreshes racing each other.
"""

import asyncio
from typing import Any

from fastapi import FastAPI

from app.core import clock
from app.core.db import Database
from app.stats import rollup
from tests.factories import Api, Member, at_local, booked, booking_action, stats

RANGE = {"from": "2030-01-08", "to": "2030-01-08"}


async def utilization_total(api: Api, analyst: Member) -> dict[str, Any]:
    response = await stats(api, analyst, "utilization", **RANGE)
    assert response.status_code == 200, response.text
    total: dict[str, Any] = response.json()["total"]
    return {name: total[name] for name in ("available_hours", "booked_hours", "used_hours")}


async def _two_desks_booked(api: Api) -> tuple[dict[str, Any], dict[str, Any], Member]:
    """Two desks of a location open 08:00–20:00, each booked 09:00–12:00 on 2030-01-08;
    the first is checked in at 09:00 and never checked out."""
    location = await api.location()
    first, second = await api.desk(location["id"]), await api.desk(location["id"])
    member, other = await api.member(), await api.member()
    used = await booked(api, member, first["id"], "2030-01-08", "09:00", "12:00")
    await booked(api, other, second["id"], "2030-01-08", "09:00", "12:00")
    clock.set_now(at_local("2030-01-08", "09:00"))
    await booking_action(api, member, used, "check-in")
    return first, second, member


async def test_deactivating_a_desk_drops_its_sealed_bookings(app: FastAPI, api: Api) -> None:
    analyst = await api.member("analyst")
    _, second, _ = await _two_desks_booked(api)
    clock.set_now(at_local("2030-01-12", "08:00"))
    assert await rollup.refresh(app.state.database, clock.now()) == 1
    both = {"available_hours": 24.0, "booked_hours": 6.0, "used_hours": 3.0}
    assert await utilization_total(api, analyst) == both

    operator = await api.operator()
    response = await api.client.patch(
        f"/api/v1/desks/{second['id']}", json={"active": False}, headers=operator.headers
    )
    assert response.status_code == 200, response.text
    one = {"available_hours": 12.0, "booked_hours": 3.0, "used_hours": 3.0}
    assert await utilization_total(api, analyst) == one
    assert await rollup.refresh(app.state.database, clock.now()) == 1
    assert await utilization_total(api, analyst) == one


async def test_a_seal_beyond_what_now_can_seal_is_not_read(app: FastAPI, api: Api) -> None:
    analyst = await api.member("analyst")
    await _two_desks_booked(api)
    clock.set_now(at_local("2030-01-12", "08:00"))
    await rollup.refresh(app.state.database, clock.now())
    # Sealed with the check-in lasting to the booking's end; an hour in, it has lasted an hour.
    clock.set_now(at_local("2030-01-08", "10:00"))
    one_hour_in = {"available_hours": 24.0, "booked_hours": 6.0, "used_hours": 1.0}
    assert await utilization_total(api, analyst) == one_hour_in
    assert await rollup.refresh(app.state.database, clock.now()) == 1
    assert await utilization_total(api, analyst) == one_hour_in


async def test_turning_the_rollup_off_empties_it(app: FastAPI, api: Api) -> None:
    analyst = await api.member("analyst")
    await _two_desks_booked(api)
    clock.set_now(at_local("2030-01-12", "08:00"))
    live = await utilization_total(api, analyst)
    await rollup.refresh(app.state.database, clock.now())
    assert await utilization_total(api, analyst) == live
    assert await rollup.refresh(app.state.database, clock.now(), enabled=False) == 1
    assert await rollup.refresh(app.state.database, clock.now(), enabled=False) == 0
    assert await utilization_total(api, analyst) == live


async def test_racing_refreshes_seal_each_booking_once(
    app: FastAPI, api: Api, database_url: str
) -> None:
    """Eight refreshes on eight connections at once: one does the work, the others find it
    done, and no booking is counted twice."""
    analyst = await api.member("analyst")
    await _two_desks_booked(api)
    clock.set_now(at_local("2030-01-12", "08:00"))
    live = await utilization_total(api, analyst)
    databases = [Database(app.state.settings) for _ in range(8)]
    try:
        changed = await asyncio.gather(
            *(rollup.refresh(database, clock.now()) for database in databases)
        )
    finally:
        for database in databases:
            await database.dispose()
    assert sorted(changed) == [0] * 7 + [1]
    assert await utilization_total(api, analyst) == live


async def test_moving_a_location_to_another_zone_drops_its_sealed_days(
    app: FastAPI, api: Api
) -> None:
    """Local days follow the zone of now: 23:00–23:59 in Berlin is 00:00–00:59 the next day
    in Helsinki."""
    analyst = await api.member("analyst")
    all_day = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
    location = await api.location(opening_hours=all_day)
    desk = await api.desk(location["id"])
    member = await api.member()
    await booked(api, member, desk["id"], "2030-01-08", "23:00", "23:59")
    clock.set_now(at_local("2030-01-12", "08:00"))
    assert await rollup.refresh(app.state.database, clock.now()) == 1

    async def booking_totals() -> list[int]:
        totals = []
        for day in ("2030-01-08", "2030-01-09"):
            response = await stats(api, analyst, "bookings", **{"from": day, "to": day})
            assert response.status_code == 200, response.text
            totals.append(response.json()["total"])
        return totals

    assert await booking_totals() == [1, 0]
    operator = await api.operator()
    moved = await api.client.patch(
        f"/api/v1/locations/{location['id']}",
        json={"timezone": "Europe/Helsinki"},
        headers=operator.headers,
    )
    assert moved.status_code == 200, moved.text
    assert await booking_totals() == [0, 1]
    assert await rollup.refresh(app.state.database, clock.now()) == 1
    assert await booking_totals() == [0, 1]
