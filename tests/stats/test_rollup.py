"""The statistics rollup (``app.stats.rollup``): it never changes a figure.

``test_stats_api`` runs every exact-figure test with and without the rollup. These tests cover
what can make a rollup stale: a desk (de)activated after its bookings were sealed, the clock
set back behind a seal, the rollup turned off, and refreshes racing each other.
"""

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import select

from app.core import clock
from app.core.db import Database
from app.models import stats_member_months
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


HELSINKI = ZoneInfo("Europe/Helsinki")
MONTH_RANGES = [
    ("2030-02-01", "2030-03-31"),  # whole months only
    ("2030-01-15", "2030-04-20"),  # days before and after them
    ("2030-02-01", "2030-02-28"),
    ("2030-01-31", "2030-02-01"),  # no whole month
    ("2030-01-01", "2030-05-09"),  # May is not sealed yet
]


async def _member_figures(api: Api, analyst: Member, **params: str) -> dict[str, Any]:
    figures = {}
    for endpoint in ("member-groups", "commute", "summary"):
        response = await stats(api, analyst, endpoint, **params)
        assert response.status_code == 200, response.text
        figures[endpoint] = response.json()
    return figures


async def test_whole_months_per_member_add_up_to_the_bookings(app: FastAPI, api: Api) -> None:
    """Member groups, commute and the summary's members read whole sealed months from the
    rollup's running totals per member and the days around them from the bookings: the same
    figures as from the bookings alone, for every range and location. Bookings end at a
    month's end, a member visits two locations (two zones) on one local day, one is
    cancelled."""
    app.state.settings = app.state.settings.model_copy(update={"stats_min_group_size": 1})
    analyst = await api.member("analyst")
    all_day = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
    rules = {"max_advance_days": 365, "max_duration_minutes": 1440}
    berlin = await api.location(opening_hours=all_day, booking_rules=rules)
    helsinki = await api.location(
        opening_hours=all_day, booking_rules=rules, timezone="Europe/Helsinki"
    )
    desk = (await api.desk(berlin["id"]))["id"]
    other_desk = (await api.desk(helsinki["id"]))["id"]
    walker = await api.member(commute_mode="car", commute_km=12.5, groups=["parent"])
    cyclist = await api.member(commute_mode="bike", groups=["freelancer", "founder"])
    clock.set_now(at_local("2029-12-20", "08:00"))

    async def book(member: Member, desk_id: str, start: datetime, end: datetime) -> Any:
        response = await api.book(member, desk_id, start.isoformat(), end.isoformat())
        assert response.status_code == 201, response.text
        return response.json()

    checked_in = [
        (walker, desk, at_local("2030-01-31", "22:00"), at_local("2030-02-01", "00:00")),
        (walker, desk, at_local("2030-02-10", "09:00"), at_local("2030-02-10", "12:00")),
        (
            walker,
            other_desk,
            at_local("2030-02-10", "14:00", HELSINKI),
            at_local("2030-02-10", "16:00", HELSINKI),
        ),
        (
            cyclist,
            other_desk,
            at_local("2030-03-31", "23:00", HELSINKI),
            at_local("2030-04-01", "00:00", HELSINKI),
        ),
        (cyclist, desk, at_local("2030-04-30", "20:00"), at_local("2030-05-01", "00:00")),
    ]
    bookings = [(await book(*booking), booking[2]) for booking in checked_in]
    cancelled = await book(
        cyclist, desk, at_local("2030-03-05", "09:00"), at_local("2030-03-05", "10:00")
    )
    await book(cyclist, desk, at_local("2030-04-15", "09:00"), at_local("2030-04-15", "10:00"))
    await booking_action(api, cyclist, cancelled, "cancel")
    for booking, start in bookings:
        clock.set_now(start)
        member = walker if booking["member_id"] == walker.id else cyclist
        await booking_action(api, member, booking, "check-in")

    clock.set_now(at_local("2030-05-10", "08:00"))
    scopes = [{}, {"location_id": berlin["id"]}, {"location_id": helsinki["id"]}]
    live = {
        (first, last, index): await _member_figures(
            api, analyst, **{"from": first, "to": last}, **scope
        )
        for first, last in MONTH_RANGES
        for index, scope in enumerate(scopes)
    }
    assert await rollup.refresh(app.state.database, clock.now()) == 2
    async with app.state.database.read_sessions() as session:
        months = (await session.execute(select(stats_member_months.c.location_id).distinct())).all()
    assert len(months) == 3  # both locations and both together
    for (first, last, index), figures in live.items():
        params = {"from": first, "to": last, **scopes[index]}
        assert await _member_figures(api, analyst, **params) == figures, params

    whole = live[("2030-02-01", "2030-03-31", 0)]
    # The walker's two bookings of Feb 10 are one visit; the cyclist's of Mar 31 another.
    assert whole["commute"]["visits"] == 2
    assert whole["commute"]["km_avoided"] == 25.0
    assert whole["summary"]["members_with_bookings"] == 2
    parents = next(row for row in whole["member-groups"]["groups"] if row["group"] == "parent")
    assert (parents["members"], parents["bookings"], parents["booked_hours"]) == (1, 2, 5.0)
