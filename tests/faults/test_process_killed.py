"""App processes killed with SIGKILL in the middle of a stream of booking requests: no booking
is left half-written, none is doubled, the invariants hold, and the service goes on.

A request whose answer was lost may or may not have been committed: the client sends it again
with the same ``Idempotency-Key`` and gets the one booking, made then or before.
"""

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Api
from tests.faults.support import (
    FIGURES,
    REQUEST_TIMEOUT,
    SERVER_SETTINGS,
    Attempt,
    BookingStream,
    booking_setup,
    mismatches,
    overlapping_pairs,
    plan,
    send,
    stored_bookings,
    worker_pids,
)
from tests.live.support import LiveServer, running_server

pytestmark = [pytest.mark.slow, pytest.mark.live]

WORKERS = 2
DESKS = 6
#: Bookings answered 201 before a kill, and again after it.
BOOKINGS_EACH_SIDE = 20
#: Generous, for a loaded 2-core machine (a new worker imports the whole app).
RESTART_TIMEOUT = 60.0


def start_stream(client: httpx.AsyncClient, planned: Iterator[Attempt]) -> BookingStream:
    stream = BookingStream(client, planned, concurrency=6, pace=0.02)
    stream.start()
    return stream


async def resend_unanswered(client: httpx.AsyncClient, attempts: list[Attempt]) -> list[Attempt]:
    """Send every request that got no answer again, same body and key; those attempts."""
    lost = [attempt for attempt in attempts if attempt.status is None]
    for attempt in lost:
        await send(client, attempt)
    return lost


async def check_database(url: str, attempts: list[Attempt]) -> tuple[int, int]:
    """What the database holds after the kill: each booking whole, made by one of the
    requests, at most one per Idempotency-Key, and the one answered 201 if an answer came;
    every 201 stored; no two active bookings overlapping. The number of bookings, and how
    many of them belong to requests that got no answer (committed, answer lost)."""
    stored = await stored_bookings(url)
    by_key = {attempt.key: attempt for attempt in attempts}
    keys = [row["idempotency_key"] for row in stored.values()]
    assert len(keys) == len(set(keys)), "an Idempotency-Key with two bookings"

    def accounted_for(row: Any) -> bool:
        attempt = by_key.get(row["idempotency_key"])
        if attempt is None:
            return False
        return attempt.status is None or (attempt.status == 201 and attempt.body["id"] == row["id"])

    assert [dict(row) for row in stored.values() if not accounted_for(row)] == []
    assert [
        attempt.describe()
        for attempt in attempts
        if attempt.status == 201 and attempt.body["id"] not in stored
    ] == []
    assert {
        booking_id: problems
        for booking_id, row in stored.items()
        if (problems := mismatches(row, by_key[row["idempotency_key"]]))
    } == {}
    assert await overlapping_pairs(url) == 0
    unanswered = sum(1 for row in stored.values() if by_key[row["idempotency_key"]].status is None)
    return len(stored), unanswered


def assert_only_created_or_lost(attempts: list[Attempt], server: LiveServer) -> None:
    wrong = [attempt.describe() for attempt in attempts if attempt.status not in (201, None)]
    assert wrong == [], "\n".join(wrong[:20]) + f"\n{server.log_tail()}"


