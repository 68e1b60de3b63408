"""Every test runs on SQLite and, when ``COWORKING_TEST_POSTGRES_URL`` is set, on PostgreSQL.

With ``CI=true`` the PostgreSQL run is mandatory: a missing variable or an unreachable server
stops the session with an error instead of skipping. Migrations run once per database and
session; each test gets a fresh app and starts from empty tables.
"""

import asyncio
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from alembic import command
from app.core import clock
from app.core.config import Settings, async_database_url
from app.main import create_app
from app.models import Base
from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD, Api
from tests.pgadmin import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("COWORKING_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SECRET = secrets.token_urlsafe(48)
#: Monday 2030-01-07, 08:00 in Berlin: the frozen "now" of every in-process test.
NOW = datetime(2030, 1, 7, 7, 0, tzinfo=UTC)


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


def _migrate(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database of one backend, shared by the session's tests of that backend."""
    if request.param == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/test.db"
            _migrate(url)
            yield url
        return
    name = f"coworking_test_{os.getpid()}"
    url = create_database(POSTGRES_URL, name)
    try:
        _migrate(url)
        yield url
    finally:
        drop_database(POSTGRES_URL, name)


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


async def _empty_tables(url: str) -> None:
    engine = create_async_engine(async_database_url(url))
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))
    await engine.dispose()


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[datetime]:
    clock.set_now(NOW)
    yield NOW
    clock.set_now(None)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    await _empty_tables(database_url)
    application = create_app(make_settings(database_url))
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
