"""Browser tests: Playwright drives Debian's Chromium against the app as a real server, once
on SQLite and once on PostgreSQL (the ``site`` fixture), with the demo data seeded and an
SMTP server of the test's own catching mail. Each test gets a fresh browser context (no
cookies) through ``visit``; after it, no request of any page may have left the site's origin.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.support import CHROMIUM, Site, Visit, smtp_server
from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD
from tests.live.support import ROOT, migrated_database, running_server

POSTGRES_URL = os.environ.get("COWORKING_TEST_POSTGRES_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM:
        if IN_CI:
            pytest.fail("browser tests need Chromium: apt-get install chromium")
        pytest.skip("browser tests need Chromium (apt-get install chromium)")
    # A German browser: its own controls (the time fields' parts) read 24-hour, like the pages.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--lang=de-DE"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A German browser in Berlin: time fields show 24-hour ``HH:MM``, as the pages' own."""
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


def _sqlite_database(folder: Path) -> str:
    url = f"sqlite:///{folder}/browser.db"
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env={**os.environ, "COWORKING_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return url


@pytest.fixture(scope="session", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The app with the demo location, desks and plans, on one database, mailing to a local
    SMTP server; shared by the session's browser tests of that backend (each test makes its
    own members)."""
    backend: str = request.param
    folder = tmp_path_factory.mktemp(f"browser-{backend}")
    controller, mailbox = smtp_server()
    env = {
        "COWORKING_SEED_DEMO": "true",
        "COWORKING_SMTP_HOST": "127.0.0.1",
        "COWORKING_SMTP_PORT": str(controller.port),
        "COWORKING_SMTP_SECURITY": "none",
        "COWORKING_BOOTSTRAP_OPERATOR_EMAIL": OPERATOR_EMAIL,
        "COWORKING_BOOTSTRAP_OPERATOR_PASSWORD": OPERATOR_PASSWORD,
    }
    try:
        if backend == "sqlite":
            url = _sqlite_database(folder)
            with running_server(url, log_dir=folder, workers=1, env=env) as server:
                yield Site(server.base_url, backend, url, mailbox, server.log_path)
        else:
            name = f"coworking_browser_{os.getpid()}"
            with (
                migrated_database(POSTGRES_URL, name) as url,
                running_server(url, log_dir=folder, workers=1, env=env) as server,
            ):
                yield Site(server.base_url, backend, url, mailbox, server.log_path)
    finally:
        controller.stop()


@pytest.fixture
def visit(page: Page, site: Site) -> Iterator[Visit]:
    tab = Visit(page, site)
    yield tab
    assert tab.foreign_requests() == [], "a page loaded something from another origin"
