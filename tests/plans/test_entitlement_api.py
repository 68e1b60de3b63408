"""Entitlement: a booking uses the local day it falls on, once per day, from the member's plan."""

from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.main import create_app
from tests.companies.support import active_company, employee
from tests.conftest import _empty_tables, make_settings
from tests.factories import Api, Member, assert_problem, local
from tests.plans.support import PLANS, create_plan, memberships, set_default_plan, subscribe

NEW_YORK = ZoneInfo("America/New_York")


async def book_day(
    api: Api, member: Member, desk: dict[str, Any], day: str, opens: str, closes: str, **zone: Any
) -> httpx.Response:
    return await api.book(member, desk["id"], local(day, opens, **zone), local(day, closes, **zone))


async def cancel(api: Api, member: Member, booking: httpx.Response) -> None:
    response = await api.client.post(
        f"/api/v1/bookings/{booking.json()['id']}/cancel", headers=member.headers
    )
    assert response.status_code == 200, response.text


async def test_pack_days_are_counted_once_per_day_and_freed_by_cancelling(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    plan = await create_plan(api, included_days=2)
    assert (await subscribe(api, member, plan["id"])).status_code == 201

    assert (await book_day(api, member, desk, "2030-01-08", "09:00", "10:00")).status_code == 201
    assert (await book_day(api, member, desk, "2030-01-08", "14:00", "15:00")).status_code == 201
    assert [m["used_days"] for m in await memberships(api, member)] == [1]
    wednesday = await book_day(api, member, desk, "2030-01-09", "09:00", "10:00")
    assert wednesday.status_code == 201

    refused = await book_day(api, member, desk, "2030-01-10", "09:00", "10:00")
    body = assert_problem(refused, 409, "conflict")
    assert "10er-Karte" in body["detail"]
    assert "2030-01-10" in body["detail"]
    assert (await book_day(api, member, desk, "2030-01-08", "16:00", "17:00")).status_code == 201
    assert [(m["used_days"], m["remaining_days"]) for m in await memberships(api, member)] == [
        (2, 0)
    ]

    await cancel(api, member, wednesday)
    assert (await book_day(api, member, desk, "2030-01-10", "09:00", "10:00")).status_code == 201


async def test_the_local_day_counts_not_the_utc_day(api: Api) -> None:
    location = await api.location(timezone="America/New_York")
    desk = await api.desk(location["id"])
    member = await api.member()
    plan = await create_plan(api, name="Einzeltag", included_days=1)
    assert (await subscribe(api, member, plan["id"])).status_code == 201

    # 19:00–20:00 in New York on the 8th is 00:00–01:00 UTC on the 9th: still the 8th there.
    evening = await book_day(api, member, desk, "2030-01-08", "19:00", "20:00", zone=NEW_YORK)
    assert evening.status_code == 201, evening.text
    assert evening.json()["start"] == "2030-01-09T00:00:00Z"
    morning = await book_day(api, member, desk, "2030-01-08", "09:00", "10:00", zone=NEW_YORK)
    assert morning.status_code == 201, morning.text

    next_day = await book_day(api, member, desk, "2030-01-09", "09:00", "10:00", zone=NEW_YORK)
    assert_problem(next_day, 409, "conflict")
    assert [m["used_days"] for m in await memberships(api, member)] == [1]


async def test_membership_valid_on_the_day_is_used_else_the_default_plan(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    day_pass = await create_plan(api, name="Tagespass", period="day", included_days=1)
    assert (await subscribe(api, member, day_pass["id"], starts_on="2030-01-09")).status_code == 201

    # No default plan at this location: without a membership on the day, booking is unlimited.
    for day in ("2030-01-08", "2030-01-10", "2030-01-11"):
        assert (await book_day(api, member, desk, day, "09:00", "10:00")).status_code == 201
    assert (await book_day(api, member, desk, "2030-01-09", "09:00", "10:00")).status_code == 201
    assert (await book_day(api, member, desk, "2030-01-09", "11:00", "12:00")).status_code == 201
    assert [m["used_days"] for m in await memberships(api, member)] == [1]


async def test_default_plan_limits_members_without_membership_per_calendar_month(
    api: Api,
) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    trial = await create_plan(api, name="Schnuppermonat", period="month", included_days=1)
    assert (await set_default_plan(api, location["id"], trial["id"])).status_code == 200
    member, subscriber = await api.member(), await api.member()
    unlimited = await create_plan(api, name="Flat", period="month", included_days=None)
    assert (await subscribe(api, subscriber, unlimited["id"])).status_code == 201

    assert (await book_day(api, member, desk, "2030-01-08", "09:00", "10:00")).status_code == 201
    body = assert_problem(
        await book_day(api, member, desk, "2030-01-09", "09:00", "10:00"), 409, "conflict"
    )
    assert "Schnuppermonat" in body["detail"]
    assert (await book_day(api, member, desk, "2030-02-04", "09:00", "10:00")).status_code == 201
    for day in ("2030-01-08", "2030-01-09", "2030-01-10"):
        made = await book_day(api, subscriber, desk, day, "11:00", "12:00")
        assert made.status_code == 201, made.text


async def test_company_seat_bookings_use_no_personal_days(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    room = await api.desk(location["id"], kind="meeting_room", capacity=4)
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    worker = await employee(api, admin, company["id"])
    plan = await create_plan(api, included_days=1)
    assert (await subscribe(api, worker, plan["id"])).status_code == 201

    for day in ("2030-01-08", "2030-01-09"):
        seated = await book_day(api, worker, desk, day, "09:00", "10:00")
        assert seated.json()["company_id"] == company["id"]
    assert [m["used_days"] for m in await memberships(api, worker)] == [0]
    meeting = await book_day(api, worker, room, "2030-01-10", "09:00", "10:00")
    assert (meeting.status_code, meeting.json()["company_id"]) == (201, None)
    assert [m["used_days"] for m in await memberships(api, worker)] == [1]
    assert_problem(
        await book_day(api, worker, room, "2030-01-11", "09:00", "10:00"), 409, "conflict"
    )


@pytest.fixture
async def demo_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    await _empty_tables(database_url)
    application = create_app(make_settings(database_url, seed_demo=True))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_demo_location_books_under_the_unlimited_pilot_plan(
    demo_client: httpx.AsyncClient,
) -> None:
    api = Api(demo_client)
    plans = (await demo_client.get(PLANS)).json()["items"]
    assert [(p["name"], p["period"], p["price_cents"], p["included_days"]) for p in plans] == [
        ("10er-Karte", "pack", 12000, 10),
        ("Flex-Monat", "month", 14900, 12),
        ("Pilot-Testphase", "month", 0, None),
        ("Tagespass", "day", 1500, 1),
    ]
    flex = plans[1]
    assert sorted(price["group"] for price in flex["group_prices"]) == [
        "job_seeker",
        "parent",
        "senior",
    ]
    (location,) = (await demo_client.get("/api/v1/locations")).json()["items"]
    default = await demo_client.get(f"/api/v1/locations/{location['id']}/default-plan")
    assert default.json()["plan"]["name"] == "Pilot-Testphase"
    desks = await demo_client.get("/api/v1/desks", params={"location_id": location["id"]})
    desk = desks.json()["items"][0]
    member = await api.member()
    for day in ("2030-01-08", "2030-01-09", "2030-01-10", "2030-01-11"):
        assert (await book_day(api, member, desk, day, "09:00", "10:00")).status_code == 201
