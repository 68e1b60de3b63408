"""schemathesis against the app's own OpenAPI, in-process, anonymously and as the bootstrap
operator: no 5xx, and every answer is declared — status code, content type and body schema.

The app runs on a migrated SQLite database of its own; schemathesis starts its lifespan on the
first call, in an event-loop thread of its own, and keeps it until the module's tests are done.
Each operation gets its explicit examples and up to :data:`EXAMPLES` generated cases, valid and
invalid ones (schemathesis' fuzzing phase). Its coverage phase (every boundary value of every
parameter) is left out: it would more than double the run for little more. Examples are
derandomised, so a run is repeatable.
"""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from alembic.config import Config
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alembic import command
from app.core.config import Settings
from app.main import create_app
from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

ROOT = Path(__file__).resolve().parents[2]
FOLDER = Path(tempfile.mkdtemp(prefix="coworking-fuzz-"))
DATABASE_URL = f"sqlite:///{FOLDER}/fuzz.db"
APP = create_app(
    Settings(
        database_url=DATABASE_URL,
        env="test",
        secret_key="fuzz-test-secret-key-0123456789abcdef-0123456789abcdef",
        bootstrap_operator_email=OPERATOR_EMAIL,
        bootstrap_operator_password=OPERATOR_PASSWORD,
        status_job_interval_seconds=3600,
    )
)
EXAMPLES = 25
# Read from the app object, not over HTTP: the database does not exist before the fixture below.
schema = schemathesis.openapi.from_dict(
    APP.openapi(),
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}}),
)
schema.app = APP

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", autouse=True)
def fuzz_database() -> Iterator[None]:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", DATABASE_URL)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    try:
        yield
    finally:
        asgi.shutdown_lifespans()
        shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture(scope="module")
def operator_headers(fuzz_database: None) -> dict[str, str]:
    """A bearer token of the bootstrap operator, obtained through the API."""
    login = schema["/api/v1/auth/token"]["POST"].Case(
        body={"username": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD},
        media_type="application/x-www-form-urlencoded",
    )
    response = login.call()
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@FUZZ
@schema.parametrize()
def test_anonymous(case: "OpenApiCase") -> None:
    case.call_and_validate(checks=CHECKS)


@FUZZ
@schema.parametrize()
def test_operator(case: "OpenApiCase", operator_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=operator_headers, checks=CHECKS)


ZERO = "00000000-0000-0000-0000-000000000000"
FORM = "application/x-www-form-urlencoded"
#: Hostile input that answered 500 or was accepted (issue 12), as explicit cases: each must be
#: a declared 422 problem. (More of them, on both databases: tests/hardening/test_input_api.py.)
HOSTILE: list[tuple[str, str, dict[str, Any]]] = [
    ("/api/v1/desks", "GET", {"query": {"feature": "\x00"}}),
    ("/api/v1/members", "GET", {"query": {"q": "\x00"}}),
    (
        "/api/v1/auth/token",
        "POST",
        {"body": {"username": "\x00", "password": "x"}, "media_type": FORM},
    ),
    ("/api/v1/locations", "GET", {"query": {"limit": "50.0"}}),
    ("/api/v1/bookings", "GET", {"query": {"from": "0001-01-01T00:00:00+01:00"}}),
    (
        "/api/v1/availability",
        "GET",
        {
            "query": {
                "location_id": ZERO,
                "start": "9999-12-31T23:59:59-01:00",
                "end": "9999-12-31T23:59:59-01:00",
            }
        },
    ),
    *(
        (
            "/api/v1/bookings",
            "POST",
            {"body": {"desk_id": ZERO, "start": start, "end": "2030-01-08T12:00:00+01:00"}},
        )
        for start in ("0001-01-01T00:00:00+01:00", "1894089600")
    ),
    # (Registration is rate-limited per address before its body is read: tests/hardening.)
    (
        "/api/v1/locations",
        "POST",
        {
            "body": {
                "name": "   ",
                "municipality": "Oranienburg\u0007",
                "address": "Bernauer Straße 1",
                "timezone": "Europe/Berlin",
                "opening_hours": [],
            }
        },
    ),
    ("/api/v1/stats/utilization", "GET", {"query": {"from": "2028-02-29", "to": "2031-03-01"}}),
]


@pytest.mark.parametrize(("path", "method", "parts"), HOSTILE)
def test_hostile_examples(
    path: str, method: str, parts: dict[str, Any], operator_headers: dict[str, str]
) -> None:
    case = schema[path][method].Case(**parts)

    response = case.call_and_validate(headers=operator_headers, checks=CHECKS)

    assert response.status_code == 422, response.text
