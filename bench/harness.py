"""What the benchmark stands on: the bench database, a production-like uvicorn, members with
tokens, and the recording and replaying of the statements the app runs."""

import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.security import hash_password
from app.locations.hours import opening_intervals

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "coworking_bench"
BENCH_DOMAIN = "bench.example.org"
OPERATOR_EMAIL = f"operator@{BENCH_DOMAIN}"
# Fresh for every run; the bench operator and members of an earlier run are removed first.
BENCH_PASSWORD = secrets.token_urlsafe(16)
OPERATOR_PASSWORD = secrets.token_urlsafe(16)
SECRET_KEY = secrets.token_urlsafe(48)
#: Room for the booking benchmark: members book up to this many days ahead, and hold up to
#: this many upcoming bookings (the location's rules; the checks themselves stay the same).
ADVANCE_DAYS = 120
QUOTA = 1000
FIRST_BENCH_DAY = 31  # after the synthetic data's upcoming weeks
SLOT = timedelta(hours=1)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def database_url(server_url: str) -> str:
    return re.sub(r"/[^/]*$", f"/{DATABASE}", server_url)


async def _admin(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(server_url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def bookings_in(url: str) -> int | None:
    """How many bookings the bench database holds; None when it does not exist or is empty."""
    try:
        connection = await asyncpg.connect(url, timeout=10)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        if not await connection.fetchval("SELECT to_regclass('bookings') IS NOT NULL"):
            return None
        return int(await connection.fetchval("SELECT count(*) FROM bookings")) or None
    finally:
        await connection.close()


async def recreate(server_url: str) -> str:
    """A new, empty ``coworking_bench`` migrated to the head revision; its URL."""
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    await _admin(server_url, f'CREATE DATABASE "{DATABASE}"')
    url = database_url(server_url)
    migrate(url)
    return url


async def drop(server_url: str) -> None:
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _base_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("COWORKING_")}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if entry.name == str(pid) or fields[1] == str(pid):  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def postgres_cpu_seconds() -> float:
    """CPU time of every ``postgres`` process on the machine (other databases' too; a
    process that ended meanwhile is missed)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        if name.endswith("(postgres"):
            parts = fields.split()
            total += (int(parts[11]) + int(parts[12])) / ticks
    return total


@contextlib.contextmanager
def profiling(pid: int, seconds: float, output: Path | None) -> Iterator[None]:
    """py-spy samples the server and its workers meanwhile (collapsed stacks), if asked."""
    if output is None:
        yield
        return
    command = ["py-spy", "record", "--pid", str(pid), "--subprocesses", "--format", "raw"]
    command += ["--rate", "250", "--duration", str(round(seconds)), "--output", str(output)]
    spy = subprocess.Popen(
        [str(Path(sys.executable).parent / command[0]), *command[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        spy.wait(timeout=seconds + 60)
        log(f"profile written to {output}")


def migrate(url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={**_base_env(), "COWORKING_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"alembic upgrade head failed:\n{result.stderr}")


# -- the bench's own members, desks and slots ---------------------------------------------
@dataclass(frozen=True)
class Site:
    """The pilot location the bench books at, and the slots it books."""

    location_id: uuid.UUID
    desks: list[uuid.UUID]
    slots: list[tuple[datetime, datetime]]


async def prepare(url: str, *, members: int, desks: int) -> tuple[Site, list[uuid.UUID]]:
    """Remove what an earlier run left, make room in the rules, add ``members`` members.

    The bench books at the Oranienburg location, on its first ``desks`` active desks, in hour
    slots from day 31 on (beyond the synthetic data's upcoming weeks)."""
    connection = await asyncpg.connect(url, timeout=10)
    try:
        bench = f"%@{BENCH_DOMAIN}"
        async with connection.transaction():
            await connection.execute(
                "DELETE FROM bookings WHERE member_id IN "
                "(SELECT id FROM members WHERE email LIKE $1)",
                bench,
            )
            await connection.execute("DELETE FROM members WHERE email LIKE $1", bench)
            location = await connection.fetchrow(
                "SELECT id, timezone, opening_hours, booking_rules FROM locations "
                "WHERE municipality = 'Oranienburg' ORDER BY name LIMIT 1"
            )
            if location is None:
                raise RuntimeError("the bench database has no Oranienburg location")
            rules = {
                **_json(location["booking_rules"]),
                "max_advance_days": ADVANCE_DAYS,
                "max_active_bookings_per_member": QUOTA,
            }
            await connection.execute(
                "UPDATE locations SET booking_rules = $1::json WHERE id = $2",
                _dump(rules),
                location["id"],
            )
            desk_ids = [
                row["id"]
                for row in await connection.fetch(
                    "SELECT id FROM desks WHERE location_id = $1 AND kind = 'desk' AND active "
                    "ORDER BY name LIMIT $2",
                    location["id"],
                    desks,
                )
            ]
            if len(desk_ids) < desks:
                raise RuntimeError(f"the bench needs {desks} desks at Oranienburg")
            closed = {
                row["date"]
                for row in await connection.fetch(
                    "SELECT date FROM closures WHERE location_id = $1", location["id"]
                )
            }
            shared_hash = hash_password(BENCH_PASSWORD)
            member_ids = [uuid.uuid4() for _ in range(members)]
            await connection.copy_records_to_table(
                "members",
                columns=[
                    "id",
                    "email",
                    "password_hash",
                    "full_name",
                    "role",
                    "home_municipality",
                    "active",
                    "created_at",
                ],
                records=[
                    (
                        member_id,
                        f"client{i}@{BENCH_DOMAIN}",
                        shared_hash,
                        f"Bench Client {i}",
                        "member",
                        "Oranienburg",
                        True,
                        datetime.now(UTC),
                    )
                    for i, member_id in enumerate(member_ids)
                ],
            )
            await connection.copy_records_to_table(
                "member_groups",
                columns=["member_id", "group"],
                records=[(member_id, "freelancer") for member_id in member_ids],
            )
    finally:
        await connection.close()
    timezone = location["timezone"]
    hours = _json(location["opening_hours"])
    today = datetime.now(UTC).date()
    slots = [
        (start, start + SLOT)
        for ahead in range(FIRST_BENCH_DAY, ADVANCE_DAYS - 1)
        if (day := today + timedelta(days=ahead)) not in closed
        for opens, closes in opening_intervals(hours, timezone, day)
        for start in _starts(opens, closes)
    ]
    return Site(location["id"], desk_ids, slots), member_ids


def _starts(opens: datetime, closes: datetime) -> Iterator[datetime]:
    start = opens
    while start + SLOT <= closes:
        yield start
        start += SLOT


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _dump(value: Any) -> str:
    return json.dumps(value)


async def vacuum(url: str) -> None:
    """Settle the freshly loaded tables (visibility map, statistics), as autovacuum would."""
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute("VACUUM (ANALYZE)")
    finally:
        await connection.close()


# -- the server ------------------------------------------------------------------------------
#: Production requires it; the benchmark hands out no URL anybody follows.
PUBLIC_BASE_URL = "http://127.0.0.1"


def server_env(url: str) -> dict[str, str]:
    """Production settings: a real secret, the bootstrap operator, production argon2."""
    return {
        "COWORKING_DATABASE_URL": url,
        "COWORKING_ENV": "production",
        "COWORKING_SECRET_KEY": SECRET_KEY,
        "COWORKING_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "COWORKING_BOOTSTRAP_OPERATOR_EMAIL": OPERATOR_EMAIL,
        "COWORKING_BOOTSTRAP_OPERATOR_PASSWORD": OPERATOR_PASSWORD,
        "COWORKING_SEED_DEMO": "false",
        "COWORKING_ACCESS_TOKEN_MINUTES": "240",
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int


@contextlib.contextmanager
def uvicorn(url: str, *, workers: int, log_path: Path) -> Iterator[Server]:
    """``uvicorn app.main:app --workers N`` as the Dockerfile runs it."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--no-proxy-headers",
    ]
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**_base_env(), **server_env(url)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, base_url, workers, log_path)
        yield Server(base_url, process.pid)
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def _wait_until_ready(
    process: subprocess.Popen[bytes], base_url: str, workers: int, log_path: Path
) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited:\n{log_path.read_text(errors='replace')[-3000:]}")
        started = log_path.read_text(errors="replace").count("Application startup complete")
        if started >= workers:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base_url}/health/ready", timeout=5).status_code == 200:
                    return
        time.sleep(0.3)
    raise RuntimeError(f"uvicorn not ready:\n{log_path.read_text(errors='replace')[-3000:]}")


class Http:
    """A minimal HTTP/1.1 keep-alive client, one connection, one request at a time.

    The load generator shares the machine's CPUs with the server it measures; httpx costs
    about a millisecond of CPU a request, this a tenth of that (like wrk or hey would).
    """

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        if params:
            path += "?" + urllib.parse.urlencode(params)
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if json_body is not None:
            head.append("Content-Type: application/json")
        head.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):
            if self.streams is None:
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            try:
                writer.write(message)
                status_line = await reader.readline()
            except ConnectionError:
                status_line = b""
            if status_line:
                break
            # The server closed the idle connection (keep-alive timeout): open a new one.
            await self.close()
            if attempt == 2:
                raise ConnectionError(f"{self.host}:{self.port} closed the connection")
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if not chunked:
            return status, await reader.readexactly(length)
        parts = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        return status, b"".join(parts)

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            with contextlib.suppress(OSError):
                await self.streams[1].wait_closed()
            self.streams = None


async def token(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Authorization headers of a signed-in member (the login runs argon2 once)."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    if response.status_code != 200:
        raise RuntimeError(f"login of {email} failed: {response.status_code} {response.text}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# -- recording and replaying statements --------------------------------------------------
Statement = tuple[str, tuple[Any, ...]]


class Recorder:
    """Every statement an engine sends to the driver while recording, with its parameters
    exactly as the driver gets them (asyncpg's ``$n`` placeholders)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements: list[Statement] = []
        self.recording = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(
        self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        if self.recording:
            assert not many, "executemany is not replayed"
            self.statements.append((statement, tuple(parameters or ())))

    @contextlib.contextmanager
    def record(self) -> Iterator[list[Statement]]:
        self.statements = []
        self.recording = True
        try:
            yield self.statements
        finally:
            self.recording = False


def substitute(statements: Sequence[Statement], values: dict[Any, Any]) -> list[Statement]:
    """The statements with every parameter found in ``values`` replaced."""
    return [
        (sql, tuple(values.get(p, p) if hashable(p) else p for p in params))
        for sql, params in statements
    ]


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


async def replay(connection: asyncpg.Connection, statements: Sequence[Statement]) -> None:
    """Run the statements in one transaction, as the app's request does (``SET LOCAL`` too)."""
    async with connection.transaction():
        for sql, params in statements:
            await connection.fetch(sql, *params)


@contextlib.asynccontextmanager
async def connections(url: str, count: int) -> AsyncIterator[list[asyncpg.Connection]]:
    """Bare asyncpg connections with the app's session settings (custom plans, see
    :func:`app.core.db.create_engine`): raw gets the same plans as the app."""
    settings = {"plan_cache_mode": "force_custom_plan"}
    opened = await asyncio.gather(
        *(asyncpg.connect(url, timeout=10, server_settings=settings) for _ in range(count))
    )
    try:
        yield list(opened)
    finally:
        await asyncio.gather(*(connection.close() for connection in opened))


def today_berlin() -> date:
    return datetime.now(ZoneInfo("Europe/Berlin")).date()
