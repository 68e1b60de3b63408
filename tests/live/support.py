"""Run the app as a real server for tests: a migrated throwaway PostgreSQL database, uvicorn
with several worker processes, and a way to send many requests at the very same moment.

The fixtures in ``tests/live/conftest.py`` are built from these; use them directly when a test
needs a server of its own (other settings, or a server it kills or restarts).
"""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import h11
import httpx

from tests.factories import BERLIN, OPERATOR_EMAIL, OPERATOR_PASSWORD
from tests.pgadmin import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
#: A fixed signing key: every worker of one server must agree on it.
SECRET_KEY = "live-test-secret-key-0123456789abcdef-0123456789abcdef"
#: Open every day around the clock, so a test never depends on the time of day it runs.
ALL_DAY = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
STARTUP_TIMEOUT = 60.0
SHUTDOWN_TIMEOUT = 15.0
REQUEST_TIMEOUT = 60.0
#: Headers over this many bytes are refused, as by `make run` and the image (DESIGN §7).
MAX_HEADER_BYTES = 16 * 1024


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    #: Plain ``postgresql://`` URL of the server's database (for asyncpg).
    database_url: str
    process: subprocess.Popen[bytes]
    #: Everything the server printed (uvicorn and the app's JSON logs).
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def future_day(days_ahead: int = 7) -> date:
    """A real local day in Berlin ``days_ahead`` from today: in the future whatever the hour,
    and well inside the default 60-day advance limit."""
    return datetime.now(BERLIN).date() + timedelta(days=days_ahead)


def _base_env() -> dict[str, str]:
    """The caller's environment without its ``COWORKING_*`` settings."""
    return {key: value for key, value in os.environ.items() if not key.startswith("COWORKING_")}


@contextlib.contextmanager
def migrated_database(server_url: str, name: str) -> Iterator[str]:
    """Database ``name`` on the PostgreSQL server of ``server_url``, created fresh and brought
    to the head revision with the ``alembic`` command; dropped on exit. Yields its URL."""
    url = create_database(server_url, name)
    try:
        migration = subprocess.run(
            [sys.executable, "-m", "alembic", "upgrade", "head"],
            cwd=ROOT,
            env={**_base_env(), "COWORKING_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if migration.returncode != 0:
            raise RuntimeError(f"alembic upgrade head failed:\n{migration.stderr}")
        yield url
    finally:
        drop_database(server_url, name)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(
    database_url: str,
    *,
    log_dir: Path,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
) -> Iterator[LiveServer]:
    """``uvicorn app.main:app`` with ``workers`` processes on a free port of 127.0.0.1.

    Settings: the database, ``COWORKING_ENV=test``, a fixed secret key, the bootstrap operator
    of ``tests.factories``, no demo data, a pool large enough for a 60-request burst, and rate
    limits high enough for one test address signing up many members; ``env`` adds or overrides
    ``COWORKING_*`` settings. Yields once every worker has started and ``/health/ready`` answers
    200. On exit the server gets SIGTERM, and its process group SIGKILL if it has not stopped
    within :data:`SHUTDOWN_TIMEOUT`.
    """
    port = _free_port()
    settings = {
        "COWORKING_DATABASE_URL": database_url,
        "COWORKING_ENV": "test",
        "COWORKING_SECRET_KEY": SECRET_KEY,
        "COWORKING_BOOTSTRAP_OPERATOR_EMAIL": OPERATOR_EMAIL,
        "COWORKING_BOOTSTRAP_OPERATOR_PASSWORD": OPERATOR_PASSWORD,
        "COWORKING_SEED_DEMO": "false",
        "COWORKING_DB_POOL_SIZE": "30",
        "COWORKING_RATE_LIMIT_PUBLIC_FORMS": "100000/hour",
        "COWORKING_RATE_LIMIT_LOGIN": "100000/minute",
        **(env or {}),
    }
    log_path = log_dir / f"uvicorn-{port}.log"
    command = [
        *(sys.executable, "-m", "uvicorn", "app.main:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        # As `make run` and the image: headers over 16 KiB are refused.
        *("--http", "h11", "--h11-max-incomplete-event-size", str(MAX_HEADER_BYTES)),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**_base_env(), **settings},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers can be stopped with it
        )
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, process, log_path)
    try:
        _wait_until_ready(server, workers)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: LiveServer, workers: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"uvicorn exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        started = server.log_path.read_text(errors="replace").count("Application startup complete")
        if started >= workers:
            try:
                if httpx.get(f"{server.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    raise RuntimeError(
        f"uvicorn not ready with {workers} workers after {STARTUP_TIMEOUT:g} s:\n"
        f"{server.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=SHUTDOWN_TIMEOUT)
    # Workers left behind (a supervisor that died or hung) go with the process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=SHUTDOWN_TIMEOUT)


class _Connection:
    """One keep-alive HTTP/1.1 connection, spoken with h11 (the protocol library under httpx)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.protocol = h11.Connection(h11.CLIENT)

    def encode(self, request: httpx.Request) -> bytes:
        if self.protocol.our_state is h11.DONE:
            self.protocol.start_next_cycle()
        head = h11.Request(
            method=request.method,
            target=request.url.raw_path,
            headers=list(request.headers.raw),
        )
        return b"".join(
            self.protocol.send(event)
            for event in (head, h11.Data(data=request.content), h11.EndOfMessage())
            if not (isinstance(event, h11.Data) and not event.data)
        )

    async def response(self, request: httpx.Request) -> httpx.Response:
        head: h11.Response | None = None
        body = bytearray()
        while True:
            event = self.protocol.next_event()
            if event is h11.NEED_DATA:
                self.protocol.receive_data(await self.reader.read(65536))
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the server closed the connection before answering")
        assert head is not None
        return httpx.Response(
            head.status_code, headers=head.headers.raw_items(), content=bytes(body), request=request
        )


async def fire_at_once(base_url: str, requests: Sequence[httpx.Request]) -> list[httpx.Response]:
    """Send all ``requests`` at the same moment; their responses, in order.

    One connection per request is opened and used first for a ``GET /health/ready`` each, all
    at once (so the server's database pools are warm, as in steady operation); then every
    request is written on its connection in one synchronous loop — all are on the wire within
    a few milliseconds — and the answers are read. An ``httpx.AsyncClient`` spends a
    millisecond or two of CPU per request: on a small machine the first of 60 requests would
    be answered before the last is sent, and the race the test is about would hardly happen.
    Build the requests with ``client.build_request(...)``.
    """
    target = urlsplit(base_url)
    assert target.hostname is not None
    assert target.port is not None

    async def exchange(
        pairs: Sequence[tuple[_Connection, httpx.Request]],
    ) -> list[httpx.Response]:
        for connection, request in pairs:
            connection.writer.write(connection.encode(request))
        return await asyncio.gather(*(connection.response(req) for connection, req in pairs))

    connections: list[_Connection] = []
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            for _ in requests:
                reader, writer = await asyncio.open_connection(target.hostname, target.port)
                connections.append(_Connection(reader, writer))
            ready = httpx.Request("GET", f"{base_url}/health/ready")
            warm = await exchange([(connection, ready) for connection in connections])
            assert {response.status_code for response in warm} == {200}, warm
            return await exchange(list(zip(connections, requests, strict=True)))
    finally:
        for connection in connections:
            connection.writer.close()
