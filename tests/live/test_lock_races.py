"""The rules that races showed to need saying (DESIGN.md §7): a closure, an erasure or an
employee's removal fired at the same moment as many bookings, against a uvicorn with two
worker processes on PostgreSQL; the database is then checked for what the rule forbids."""

import asyncio
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.companies.support import COMPANIES, active_company
from tests.factories import Api, Member, assert_problem, local
from tests.live.support import ALL_DAY, LiveServer, fire_at_once, future_day
from tests.live.test_booking_concurrency import (
    booking_request,
    members,
    outcomes,
    wait_for_lock_wait,
)
from tests.live.test_company_seats_concurrency import staff

pytestmark = pytest.mark.live

ROUNDS = 4
BOOKINGS = 30
ACTIVE_FUTURE = "status IN ('confirmed', 'checked_in') AND start > now()"
#: Enough for one member's many bookings at one location.
ROOMY = {"max_active_bookings_per_member": 1000}


def half_hours(count: int, days: int = 1) -> list[tuple[str, str]]:
    """``count`` distinct half-hour slots (start, end) over ``days`` future local days: one
    member may hold them all, they never overlap."""
    per_day = -(-count // days)
    slots = []
    for index in range(count):
        day = future_day(7 + index // per_day)
        opens = timedelta(hours=6, minutes=30 * (index % per_day))
        start, end = opens, opens + timedelta(minutes=30)
        slots.append((local(day, _hhmm(start)), local(day, _hhmm(end))))
    return slots


def _hhmm(since_midnight: timedelta) -> str:
    minutes = int(since_midnight.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


async def test_no_booking_outlives_a_closure_of_its_day_it_raced(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    operator = await live_api.operator()
    for _ in range(ROUNDS):
        location = await live_api.location(opening_hours=ALL_DAY)
        desks = [await live_api.desk(location["id"]) for _ in range(BOOKINGS)]
        rivals = await members(live_api, BOOKINGS)
        day = future_day(7)
        start, end = local(day, "10:00"), local(day, "12:00")
        bookings = [
            booking_request(live_api, member, desk["id"], start, end)
            for member, desk in zip(rivals, desks, strict=True)
        ]
        closure = live_api.client.build_request(
            "POST",
            f"/api/v1/locations/{location['id']}/closures",
            json={"date": str(day), "reason": "Wasserschaden"},
            headers=operator.headers,
        )
        half = BOOKINGS // 2

        responses = await fire_at_once(
            live_server.base_url, [*bookings[:half], closure, *bookings[half:]]
        )

        closed = responses.pop(half)
        assert closed.status_code == 201, closed.text
        answers = outcomes(responses)
        assert set(answers) <= {(201, None), (422, "outside-opening-hours")}, answers
        rows = await live_db.fetch(
            "SELECT b.status FROM bookings b JOIN desks d ON d.id = b.desk_id "
            "WHERE d.location_id = $1",
            uuid.UUID(location["id"]),
        )
        # Every booking that got in before the closure was cancelled by it; none after it.
        assert Counter(row["status"] for row in rows) == Counter(cancelled=answers[(201, None)])
        assert closed.json()["cancelled_bookings"] == answers[(201, None)]


def _erasure(api: Api, member: Member, operator: Member, by_operator: bool) -> httpx.Request:
    if by_operator:
        return api.client.build_request(
            "DELETE", f"/api/v1/members/{member.id}", headers=operator.headers
        )
    return api.client.build_request("DELETE", "/api/v1/me", headers=member.headers)


@pytest.mark.parametrize("by_operator", [False, True], ids=["own", "operator"])
async def test_no_booking_of_an_erased_member_stays_active(
    live_server: LiveServer, live_api: Api, live_db: Any, by_operator: bool
) -> None:
    operator = await live_api.operator()
    location = await live_api.location(opening_hours=ALL_DAY, booking_rules=ROOMY)
    desks = [await live_api.desk(location["id"]) for _ in range(4)]
    for _ in range(ROUNDS):
        member = await live_api.member()
        bookings = [
            booking_request(live_api, member, desks[index % len(desks)]["id"], start, end)
            for index, (start, end) in enumerate(half_hours(BOOKINGS - 6))
        ]
        third = len(bookings) // 3

        responses = await fire_at_once(
            live_server.base_url,
            [
                *bookings[:third],
                _erasure(live_api, member, operator, by_operator),
                *bookings[third:],
            ],
        )

        erased = responses.pop(third)
        assert erased.status_code == 204, erased.text
        answers = outcomes(responses)
        assert set(answers) <= {(201, None), (401, "not-authenticated")}, answers
        active = await live_db.fetchval(
            f"SELECT count(*) FROM bookings WHERE member_id = $1 AND {ACTIVE_FUTURE}",
            uuid.UUID(member.id),
        )
        assert active == 0
        stored = await live_db.fetchval(
            "SELECT count(*) FROM bookings WHERE member_id = $1", uuid.UUID(member.id)
        )
        assert stored == answers[(201, None)]


async def test_no_future_booking_of_a_removed_employee_carries_the_company(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    admin = await live_api.member()
    company = await active_company(live_api, admin, seats=100)
    for _ in range(ROUNDS):
        location = await live_api.location(opening_hours=ALL_DAY, booking_rules=ROOMY)
        desks = [await live_api.desk(location["id"]) for _ in range(4)]
        (member,) = await staff(live_api, admin, company["id"], 1)
        bookings = [
            booking_request(live_api, member, desks[index % len(desks)]["id"], start, end)
            for index, (start, end) in enumerate(half_hours(BOOKINGS - 6, days=3))
        ]
        removal = live_api.client.build_request(
            "DELETE",
            f"{COMPANIES}/{company['id']}/employees/{member.id}",
            headers=admin.headers,
        )
        third = len(bookings) // 3

        responses = await fire_at_once(
            live_server.base_url, [*bookings[:third], removal, *bookings[third:]]
        )

        removed = responses.pop(third)
        assert removed.status_code == 204, removed.text
        assert outcomes(responses) == {(201, None): len(bookings)}
        with_company = await live_db.fetchval(
            "SELECT count(*) FROM bookings "
            f"WHERE member_id = $1 AND company_id = $2 AND {ACTIVE_FUTURE}",
            uuid.UUID(member.id),
            uuid.UUID(company["id"]),
        )
        assert with_company == 0


#: How the booking's first statement, the one that takes its locks, starts.
BOOKING_LOCKS = "SELECT desks.id"


async def _book_behind(
    live_server: LiveServer,
    live_api: Api,
    live_db: Any,
    statements: list[tuple[str, tuple[Any, ...]]],
    *,
    member: Member,
    desk: dict[str, Any],
) -> tuple[httpx.Response, int]:
    """Run ``statements`` in a transaction that stays open until the member's booking of
    ``desk`` waits for a lock (seen in ``pg_stat_activity``), then commit; the booking's
    answer and how many bookings the member holds afterwards."""
    day = future_day(7)
    observer = await asyncpg.connect(live_server.database_url, timeout=10)
    try:
        async with live_db.transaction():
            for statement, arguments in statements:
                await live_db.execute(statement, *arguments)
            request = asyncio.create_task(
                live_api.book(member, desk["id"], local(day, "10:00"), local(day, "12:00"))
            )
            await wait_for_lock_wait(observer, BOOKING_LOCKS)
        response = await request
    finally:
        await observer.close()
    held = await live_db.fetchval(
        "SELECT count(*) FROM bookings WHERE member_id = $1", uuid.UUID(member.id)
    )
    return response, int(held)


async def test_a_booking_waiting_for_a_closure_sees_it(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    """Staged: a transaction locks the location as a closure does and stores the closure;
    a booking of that day must wait for the lock, and then see the committed closure."""
    location = await live_api.location(opening_hours=ALL_DAY)
    desk = await live_api.desk(location["id"])
    member = await live_api.member()
    location_id = uuid.UUID(location["id"])
    closure = (
        "INSERT INTO closures (id, location_id, date, reason) VALUES ($1, $2, $3, $4)",
        (uuid.uuid4(), location_id, future_day(7), "Rohrbruch"),
    )
    lock = ("SELECT id FROM locations WHERE id = $1 FOR UPDATE", (location_id,))

    response, held = await _book_behind(
        live_server, live_api, live_db, [lock, closure], member=member, desk=desk
    )

    assert_problem(response, 422, "outside-opening-hours")
    assert held == 0


async def test_a_booking_waiting_for_an_erasure_is_refused(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    """Staged: a transaction erases the member's row while their booking request, already
    past authentication, waits for the row's lock; the booking must then be refused as the
    erased account's token would be."""
    location = await live_api.location(opening_hours=ALL_DAY)
    desk = await live_api.desk(location["id"])
    member = await live_api.member()
    erasure = (
        "UPDATE members SET email = NULL, password_hash = NULL, active = false, "
        "erased_at = now() WHERE id = $1",
        (uuid.UUID(member.id),),
    )

    response, held = await _book_behind(
        live_server, live_api, live_db, [erasure], member=member, desk=desk
    )

    assert_problem(response, 401, "not-authenticated")
    assert held == 0