async def test_worker_killed_mid_stream(fault_database: str, tmp_path: Path) -> None:
    url = fault_database
    with running_server(url, log_dir=tmp_path, workers=WORKERS, env=SERVER_SETTINGS) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            members, desks = await booking_setup(Api(client), desks=DESKS)
            workers = worker_pids(server.process.pid)
            assert len(workers) == WORKERS, workers
            stream = start_stream(client, plan(members, desks))
            try:
                await stream.wait_for(
                    lambda: len(stream.answered(201)) >= BOOKINGS_EACH_SIDE,
                    RESTART_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings before the kill",
                )
                in_flight = sum(1 for attempt in stream.attempts if not attempt.answered_at)
                os.kill(workers[0], signal.SIGKILL)
                killed_at = time.monotonic()
                await stream.wait_for(
                    lambda: len(stream.answered(201, sent_after=killed_at)) >= BOOKINGS_EACH_SIDE,
                    RESTART_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings after the kill",
                )
                await stream.wait_for(
                    lambda: len(set(worker_pids(server.process.pid)) - set(workers)) == 1,
                    RESTART_TIMEOUT,
                    "uvicorn replacing the killed worker",
                )
            finally:
                await stream.stop()
            replacement = set(worker_pids(server.process.pid)) - set(workers)
            assert_only_created_or_lost(stream.attempts, server)
            _, committed_unanswered = await check_database(url, stream.attempts)
            lost = await resend_unanswered(client, stream.attempts)
            assert_only_created_or_lost(stream.attempts, server)
            assert [attempt.describe() for attempt in lost if attempt.status != 201] == []
            ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert f"Child process [{workers[0]}] died" in server.log_path.read_text()
        assert len(replacement) == 1

    verified, unanswered = await check_database(url, stream.attempts)
    assert unanswered == 0
    FIGURES.append(
        f"worker killed: {len(stream.attempts)} requests ({in_flight} in flight at the kill), "
        f"{len(stream.attempts) - len(lost)} x 201, {len(lost)} answers lost "
        f"({committed_unanswered} of them committed) and resent with their key (all 201); "
        f"{verified} bookings verified whole and single in the database"
    )


async def test_server_killed_mid_stream(fault_database: str, tmp_path: Path) -> None:
    url = fault_database
    with running_server(url, log_dir=tmp_path, workers=WORKERS, env=SERVER_SETTINGS) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            members, desks = await booking_setup(Api(client), desks=DESKS)
            planned = plan(members, desks)  # the stream after the restart books on from there
            stream = start_stream(client, planned)
            try:
                await stream.wait_for(
                    lambda: len(stream.answered(201)) >= BOOKINGS_EACH_SIDE,
                    RESTART_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings before the kill",
                )
                in_flight = sum(1 for attempt in stream.attempts if not attempt.answered_at)
                os.killpg(server.process.pid, signal.SIGKILL)
                await stream.wait_for(
                    lambda: len(stream.answered(None)) >= 10,
                    RESTART_TIMEOUT,
                    "ten requests without an answer after the kill",
                )
            finally:
                await stream.stop()
        assert_only_created_or_lost(stream.attempts, server)
    before_restart = stream.tally()
    _, committed_unanswered = await check_database(url, stream.attempts)

    with running_server(url, log_dir=tmp_path, workers=WORKERS, env=SERVER_SETTINGS) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT) as client:
            lost = await resend_unanswered(client, stream.attempts)
            assert [attempt.describe() for attempt in lost if attempt.status != 201] == []
            after = start_stream(client, planned)
            try:
                await after.wait_for(
                    lambda: len(after.answered(201)) >= BOOKINGS_EACH_SIDE,
                    RESTART_TIMEOUT,
                    f"{BOOKINGS_EACH_SIDE} bookings on the restarted server",
                )
            finally:
                await after.stop()
            assert_only_created_or_lost(after.attempts, server)
            assert after.tally()[None] == 0
            ready = await client.get("/health/ready")
        assert ready.status_code == 200

    verified, unanswered = await check_database(url, stream.attempts + after.attempts)
    assert unanswered == 0
    FIGURES.append(
        f"server killed: {len(stream.attempts)} requests ({in_flight} in flight at the kill), "
        f"{before_restart[201]} x 201, {before_restart[None]} without an answer "
        f"({committed_unanswered} of them committed), resent with their key after the restart "
        f"(all 201); {len(after.attempts)} requests on the restarted server (all 201); "
        f"{verified} bookings verified whole and single in the database"
    )
