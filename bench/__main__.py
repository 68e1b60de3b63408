"""``python -m bench [--bookings N] [--reuse] ...`` — see :mod:`bench`; ``make bench`` runs it."""

import argparse
import asyncio
import functools
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from app import synthetic
from app.core import clock
from app.core.config import Settings
from app.core.db import Database
from app.locations.hours import local_date
from app.main import create_app
from app.stats import rollup
from app.stats import service as stats_service
from app.stats.schemas import Granularity, StatsQuery
from bench import harness
from bench.harness import Recorder, Site, Statement, log

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
#: Each statistic runs ``--stats-runs`` times, or more until both sides took about this long.
STATS_SECONDS = 4.0
MAX_RUNS = 60
STATS_ENDPOINTS: tuple[tuple[stats_service.Endpoint, dict[str, Granularity]], ...] = (
    ("utilization", {"granularity": "day"}),
    ("utilization", {"granularity": "month"}),
    ("heatmap", {}),
    ("bookings", {}),
    ("member-groups", {}),
    ("commute", {}),
    ("companies", {}),
    ("summary", {}),
)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--bookings", type=int, default=1_000_000, help="synthetic bookings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already seeded coworking_bench database"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=16, help="concurrent booking clients")
    parser.add_argument("--seconds", type=float, default=20, help="per throughput measurement")
    parser.add_argument("--runs", type=int, default=60, help="availability searches timed")
    parser.add_argument("--stats-runs", type=int, default=5, help="runs of each statistic")
    parser.add_argument(
        "--only",
        choices=("bookings", "availability", "stats"),
        action="append",
        help="measure only this (repeatable); default: everything",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="write py-spy's collapsed stacks of the server while it takes bookings here",
    )
    return parser.parse_args(argv)


@dataclass
class Row:
    measure: str
    ours: float
    raw: float
    unit: str
    # (limit on ours/raw, absolute limit on ours) — None where the row is informative only
    ratio_limit: float | None = None
    absolute_limit: float | None = None
    higher_is_better: bool = False

    @property
    def ratio(self) -> float:
        return self.ours / self.raw if self.raw else float("inf")

    @property
    def target(self) -> str:
        if self.ratio_limit is None:
            return ""
        sign = "≥" if self.higher_is_better else "≤"
        text = f"{sign} {self.ratio_limit:g}× raw"
        if self.absolute_limit is not None:
            text += f", < {self.absolute_limit:g} {self.unit}"
        return text

    @property
    def met(self) -> str:
        if self.ratio_limit is None:
            return ""
        if self.higher_is_better:
            ok = self.ratio >= self.ratio_limit
        else:
            ok = self.ratio <= self.ratio_limit
        if self.absolute_limit is not None:
            ok = ok and self.ours < self.absolute_limit
        return "yes" if ok else "NO"


def _table(rows: list[Row]) -> str:
    def number(value: float, unit: str) -> str:
        return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"

    cells = [("measure", "ours", "raw", "ratio", "target", "met")] + [
        (
            row.measure,
            number(row.ours, row.unit),
            number(row.raw, row.unit),
            f"{row.ratio:.2f}×",
            row.target,
            row.met,
        )
        for row in rows
    ]
    widths = [max(len(cell[i]) for cell in cells) for i in range(6)]
    lines = [" | ".join(cell[i].ljust(widths[i]) for i in range(6)).rstrip() for cell in cells]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- booking throughput -------------------------------------------------------------------
@dataclass
class Throughput:
    done: int
    seconds: float
    outcomes: Counter[int]
    database_cpu: float = 0.0  # seconds, all PostgreSQL processes meanwhile

    @property
    def per_second(self) -> float:
        return self.done / self.seconds


async def _run_workers(
    count: int, book: Callable[[int, int], Awaitable[int]], slots: int, seconds: float
) -> Throughput:
    """``count`` workers book their slots one after another (the first two untimed, to warm
    up) until the slots or the time run out."""
    outcomes: Counter[int] = Counter()
    warm_up = 2
    postgres = harness.postgres_cpu_seconds()  # connections are open: their CPU counts

    async def warm(w: int) -> None:
        for s in range(warm_up):
            await book(w, s)

    await asyncio.gather(*(warm(w) for w in range(count)))
    began = time.perf_counter()
    deadline = began + seconds
    finished: list[float] = []

    async def worker(w: int) -> None:
        for s in range(warm_up, slots):
            if time.perf_counter() >= deadline:
                break
            outcomes[await book(w, s)] += 1
        finished.append(time.perf_counter())

    await asyncio.gather(*(worker(w) for w in range(count)))
    postgres = harness.postgres_cpu_seconds() - postgres
    return Throughput(outcomes[201], max(finished) - began, outcomes, postgres)


