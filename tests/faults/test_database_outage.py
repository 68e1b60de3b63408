"""The database stopped and started again under a stream of booking requests: the service
answers 503 problem details meanwhile (never 500, never a hang), recovers by itself, and the
database holds exactly the bookings that were answered 201."""

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from tests.factories import Api, assert_problem
from tests.faults.postgres import ThrowawayPostgres
from tests.faults.support import (
    FIGURES,
    REQUEST_TIMEOUT,
    SERVER_SETTINGS,
    BookingStream,
    booking_setup,
    mismatches,
    overlapping_pairs,
    plan,
    stored_bookings,
)
from tests.live.support import running_server

pytestmark = [pytest.mark.slow, pytest.mark.live]

#: How long the database stays down (at least).
OUTAGE_SECONDS = 4.0
#: Bookings answered 201 before the outage, and again after it.
BOOKINGS_EACH_SIDE = 20
#: Generous, for a loaded 2-core machine; the figures show the real recovery time.
RECOVERY_TIMEOUT = 60.0


async def test_database_outage_answers_503_and_recovers_by_itself(
    running_postgres: ThrowawayPostgres, fault_database: str, tmp_path: Path
) -> None:
    url = fault_database
    with running_server(url, log_dir=tmp_path, env=SERVER_SETTINGS) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            members, desks = await booking_setup(Api(client), desks=8)
            stream = BookingStream(client, plan(members, desks), concurrency=4, pace=0.1)
            stream.start()
            try:
                await stream.wait_for(
                    lambda: len(stream.answered(201)) >= BOOKINGS_EACH_SIDE,
                    RECOVERY_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings before the outage",
                )
                await asyncio.to_thread(running_postgres.stop, "fast")
                stopped_at = time.monotonic()
                ready_during_outage = await client.get("/health/ready")
                await stream.wait_for(
                    lambda: len(stream.answered(503, sent_after=stopped_at)) >= 5,
                    RECOVERY_TIMEOUT,
                    "five 503 answers while the database is down",
                )
                await asyncio.sleep(max(0.0, stopped_at + OUTAGE_SECONDS - time.monotonic()))
                await asyncio.to_thread(running_postgres.start)
                restarted_at = time.monotonic()
                await stream.wait_for(
                    lambda: (
                        len(stream.answered(201, sent_after=restarted_at)) >= BOOKINGS_EACH_SIDE
                    ),
                    RECOVERY_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings after the restart (no app restart)",
                )
            finally:
                if not running_postgres.is_running():
                    running_postgres.start()
                await stream.stop()
            ready_after = await client.get("/health/ready")

        assert_problem(ready_during_outage, 503, "service-unavailable")
        assert ready_after.status_code == 200, ready_after.text
        attempts = stream.attempts
        wrong = [
            attempt.describe()
            for attempt in attempts
            if attempt.status != 201
            and not (
                attempt.status == 503
                and attempt.content_type.startswith("application/problem+json")
                and attempt.slug == "service-unavailable"
            )
        ]
        assert wrong == [], f"{len(wrong)} answers neither 201 nor 503 problem+json:\n" + (
            "\n".join(wrong[:20]) + f"\n{server.log_tail()}"
        )

        created = {attempt.body["id"]: attempt for attempt in attempts if attempt.status == 201}
        refused_keys = {attempt.key for attempt in attempts if attempt.status != 201}
        stored = await stored_bookings(url)
        assert set(stored) == set(created), (
            f"stored but not answered 201: {sorted(set(stored) - set(created))}; "
            f"answered 201 but not stored: {sorted(set(created) - set(stored))}"
        )
        assert {row["idempotency_key"] for row in stored.values()} & refused_keys == set()
        assert {
            booking_id: problems
            for booking_id, row in stored.items()
            if (problems := mismatches(row, created[booking_id]))
        } == {}
        assert await overlapping_pairs(url) == 0

    first_after = min(
        attempt.answered_at for attempt in stream.answered(201, sent_after=restarted_at)
    )
    tally = stream.tally()
    FIGURES.append(
        f"database outage: {len(attempts)} requests, {tally[201]} x 201, {tally[503]} x 503, "
        f"{len(stored)} bookings verified in the database; database down "
        f"{restarted_at - stopped_at:.1f} s, first 201 {first_after - restarted_at:.2f} s "
        "after it was back"
    )
