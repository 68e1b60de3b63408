"""Fixtures of the fault tests: a throwaway PostgreSQL server of their own (see
``postgres.py``), shared by the session's fault tests, each of which uses its own database.

Without the PostgreSQL server binaries the fault tests are skipped — except with ``CI=true``,
where they fail instead. The figures of each run are printed at the end of the session.
"""

import os
import re
from collections.abc import Iterator

import pytest

from tests.faults.postgres import (
    ThrowawayPostgres,
    find_bindir,
    throwaway_postgres,
    unavailable_reason,
)
from tests.faults.support import FIGURES
from tests.live.support import migrated_database

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    if reason := unavailable_reason():
        if IN_CI:
            pytest.fail(f"fault tests need a throwaway PostgreSQL server: {reason}")
        pytest.skip(f"fault tests need a throwaway PostgreSQL server: {reason}")
    bindir = find_bindir()
    assert bindir is not None
    with throwaway_postgres(bindir) as server:
        yield server


@pytest.fixture
def running_postgres(postgres_server: ThrowawayPostgres) -> ThrowawayPostgres:
    """The throwaway server, started again if an earlier test left it stopped."""
    if not postgres_server.is_running():
        postgres_server.start()
    return postgres_server


@pytest.fixture
def fault_database(
    running_postgres: ThrowawayPostgres, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A migrated database of the test's own on the throwaway server; its URL."""
    name = "faults_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:50]
    with migrated_database(running_postgres.url, name) as url:
        try:
            yield url
        finally:  # the drop needs the server up, whatever the test did to it
            if not running_postgres.is_running():
                running_postgres.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker prints no summary: tests/conftest.py prints what it sends here.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fault_figures"] = list(FIGURES)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("fault test figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