async def http_bookings(
    base_url: str, headers: list[dict[str, str]], site: Site, seconds: float
) -> Throughput:
    """Each client books its own desk, one request after the other, on its own connection."""
    clients = [harness.Http(base_url) for _ in headers]
    failures: list[bytes] = []

    async def book(worker: int, slot: int) -> int:
        start, end = site.slots[slot]
        status, body = await clients[worker].request(
            "POST",
            "/api/v1/bookings",
            json_body={
                "desk_id": str(site.desks[worker]),
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
            headers=headers[worker],
        )
        if status != 201 and not failures:
            failures.append(body)
            log(f"a booking answered {status}: {body[:300]!r}")
        return status

    try:
        return await _run_workers(len(headers), book, len(site.slots), seconds)
    finally:
        await asyncio.gather(*(client.close() for client in clients))


@dataclass(frozen=True)
class BookingTemplate:
    """The statements of one recorded booking request and the values to swap per booking."""

    statements: list[Statement]
    member_id: uuid.UUID
    desk_id: uuid.UUID
    start: datetime
    end: datetime
    day: date
    created_at: datetime
    check_in_until: datetime
    booking_id: uuid.UUID
    grace: timedelta
    timezone: str

    def check(self) -> None:
        """Every value to swap occurs in the recorded parameters (else the replay would
        repeat the recorded booking's instead)."""
        recorded = {p for _, params in self.statements for p in params if harness.hashable(p)}
        swapped = {
            "member": self.member_id,
            "desk": self.desk_id,
            "start": self.start,
            "end": self.end,
            "day": self.day,
            "now": self.created_at,
            "check-in limit": self.check_in_until,
            "booking id": self.booking_id,
        }
        missing = [name for name, value in swapped.items() if value not in recorded]
        if missing:
            raise RuntimeError(f"the recorded booking's statements lack: {', '.join(missing)}")

    def for_booking(
        self, member_id: uuid.UUID, desk_id: uuid.UUID, start: datetime, end: datetime
    ) -> list[Statement]:
        now = datetime.now(UTC)
        return harness.substitute(
            self.statements,
            {
                self.member_id: member_id,
                self.desk_id: desk_id,
                self.start: start,
                self.end: end,
                self.day: local_date(start, self.timezone),
                self.created_at: now,
                self.check_in_until: min(start + self.grace, end),
                self.booking_id: uuid.uuid4(),
            },
        )


async def raw_bookings(
    url: str,
    template: BookingTemplate,
    members: list[uuid.UUID],
    desks: list[uuid.UUID],
    site: Site,
    seconds: float,
) -> Throughput:
    """The recorded statements of a booking, per booking with its own member, desk and times,
    one transaction each, as many at once as there are members."""
    async with harness.connections(url, len(members)) as opened:

        async def book(worker: int, slot: int) -> int:
            start, end = site.slots[slot]
            statements = template.for_booking(members[worker], desks[worker], start, end)
            await harness.replay(opened[worker], statements)
            return 201

        return await _run_workers(len(members), book, len(site.slots), seconds)


# -- the in-process app that tells which statements an endpoint runs -----------------------
class Recording:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.database: Database = app.state.database
        self.recorder = Recorder(self.database.engine)
        transport = httpx.ASGITransport(app=app)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://recording")

    async def request(
        self, method: str, path: str, **kwargs: Any
    ) -> tuple[httpx.Response, list[Statement]]:
        with self.recorder.record() as statements:
            response = await self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response, list(statements)

    async def stats(
        self, endpoint: stats_service.Endpoint, query: StatsQuery, params: dict[str, Granularity]
    ) -> list[Statement]:
        settings: Settings = self.app.state.settings
        async with self.database.read_sessions() as session:
            with self.recorder.record() as statements:
                selects = await stats_service.statements(
                    session,
                    endpoint,
                    query,
                    settings=settings,
                    granularity=params.get("granularity", "day"),
                )
                for select in selects:
                    await session.execute(select)
        return list(statements)


async def _time_pairs(
    runs: int,
    ours: Callable[[], Awaitable[None]],
    raw: Callable[[], Awaitable[None]],
    *,
    least_seconds: float = 0,
) -> tuple[list[float], list[float]]:
    """Milliseconds of each run, HTTP and raw interleaved (both drift alike on a shared
    machine); one untimed run of each first. With ``least_seconds``, more runs where a run is
    quick: a few milliseconds of jitter would otherwise decide a ratio of short measures."""
    began = time.perf_counter()
    await ours()
    await raw()
    once = time.perf_counter() - began
    if least_seconds:
        runs = max(runs, min(MAX_RUNS, math.ceil(least_seconds / max(once, 1e-3))))
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for measure, into in ((ours, timings[0]), (raw, timings[1])):
            began = time.perf_counter()
            await measure()
            into.append((time.perf_counter() - began) * 1000)
    return timings


async def _get(client: harness.Http, path: str, **kwargs: Any) -> None:
    status, body = await client.request("GET", path, **kwargs)
    if status != 200:
        raise RuntimeError(f"GET {path}: {status} {body[:500]!r}")


async def main(args: argparse.Namespace) -> str:
    server_url = os.environ.get("COWORKING_BENCH_POSTGRES_URL") or DEFAULT_SERVER
    url = harness.database_url(server_url)
    existing = await harness.bookings_in(url) if args.reuse else None
    if existing:
        log(f"reusing {harness.DATABASE} with {existing:,} bookings")
        harness.migrate(url)
    else:
        log(f"creating {harness.DATABASE} and seeding {args.bookings:,} bookings")
        url = await harness.recreate(server_url)
        report = await synthetic.seed(url, bookings=args.bookings, seed=args.seed)
        log(f"seeded in {report.seconds:.0f} s")
        await harness.vacuum(url)
    await _seal_statistics(url)
    clients = args.clients
    # HTTP clients, raw clients and one member whose request is recorded
    site, members = await harness.prepare(url, members=2 * clients + 1, desks=2 * clients + 1)
    total = await harness.bookings_in(url) or 0
    rows: list[Row] = []
    # The same settings as the server's; its periodic status job stays out of the recordings.
    settings = Settings(
        database_url=url,
        env="production",
        secret_key=harness.SECRET_KEY,
        public_base_url=harness.PUBLIC_BASE_URL,
        bootstrap_operator_email=harness.OPERATOR_EMAIL,
        bootstrap_operator_password=harness.OPERATOR_PASSWORD,
        status_job_interval_seconds=3600,
    )
    app = create_app(settings)
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "uvicorn.log"
        async with app.router.lifespan_context(app):
            recording = Recording(app)
            with harness.uvicorn(url, workers=args.workers, log_path=log_path) as server:
                base_url = server.base_url
                measures = args.only or ("bookings", "availability", "stats")
                if "bookings" in measures:
                    rows += await _bookings(args, url, server, recording, site, members)
                if "availability" in measures:
                    rows += await _availability(args, url, base_url, recording, site)
                if "stats" in measures:
                    rows += await _statistics(args, url, base_url, recording)
            await recording.client.aclose()
    if args.drop:
        await harness.drop(server_url)
    heading = (
        f"PostgreSQL, {total:,} bookings; uvicorn --workers {args.workers}, "
        f"{clients} concurrent booking clients; raw = the app's own statements through asyncpg"
    )
    return f"{heading}\n\n{_table(rows)}"


async def _seal_statistics(url: str) -> None:
    """Bring the statistics rollup up to date before measuring, as the server's periodic job
    keeps it (its first build reads every booking once)."""
    began = time.monotonic()
    database = Database(Settings(database_url=url, secret_key=harness.SECRET_KEY))
    try:
        sealed = await rollup.refresh(database, clock.now())
    finally:
        await database.dispose()
    log(f"statistics rollup: {sealed} locations sealed in {time.monotonic() - began:.1f} s")


async def _bookings(
    args: argparse.Namespace,
    url: str,
    server: harness.Server,
    recording: Recording,
    site: Site,
    members: list[uuid.UUID],
) -> list[Row]:
    clients = args.clients
    emails = [f"client{i}@{harness.BENCH_DOMAIN}" for i in range(len(members))]
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        headers = [await harness.token(client, e, harness.BENCH_PASSWORD) for e in emails[:clients]]
    # One booking in-process, recorded: the statements the service runs for it.
    recorder_headers = await harness.token(recording.client, emails[-1], harness.BENCH_PASSWORD)
    start, end = site.slots[0]
    booked, statements = await recording.request(
        "POST",
        "/api/v1/bookings",
        json={"desk_id": str(site.desks[-1]), "start": start.isoformat(), "end": end.isoformat()},
        headers=recorder_headers,
    )
    body = booked.json()
    location = await _location(recording, site)
    grace = timedelta(minutes=location["booking_rules"]["check_in_grace_minutes"])
    template = BookingTemplate(
        statements=statements,
        member_id=members[-1],
        desk_id=site.desks[-1],
        start=start,
        end=end,
        day=local_date(start, location["timezone"]),
        created_at=datetime.fromisoformat(body["created_at"]),
        check_in_until=min(start + grace, end),
        booking_id=uuid.UUID(body["id"]),
        grace=grace,
        timezone=location["timezone"],
    )
    template.check()
    log(f"a booking runs {len(statements)} statements; booking over HTTP for {args.seconds:g} s")
    cpu = harness.cpu_seconds(server.pid)
    with harness.profiling(server.pid, args.seconds, args.profile):
        ours = await http_bookings(server.base_url, headers, site, args.seconds)
    cpu = harness.cpu_seconds(server.pid) - cpu
    log(
        f"HTTP: {ours.done} bookings in {ours.seconds:.1f} s, answers {dict(ours.outcomes)}; "
        f"CPU a booking: server {_per(cpu, ours)}, PostgreSQL {_per(ours.database_cpu, ours)}"
    )
    cpu = time.process_time()
    raw = await raw_bookings(
        url,
        template,
        members[clients : 2 * clients],
        site.desks[clients : 2 * clients],
        site,
        args.seconds,
    )
    cpu = time.process_time() - cpu
    log(
        f"raw: {raw.done} bookings in {raw.seconds:.1f} s; CPU a booking: asyncpg client "
        f"{_per(cpu, raw)}, PostgreSQL {_per(raw.database_cpu, raw)}"
    )
    return [
        Row(
            f"booking creation, {clients} clients",
            ours.per_second,
            raw.per_second,
            "req/s",
            ratio_limit=0.5,
            higher_is_better=True,
        )
    ]


def _per(seconds: float, throughput: Throughput) -> str:
    return f"{seconds / max(throughput.done, 1) * 1000:.1f} ms"


async def _location(recording: Recording, site: Site) -> dict[str, Any]:
    response = await recording.client.get(f"/api/v1/locations/{site.location_id}")
    result: dict[str, Any] = response.json()
    return result


async def _availability(
    args: argparse.Namespace, url: str, base_url: str, recording: Recording, site: Site
) -> list[Row]:
    location = await _location(recording, site)
    zone = ZoneInfo(location["timezone"])
    day = harness.today_berlin() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    params = {
        "location_id": str(site.location_id),
        "start": datetime.combine(day, datetime.min.time(), zone).replace(hour=10).isoformat(),
        "end": datetime.combine(day, datetime.min.time(), zone).replace(hour=12).isoformat(),
    }
    _, statements = await recording.request("GET", "/api/v1/availability", params=params)
    log(f"availability runs {len(statements)} statements; timing {args.runs} searches")
    client = harness.Http(base_url)
    async with harness.connections(url, 1) as (connection,):
        ours, raw = await _time_pairs(
            args.runs,
            lambda: _get(client, "/api/v1/availability", params=params),
            lambda: harness.replay(connection, statements),
        )
    await client.close()
    return [
        Row("availability search p50", _percentile(ours, 0.5), _percentile(raw, 0.5), "ms"),
        Row(
            "availability search p95",
            _percentile(ours, 0.95),
            _percentile(raw, 0.95),
            "ms",
            ratio_limit=2,
        ),
    ]


async def _statistics(
    args: argparse.Namespace, url: str, base_url: str, recording: Recording
) -> list[Row]:
    last = harness.today_berlin()
    first = last - timedelta(days=364)
    query = StatsQuery(first_day=first, last_day=last, location_id=None)
    rows = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as login:
        operator = await harness.token(login, harness.OPERATOR_EMAIL, harness.OPERATOR_PASSWORD)
    client = harness.Http(base_url)
    async with harness.connections(url, 1) as (connection,):
        for endpoint, extra in STATS_ENDPOINTS:
            statements = await recording.stats(endpoint, query, extra)
            params = {"from": first.isoformat(), "to": last.isoformat(), **extra}
            name = f"stats/{endpoint}" + "".join(f" {v}" for v in extra.values())
            log(f"{name}: {len(statements)} statements, {args.stats_runs} runs or more")
            ours, raw = await _time_pairs(
                args.stats_runs,
                functools.partial(
                    _get, client, f"/api/v1/stats/{endpoint}", params=params, headers=operator
                ),
                functools.partial(harness.replay, connection, statements),
                least_seconds=STATS_SECONDS,
            )
            rows.append(
                Row(
                    f"{name} (1 year), median",
                    statistics.median(ours),
                    statistics.median(raw),
                    "ms",
                    ratio_limit=1.5,
                    absolute_limit=1000,
                )
            )
    await client.close()
    return rows


if __name__ == "__main__":
    arguments = _arguments(sys.argv[1:])
    started = time.monotonic()
    table = asyncio.run(main(arguments))
    print(table)
    print(f"\n({time.monotonic() - started:.0f} s)")
