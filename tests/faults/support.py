"""A paced stream of booking requests against a live server, and what the database holds after.

Every request of a stream books its own (desk, hour): member *i* always books desk *i*, one
hour after another over the coming weeks, so no two requests of a stream can conflict and
every answer but 201 is the fault's doing. Each request carries its own ``Idempotency-Key``.
"""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.factories import PROBLEM, Api, Member, local
from tests.live.support import ALL_DAY, future_day

#: Hard limit for one request, answer included: a request still open then is a hang.
REQUEST_TIMEOUT = 10.0
#: Settings of the fault tests' servers: a pool that two workers' streams never exhaust.
SERVER_SETTINGS = {"COWORKING_DB_POOL_SIZE": "10"}
#: The location's default check-in grace.
DEFAULT_GRACE = timedelta(minutes=30)
#: The stream's figures, printed at the end of the session (see ``conftest.py``).
FIGURES: list[str] = []

STORED = """
    SELECT id::text, desk_id::text, member_id::text, start, "end", status, idempotency_key,
           check_in_until, created_at, cancelled_at, checked_in_at
    FROM bookings
"""
OVERLAPS = """
    SELECT count(*) FROM bookings a JOIN bookings b
      ON a.id < b.id AND a.start < b."end" AND b.start < a."end"
     AND a.status IN ('confirmed', 'checked_in') AND b.status IN ('confirmed', 'checked_in')
     AND (a.desk_id = b.desk_id OR (a.member_id = b.member_id AND a.is_workplace
                                    AND b.is_workplace))
"""


@dataclass
class Attempt:
    """One booking request and what came of it."""

    member: Member
    desk_id: str
    start: str
    end: str
    key: str
    sent_at: float = 0.0
    answered_at: float = 0.0
    status: int | None = None
    content_type: str = ""
    body: Any = None
    #: Why there was no answer (a transport error or the hard timeout).
    error: str | None = None

    @property
    def payload(self) -> dict[str, str]:
        return {"desk_id": self.desk_id, "start": self.start, "end": self.end}

    @property
    def slug(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("type"), str):
            return str(self.body["type"]).removeprefix(PROBLEM)
        return None

    def describe(self) -> str:
        if self.status is None:
            return f"no answer after {self.answered_at - self.sent_at:.1f} s ({self.error})"
        return f"{self.status} {self.content_type} {str(self.body)[:300]}"


async def send(client: httpx.AsyncClient, attempt: Attempt) -> None:
    """Send the attempt's request once and record the answer (or that there was none)."""
    attempt.sent_at = time.monotonic()
    attempt.status, attempt.error = None, None
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            response = await client.post(
                "/api/v1/bookings",
                json=attempt.payload,
                headers={**attempt.member.headers, "Idempotency-Key": attempt.key},
                timeout=REQUEST_TIMEOUT,
            )
    except (httpx.HTTPError, TimeoutError) as error:
        attempt.error = f"{type(error).__name__}: {error}"
    else:
        attempt.status = response.status_code
        attempt.content_type = response.headers.get("content-type", "")
        try:
            attempt.body = response.json()
        except ValueError:
            attempt.body = response.text
    attempt.answered_at = time.monotonic()


def plan(members: Sequence[Member], desks: Sequence[dict[str, Any]]) -> Iterator[Attempt]:
    """Hour-long bookings, member *i* on desk *i*, from the day after tomorrow on."""
    for days_ahead in range(2, 56):
        day = future_day(days_ahead)
        for hour in range(8, 20):
            start, end = local(day, f"{hour:02d}:00"), local(day, f"{hour + 1:02d}:00")
            for member, desk in zip(members, desks, strict=True):
                yield Attempt(member, desk["id"], start, end, key=uuid.uuid4().hex)


class BookingStream:
    """``concurrency`` tasks each sending one request after another, ``pace`` seconds apart,
    until :meth:`stop` (or ``limit`` requests)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        attempts: Iterator[Attempt],
        *,
        concurrency: int,
        pace: float,
        limit: int = 2000,
    ) -> None:
        self.client, self.concurrency, self.pace, self.limit = client, concurrency, pace, limit
        self.attempts: list[Attempt] = []
        self._planned = attempts
        self._stopping = asyncio.Event()
        self._task: asyncio.Future[list[None]] | None = None

    def start(self) -> None:
        self._task = asyncio.gather(*(self._sender() for _ in range(self.concurrency)))

    async def stop(self) -> None:
        self._stopping.set()
        assert self._task is not None
        await self._task

    async def _sender(self) -> None:
        while not self._stopping.is_set() and len(self.attempts) < self.limit:
            attempt = next(self._planned, None)
            if attempt is None:
                return
            self.attempts.append(attempt)
            await send(self.client, attempt)
            await asyncio.sleep(self.pace)

    def answered(self, status: int | None, *, sent_after: float = 0.0) -> list[Attempt]:
        """The finished attempts with this status (``None``: no answer) sent after a moment."""
        return [
            attempt
            for attempt in self.attempts
            if attempt.answered_at and attempt.status == status and attempt.sent_at >= sent_after
        ]

    def tally(self) -> Counter[int | None]:
        return Counter(attempt.status for attempt in self.attempts if attempt.answered_at)

    async def wait_for(self, condition: Callable[[], bool], within: float, what: str) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if self._task is not None and self._task.done():
                raise AssertionError(f"the stream ended before {what}: {self.tally()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {within:g} s: {what}; so far {self.tally()}")
            await asyncio.sleep(0.05)


async def booking_setup(api: Api, *, desks: int) -> tuple[list[Member], list[dict[str, Any]]]:
    """A location open around the clock that lets a member hold many bookings, ``desks``
    desks and as many members (with tokens)."""
    location = await api.location(
        opening_hours=ALL_DAY, booking_rules={"max_active_bookings_per_member": 1000}
    )
    made_desks = [await api.desk(location["id"]) for _ in range(desks)]
    members = [await api.member() for _ in range(desks)]
    return members, made_desks


async def stored_bookings(database_url: str) -> dict[str, asyncpg.Record]:
    """Every booking row of the database, by id."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        return {row["id"]: row for row in await connection.fetch(STORED)}
    finally:
        await connection.close()


async def overlapping_pairs(database_url: str) -> int:
    """Pairs of active bookings that overlap on one desk, or on one member's workplaces."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        count: int = await connection.fetchval(OVERLAPS)
        return count
    finally:
        await connection.close()


def mismatches(row: asyncpg.Record, attempt: Attempt) -> list[str]:
    """How a stored booking differs from the whole, confirmed booking the attempt asked for."""
    start, end = datetime.fromisoformat(attempt.start), datetime.fromisoformat(attempt.end)
    expected = {
        "desk_id": attempt.desk_id,
        "member_id": attempt.member.id,
        "start": start,
        "end": end,
        "status": "confirmed",
        "idempotency_key": attempt.key,
        "check_in_until": min(start + DEFAULT_GRACE, end),
        "cancelled_at": None,
        "checked_in_at": None,
    }
    problems = [
        f"{field}={row[field]!r}, expected {value!r}"
        for field, value in expected.items()
        if row[field] != value
    ]
    if row["created_at"] is None:
        problems.append("created_at is NULL")
    return problems


def worker_pids(supervisor_pid: int) -> list[int]:
    """The uvicorn worker processes of a ``--workers N`` server: the supervisor's children,
    but for multiprocessing's resource tracker (Linux ``/proc``)."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == supervisor_pid and b"resource_tracker" not in command:
            workers.append(int(entry.name))
    return sorted(workers)
