"""The company seat rule under real concurrency: simultaneous bookings of a company's
employees against a uvicorn with two worker processes on PostgreSQL."""

import asyncio
import uuid
from typing import Any

import pytest

from tests.companies.support import COMPANIES, accept, register_company, set_company, token_for
from tests.factories import Api, Member, assert_problem, local
from tests.live.support import ALL_DAY, LiveServer, fire_at_once, future_day
from tests.live.test_booking_concurrency import booking_request, outcomes

pytestmark = pytest.mark.live

EMPLOYEES = 12
SEATS = 2


async def staff(api: Api, admin: Member, company_id: str, count: int) -> list[Member]:
    async def one() -> Member:
        member = await api.member()
        token = await token_for(api, admin, company_id, member.email)
        accepted = await accept(api, member, token)
        assert accepted.status_code == 200, accepted.text
        return member

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def test_twelve_employees_of_a_two_seat_company_exactly_two_win(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    location = await live_api.location(opening_hours=ALL_DAY)
    desks = [await live_api.desk(location["id"]) for _ in range(EMPLOYEES)]
    admin = await live_api.member()
    company = await register_company(live_api, admin)
    await set_company(live_api, company["id"], status="active", seats=SEATS)
    employees = await staff(live_api, admin, company["id"], EMPLOYEES)
    day = future_day(7)
    start, end = local(day, "10:00"), local(day, "12:00")

    responses = await fire_at_once(
        live_server.base_url,
        [
            booking_request(live_api, member, desk["id"], start, end)
            for member, desk in zip(employees, desks, strict=True)
        ],
    )

    assert outcomes(responses) == {
        (201, None): SEATS,
        (409, "company-seats-exhausted"): EMPLOYEES - SEATS,
    }
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "company-seats-exhausted")
    won = sorted(r.json()["id"] for r in responses if r.status_code == 201)
    rows = await live_db.fetch(
        "SELECT id, company_id, status FROM bookings WHERE company_id = $1",
        uuid.UUID(company["id"]),
    )
    assert sorted(str(row["id"]) for row in rows) == won
    assert {row["status"] for row in rows} == {"confirmed"}
    listed = await live_api.client.get(
        f"{COMPANIES}/{company['id']}/usage",
        params={"from": str(day), "to": str(day)},
        headers=admin.headers,
    )
    assert listed.json()["days"][0]["peak_concurrent_seats"] == SEATS
