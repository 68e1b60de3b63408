"""Every test runs on SQLite and, when ``COWORKING_TEST_POSTGRES_URL`` is set, on PostgreSQL.

With ``CI=true`` the PostgreSQL run is mandatory: a missing variable or an unreachable server
stops the session with an error instead of skipping. Each database is migrated once per
session (per xdist worker), and each backend has one app per session: every test gets it back
with its state as new (settings, rate limiter, routes, dependency overrides), its lifespan run
afresh (engine, bootstrap operator, jobs) and empty tables. Building an app per test cost more
than most tests: its first request flattens the route table (``MetricsMiddleware``).
"""

import asyncio
import contextlib
import os
import secrets
import sqlite3
import tempfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from starlette.datastructures import State
from xdist.scheduler import LoadScopeScheduling

from alembic import command
from app.core import clock
from app.core.config import Settings
from app.core.rate_limit import RateLimiter
from app.main import create_app
from app.models import Base
from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD, Api
from tests.pgadmin import create_database, drop_database, dsn

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("COWORKING_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SECRET = secrets.token_urlsafe(48)
#: Monday 2030-01-07, 08:00 in Berlin: the frozen "now" of every in-process test.
NOW = datetime(2030, 1, 7, 7, 0, tzinfo=UTC)
#: tmpfs; the SQLite databases go into private folders made by ``tempfile`` there.
_MEMORY = Path("/dev/shm")  # noqa: S108


def _postgres_reachable(url: str) -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true requires COWORKING_TEST_POSTGRES_URL (PostgreSQL run).")
    if POSTGRES_URL and (problem := _postgres_reachable(POSTGRES_URL)):
        raise pytest.UsageError(f"PostgreSQL at COWORKING_TEST_POSTGRES_URL unreachable: {problem}")


BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


#: Where the live-server tests (marker ``live``) are: the one work unit they share under xdist.
LIVE_FOLDERS = ("tests/live/", "tests/faults/")


class _LiveTogether(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
    """``make test`` (``pytest -n N --dist loadgroup``): every module is one work unit, so
    that its module-scoped fixtures (a fuzzed database, a redis-server) are set up once; the
    live-server tests are one unit together (one server, no two bursts at once)."""

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.startswith(LIVE_FOLDERS):
            return "live"
        return nodeid.partition("::")[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getoption("dist") == "loadgroup":
        return _LiveTogether(config, log)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The live-server tests first: the worker that takes them is not left alone with them at
    # the end (make test keeps the collection order: --no-loadscope-reorder).
    items.sort(key=lambda item: not item.nodeid.startswith(LIVE_FOLDERS))
    # schemathesis gives all operations of a test function one node id on pytest 9, and xdist
    # would run only one of them: name each by its operation, as its item name does.
    shared_ids = Counter(item.nodeid for item in items)
    for item in items:
        if shared_ids[item.nodeid] > 1 and item.name.endswith("]"):
            item._id = item.id.with_params(item.name.partition("[")[2].removesuffix("]"))


#: Fault-test figures that xdist workers sent (tests/faults/conftest.py prints them itself
#: without xdist: its conftest is not loaded where the workers' results come together).
_WORKER_FIGURES: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    _WORKER_FIGURES.extend(getattr(node, "workeroutput", {}).get("fault_figures", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _WORKER_FIGURES:
        terminalreporter.section("fault test figures")
        for line in _WORKER_FIGURES:
            terminalreporter.write_line(line)


def _migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def sqlite_database_url() -> Iterator[str]:
    """The session's migrated SQLite database."""
    # In memory (tmpfs) where there is one: every commit of a test would wait for the disk.
    with tempfile.TemporaryDirectory(dir=_MEMORY if _MEMORY.is_dir() else None) as folder:
        url = f"sqlite:///{folder}/test.db"
        _migrate(url)
        yield url


@pytest.fixture(scope="session")
def postgresql_database_url() -> Iterator[str]:
    """The session's migrated PostgreSQL database, named by the pid (one per xdist worker)."""
    name = f"coworking_test_{os.getpid()}"
    # A throwaway database: its commits need not wait for the disk.
    url = create_database(POSTGRES_URL, name, synchronous_commit="off")
    try:
        _migrate(url)
        yield url
    finally:
        drop_database(POSTGRES_URL, name)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database of one backend, shared by the session's tests of that backend.

    Both session databases stay up until the session ends, so tests of the two backends may
    come in any order (xdist hands them out by module) without migrating again.
    """
    url: str = request.getfixturevalue(f"{request.param}_database_url")
    return url


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "env": "test",
        "secret_key": SECRET,
        "bootstrap_operator_email": OPERATOR_EMAIL,
        "bootstrap_operator_password": OPERATOR_PASSWORD,
        "status_job_interval_seconds": 3600,
        # No statistics rollup unless a test builds it (tests/stats run with and without).
        "stats_rollup_interval_seconds": 0,
        # Suites register many members from one test client; tests/rate_limit uses tight limits.
        "rate_limit_public_forms": "10000/hour",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


#: Children first, so that no foreign key is ever left dangling.
_EMPTY_ALL = "; ".join(
    f"DELETE FROM {table.name}" for table in reversed(Base.metadata.sorted_tables)
)


async def _empty_tables(url: str) -> None:
    """Delete every row of the app's tables, in one transaction and one round trip.

    DELETE, not TRUNCATE: on tables this small PostgreSQL's TRUNCATE took ~50 times longer
    (new files for every table and its indexes).
    """
    if url.startswith("sqlite"):
        path = make_url(url).database
        assert path is not None
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as file:
            file.executescript(f"BEGIN; {_EMPTY_ALL}; COMMIT;")
        return
    server = await asyncpg.connect(dsn(url), timeout=10)
    try:
        # Without arguments asyncpg sends the statements as one simple query (one transaction).
        await server.execute(_EMPTY_ALL)
    finally:
        await server.close()


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    clock.set_now(NOW)
    yield NOW
    clock.set_now(None)


class _SharedApp:
    """One app of a database for the whole session, handed to each test as new."""

    def __init__(self, database_url: str) -> None:
        self.settings = make_settings(database_url)
        self.app = create_app(self.settings.model_copy(deep=True))
        self.routes = list(self.app.router.routes)

    def reset(self) -> FastAPI:
        """The app with what a test may have changed put back as ``create_app`` made it."""
        application = self.app
        # A copy: reading the environment again costs more than the rest of the reset.
        settings = self.settings.model_copy(deep=True)
        application.state = State()
        application.state.settings = settings
        application.state.rate_limiter = RateLimiter(settings)
        application.dependency_overrides.clear()
        if application.router.routes != self.routes:
            application.router.routes[:] = self.routes
            application.openapi_schema = None
        return application


@pytest.fixture(scope="session")
def _shared_apps() -> dict[str, _SharedApp]:
    return {}


@pytest.fixture
async def app(database_url: str, _shared_apps: dict[str, _SharedApp]) -> AsyncIterator[FastAPI]:
    """The app on the test's database: empty tables, state as new, lifespan started."""
    await _empty_tables(database_url)
    shared = _shared_apps.get(database_url)
    if shared is None:
        shared = _shared_apps[database_url] = _SharedApp(database_url)
    application = shared.reset()
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def api(client: httpx.AsyncClient) -> Api:
    return Api(client)
