"""Fixtures for tests against a real uvicorn server on PostgreSQL (mark them
``pytest.mark.live``).

* ``live_server`` (session): a :class:`~tests.live.support.LiveServer` — ``uvicorn
  app.main:app --workers 2`` on a free port of 127.0.0.1, on its own database
  ``coworking_live_<pid>`` on the server of ``COWORKING_TEST_POSTGRES_URL`` (created, migrated
  with ``alembic upgrade head``, dropped afterwards), with the bootstrap operator of
  ``tests.factories``. It is shared by the session's live tests and its tables are not emptied
  between them: each test builds its own location, desks and members and so sees no one
  else's rows.
* ``live_client`` / ``live_api``: an ``httpx.AsyncClient`` on the server's base URL, and the
  ``tests.factories.Api`` around it (for setting up data and ordinary calls).
* ``live_db``: an asyncpg connection to the server's database, to check what was stored.

For truly simultaneous requests use :func:`tests.live.support.fire_at_once`; for a server of
your own (other settings, killed or restarted), :func:`~tests.live.support.migrated_database`
and :func:`~tests.live.support.running_server`.

Without ``COWORKING_TEST_POSTGRES_URL`` the live tests are skipped — except with ``CI=true``,
where ``tests/conftest.py`` already stops the session. They do not use the ``database_url``
fixture, so they run once, not once per backend. The in-process tests' frozen clock does not
reach the server: book real future dates (:func:`~tests.live.support.future_day`).
"""

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories import Api
from tests.live.support import LiveServer, migrated_database, running_server

POSTGRES_URL = os.environ.get("COWORKING_TEST_POSTGRES_URL", "")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not POSTGRES_URL:
        pytest.skip("live tests need PostgreSQL: set COWORKING_TEST_POSTGRES_URL")
    with (
        migrated_database(POSTGRES_URL, f"coworking_live_{os.getpid()}") as url,
        running_server(url, log_dir=tmp_path_factory.mktemp("live")) as server,
    ):
        yield server


@pytest.fixture
async def live_client(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.base_url, timeout=60) as client:
        yield client


@pytest.fixture
def live_api(live_client: httpx.AsyncClient) -> Api:
    return Api(live_client)


@pytest.fixture
async def live_db(live_server: LiveServer) -> AsyncIterator[Any]:
    """An asyncpg connection to the live server's database (read what the server stored)."""
    connection = await asyncpg.connect(live_server.database_url, timeout=10)
    try:
        yield connection
    finally:
        await connection.close()
