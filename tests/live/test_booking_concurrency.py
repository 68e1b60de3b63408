"""The booking invariants under real concurrency: many simultaneous requests against a uvicorn
with two worker processes on PostgreSQL, checked in the answers and in the database itself."""

import asyncio
import uuid
from collections import Counter
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import PROBLEM, Api, Member, assert_problem, local
from tests.live.support import ALL_DAY, LiveServer, fire_at_once, future_day

pytestmark = pytest.mark.live

RIVALS = 60
DESKS = 20
REPEATS = 20


def outcomes(responses: list[httpx.Response]) -> Counter[tuple[int, str | None]]:
    """How many answers of each (status, problem slug) there were; a success has no slug, an
    answer that is not problem details is counted with its body."""
    counted: Counter[tuple[int, str | None]] = Counter()
    for response in responses:
        slug = None
        if response.status_code >= 400:
            is_problem = response.headers.get("content-type", "").startswith(
                "application/problem+json"
            )
            slug = response.json()["type"].removeprefix(PROBLEM) if is_problem else response.text
        counted[(response.status_code, slug)] += 1
    return counted


async def members(api: Api, count: int, batch: int = 10) -> list[Member]:
    """``count`` registered, signed-in members, made a few at a time."""
    made: list[Member] = []
    while len(made) < count:
        size = min(batch, count - len(made))
        made += await asyncio.gather(*(api.member() for _ in range(size)))
    return made


def slot() -> tuple[str, str]:
    day = future_day(7)
    return local(day, "10:00"), local(day, "12:00")


def booking_request(
    api: Api, member: Member, desk_id: str, start: str, end: str, **headers: str
) -> httpx.Request:
    return api.client.build_request(
        "POST",
        "/api/v1/bookings",
        json={"desk_id": desk_id, "start": start, "end": end},
        headers={**member.headers, **headers},
    )


async def test_many_members_one_desk_exactly_one_wins(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    location = await live_api.location(opening_hours=ALL_DAY)
    desk = await live_api.desk(location["id"])
    rivals = await members(live_api, RIVALS)
    start, end = slot()

    responses = await fire_at_once(
        live_server.base_url,
        [booking_request(live_api, rival, desk["id"], start, end) for rival in rivals],
    )

    assert outcomes(responses) == {(201, None): 1, (409, "booking-conflict"): RIVALS - 1}
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "booking-conflict")
    (index,) = [index for index, answer in enumerate(responses) if answer.status_code == 201]
    winner, won = rivals[index], responses[index].json()
    assert won["member_id"] == winner.id
    rows = await live_db.fetch(
        "SELECT id, member_id, status FROM bookings WHERE desk_id = $1", uuid.UUID(desk["id"])
    )
    assert [(str(row["id"]), str(row["member_id"]), row["status"]) for row in rows] == [
        (won["id"], winner.id, "confirmed")
    ]


async def test_one_member_many_desks_exactly_one_wins(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    location = await live_api.location(opening_hours=ALL_DAY)
    desks = [await live_api.desk(location["id"]) for _ in range(DESKS)]
    member = await live_api.member()
    start, end = slot()

    responses = await fire_at_once(
        live_server.base_url,
        [booking_request(live_api, member, desk["id"], start, end) for desk in desks],
    )

    assert outcomes(responses) == {(201, None): 1, (409, "member-double-booked"): DESKS - 1}
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, "member-double-booked")
    (won,) = [response.json() for response in responses if response.status_code == 201]
    rows = await live_db.fetch(
        "SELECT id, desk_id FROM bookings WHERE member_id = $1", uuid.UUID(member.id)
    )
    assert [(str(row["id"]), str(row["desk_id"])) for row in rows] == [(won["id"], won["desk_id"])]


async def test_concurrent_repeats_of_one_idempotency_key_make_one_booking(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    location = await live_api.location(opening_hours=ALL_DAY)
    desk = await live_api.desk(location["id"])
    member = await live_api.member()
    start, end = slot()
    key = f"live-{uuid.uuid4()}"

    responses = await fire_at_once(
        live_server.base_url,
        [
            booking_request(live_api, member, desk["id"], start, end, **{"Idempotency-Key": key})
            for _ in range(REPEATS)
        ],
    )

    # The member's requests are serialised: the first creates, every repeat replays it.
    assert outcomes(responses) == {(201, None): REPEATS}
    assert len({response.json()["id"] for response in responses}) == 1
    booking_id = responses[0].json()["id"]
    rows = await live_db.fetch(
        "SELECT id, idempotency_key FROM bookings WHERE member_id = $1", uuid.UUID(member.id)
    )
    assert [(str(row["id"]), row["idempotency_key"]) for row in rows] == [(booking_id, key)]


async def wait_for_lock_wait(connection: Any, query_start: str) -> None:
    """Until a session of the database waits for a lock in a statement starting so."""
    async with asyncio.timeout(30):
        while True:
            waiting = await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE $1",
                f"{query_start}%",
            )
            if waiting:
                return
            await asyncio.sleep(0.02)


async def test_a_deadlock_at_the_insert_answers_booking_conflict(
    live_server: LiveServer, live_api: Api, live_db: Any
) -> None:
    """Two inserts racing for one desk can each wait for the other in the exclusion constraint;
    PostgreSQL then aborts one ("deadlock detected"), and that loser must get the 409 it would
    have got a moment later, not a 500. Staged deterministically: another transaction holds an
    uncommitted booking of the desk, and once the request's insert waits for it, that
    transaction waits for the member row the request has locked."""
    location = await live_api.location(opening_hours=ALL_DAY)
    desk = await live_api.desk(location["id"])
    member, rival = await members(live_api, 2)
    start, end = slot()
    observer = await asyncpg.connect(live_server.database_url, timeout=10)
    rival_booking = live_db.transaction()
    await rival_booking.start()
    try:
        # Only the request's backend looks for the deadlock, so the request is the one aborted.
        await live_db.execute("SET LOCAL deadlock_timeout = '60s'")
        await live_db.execute(
            'INSERT INTO bookings (id, desk_id, member_id, start, "end", status, is_workplace, '
            "check_in_until, created_at, lead_seconds) "
            "VALUES ($1, $2, $3, $4, $5, 'confirmed', true, $4, now(), 0)",
            uuid.uuid4(),
            uuid.UUID(desk["id"]),
            uuid.UUID(rival.id),
            datetime.fromisoformat(start),
            datetime.fromisoformat(end),
        )
        request = asyncio.create_task(live_api.book(member, desk["id"], start, end))
        await wait_for_lock_wait(observer, "INSERT INTO bookings")
        await live_db.fetchval(
            "SELECT id FROM members WHERE id = $1 FOR UPDATE", uuid.UUID(member.id)
        )
        response = await request
    finally:
        await rival_booking.rollback()
        await observer.close()

    assert_problem(response, 409, "booking-conflict")
    assert (
        await live_db.fetchval(
            "SELECT count(*) FROM bookings WHERE desk_id = $1", uuid.UUID(desk["id"])
        )
        == 0
    )
