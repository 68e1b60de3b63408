"""The synthetic data generator (``python -m app.cli seed-synthetic``) and the operator
commands, on both databases: counts, the booking invariants, a realistic status mix, and the
same rows for the same seed."""

import asyncio
import hashlib
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Executable, bindparam, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app import cli, synthetic
from app.core.config import async_database_url, get_settings
from app.core.security import verify_password
from app.locations.hours import local_date, opening_intervals
from app.models import Base, Booking, Closure, Desk, Location
from app.models.base import UTCDateTime
from tests.conftest import NOW
from tests.factories import Api

BOOKINGS = 600
ACTIVE = "a.status IN ('confirmed', 'checked_in') AND b.status IN ('confirmed', 'checked_in')"
HELD = "a.status <> 'cancelled' AND b.status <> 'cancelled'"
WORKPLACES = "a.is_workplace AND b.is_workplace"
OVERLAPPING = (
    "SELECT count(*) FROM bookings a JOIN bookings b ON a.{by} = b.{by} AND a.id < b.id "
    'AND a.start < b."end" AND b.start < a."end" WHERE {where}'
)


async def query(
    database_url: str, statement: str | Executable, **params: Any
) -> list[tuple[Any, ...]]:
    """Rows of a statement; datetime parameters are bound as stored instants."""
    if isinstance(statement, str):
        params = {name: value for name, value in params.items() if f":{name}" in statement}
        instants = [name for name, value in params.items() if isinstance(value, datetime)]
        statement = text(statement).bindparams(
            *(bindparam(name, type_=UTCDateTime()) for name in instants)
        )
    engine = create_async_engine(async_database_url(database_url))
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(statement, params)]
    finally:
        await engine.dispose()


async def scalar(database_url: str, statement: str, **params: Any) -> Any:
    (row,) = await query(database_url, statement, **params)
    return row[0]


async def empty(database_url: str) -> None:
    engine = create_async_engine(async_database_url(database_url))
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
    await engine.dispose()


async def fingerprint(database_url: str) -> str:
    """A digest of every row a seed decides, ids included (not the test app's operator)."""
    digest = hashlib.sha256()
    for statement in (
        "SELECT id, name, municipality, address FROM locations ORDER BY id",
        "SELECT id, location_id, name, kind, capacity, active FROM desks ORDER BY id",
        "SELECT desk_id, feature FROM desk_features ORDER BY desk_id, feature",
        "SELECT location_id, date, reason FROM closures ORDER BY location_id, date",
        "SELECT id, email, full_name, home_municipality, home_postcode, commute_km, "
        "commute_mode FROM members WHERE role <> 'operator' ORDER BY id",
        'SELECT member_id, "group" FROM member_groups JOIN members ON members.id = member_id '
        "WHERE role <> 'operator' ORDER BY member_id, \"group\"",
        'SELECT id, desk_id, member_id, company_id, start, "end", status, check_in_until, '
        "created_at, checked_in_at, checked_out_at, cancelled_at, note FROM bookings ORDER BY id",
    ):
        for row in await query(database_url, statement):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture
async def seeded(app: FastAPI, database_url: str) -> synthetic.SeedReport:
    return await synthetic.seed(database_url, bookings=BOOKINGS, seed=7, quiet=True)


async def test_writes_the_requested_bookings_and_a_whole_pilot_around_them(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    assert seeded.rows["bookings"] == BOOKINGS
    assert await scalar(database_url, "SELECT count(*) FROM bookings") == BOOKINGS
    for table in ("locations", "desks", "desk_features", "closures", "members", "member_groups"):
        stored = await scalar(database_url, f"SELECT count(*) FROM {table}")
        operator = 1 if table in ("members", "member_groups") else 0  # the test app's own
        assert stored == seeded.rows[table] + operator, table
    municipalities = await query(database_url, "SELECT municipality FROM locations ORDER BY 1")
    assert municipalities == [("Hennigsdorf",), ("Oranienburg",), ("Velten",)]
    kinds = dict(await query(database_url, "SELECT kind, count(*) FROM desks GROUP BY kind"))
    assert set(kinds) == {"desk", "meeting_room", "parent_child_room"}
    assert kinds["desk"] >= 40
    groups = dict(
        await query(database_url, 'SELECT "group", count(*) FROM member_groups GROUP BY 1')
    )
    assert set(groups) >= {"employee", "freelancer", "self_employed", "parent", "senior"}
    assert groups["employee"] == max(groups.values())
    modes = dict(await query(database_url, "SELECT commute_mode, count(*) FROM members GROUP BY 1"))
    assert modes["car"] > modes["public_transport"] > modes["bike"] > 0


async def test_every_booking_lies_in_an_opening_interval_of_an_open_day(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    locations = {
        location_id: (zone, hours)
        for location_id, zone, hours in await query(
            database_url, select(Location.id, Location.timezone, Location.opening_hours)
        )
    }
    closed = set(await query(database_url, select(Closure.location_id, Closure.date)))
    booked = await query(
        database_url,
        select(Desk.location_id, Booking.start, Booking.end).join(Desk, Desk.id == Booking.desk_id),
    )
    assert len(booked) == BOOKINGS
    for location_id, start, end in booked:
        zone, hours = locations[location_id]
        day = local_date(start, zone)
        assert (location_id, day) not in closed
        intervals = opening_intervals(hours, zone, day)
        assert any(opens <= start and end <= closes for opens, closes in intervals), start


async def test_no_overlaps_where_the_invariants_forbid_them(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    for by, where in (
        ("desk_id", ACTIVE),
        ("desk_id", HELD),  # not even past ones: a desk's day is one sequence of slots
        ("member_id", f"{ACTIVE} AND {WORKPLACES}"),
        ("member_id", f"{HELD} AND {WORKPLACES}"),
    ):
        assert await scalar(database_url, OVERLAPPING.format(by=by, where=where)) == 0, where
    most_upcoming = await scalar(
        database_url,
        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM bookings "
        "WHERE status = 'confirmed' AND \"end\" > :now GROUP BY member_id) AS upcoming",
        now=NOW,
    )
    assert 0 < most_upcoming <= synthetic.MAX_UPCOMING


async def test_companies_have_employees_whose_workplaces_stay_within_their_seats(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    companies = dict(await query(database_url, "SELECT status, count(*) FROM companies GROUP BY 1"))
    assert companies == {"active": 6, "pending": 1, "suspended": 1}
    admins = await scalar(
        database_url, "SELECT count(*) FROM company_members WHERE company_role = 'admin'"
    )
    assert admins == 8
    on_seats = await query(
        database_url,
        "SELECT c.status, c.seats, b.local_date, count(*), sum(CASE WHEN b.is_workplace "
        "THEN 0 ELSE 1 END) FROM bookings b JOIN companies c ON c.id = b.company_id "
        "WHERE b.status <> 'cancelled' GROUP BY c.id, c.status, c.seats, b.local_date",
    )
    assert on_seats
    for status, seats, _day, workplaces, rooms in on_seats:
        assert status == "active"
        assert rooms == 0
        assert workplaces <= seats
    not_employed = await scalar(
        database_url,
        "SELECT count(*) FROM bookings b WHERE b.company_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM company_members m WHERE m.member_id = b.member_id "
        "AND m.company_id = b.company_id AND m.company_role = 'employee')",
    )
    assert not_employed == 0
    defaults = await query(
        database_url,
        "SELECT p.name, p.included_days FROM location_default_plans d "
        "JOIN plans p ON p.id = d.plan_id",
    )
    assert defaults == [("Pilot-Testphase", None)] * 3


async def test_statuses_follow_time_and_look_like_a_real_pilot(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    statuses = Counter(
        dict(await query(database_url, "SELECT status, count(*) FROM bookings GROUP BY 1"))
    )
    assert dict(statuses) == seeded.statuses
    assert set(statuses) >= {"completed", "cancelled", "no_show", "confirmed"}
    assert 0.03 <= statuses["cancelled"] / BOOKINGS <= 0.12
    assert 0.02 <= statuses["no_show"] / BOOKINGS <= 0.10
    assert statuses["completed"] / BOOKINGS >= 0.7
    for inconsistent in (
        "start > :now AND status NOT IN ('confirmed', 'cancelled')",
        "\"end\" <= :now AND status IN ('confirmed', 'checked_in')",
        "status = 'completed' AND (checked_in_at IS NULL OR checked_in_at > check_in_until "
        'OR checked_out_at > "end" OR checked_out_at < checked_in_at)',
        "status = 'cancelled' AND (cancelled_at IS NULL OR cancelled_at > :now "
        "OR cancelled_at < created_at)",
        "status = 'no_show' AND (checked_in_at IS NOT NULL OR check_in_until >= :now)",
        "created_at > start OR created_at > :now",
    ):
        where = f"SELECT count(*) FROM bookings WHERE {inconsistent}"
        assert await scalar(database_url, where, now=NOW) == 0, inconsistent
    upcoming = await scalar(
        database_url, "SELECT count(*) FROM bookings WHERE start > :now", now=NOW
    )
    assert 0 < upcoming < BOOKINGS * 0.1  # the year lies mostly in the past


async def test_a_synthetic_member_signs_in_and_sees_their_bookings(
    seeded: synthetic.SeedReport, api: Api, database_url: str
) -> None:
    ((member_id, email, count),) = await query(
        database_url,
        "SELECT m.id, m.email, count(*) FROM members m JOIN bookings b ON b.member_id = m.id "
        "GROUP BY m.id, m.email ORDER BY count(*) DESC, m.email LIMIT 1",
    )
    tokens = await api.login(email, synthetic.SYNTHETIC_PASSWORD)
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}

    mine = await api.client.get("/api/v1/me/bookings", params={"limit": 200}, headers=headers)

    assert mine.status_code == 200, mine.text
    assert mine.json()["total"] == count > 1
    owners = {item["member_id"] for item in mine.json()["items"]}
    assert owners == {str(uuid.UUID(str(member_id)))}


async def test_the_same_seed_gives_the_same_rows_and_another_seed_others(
    app: FastAPI, database_url: str
) -> None:
    await synthetic.seed(database_url, bookings=200, seed=11, quiet=True)
    first = await fingerprint(database_url)
    await empty(database_url)
    await synthetic.seed(database_url, bookings=200, seed=11, quiet=True)
    assert await fingerprint(database_url) == first
    await empty(database_url)
    await synthetic.seed(database_url, bookings=200, seed=12, quiet=True)
    assert await fingerprint(database_url) != first


async def test_refuses_a_database_that_already_has_data(
    seeded: synthetic.SeedReport, database_url: str
) -> None:
    with pytest.raises(RuntimeError, match="already has locations"):
        await synthetic.seed(database_url, bookings=10, seed=1, quiet=True)
    assert await scalar(database_url, "SELECT count(*) FROM bookings") == BOOKINGS


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test database, empty, as ``COWORKING_DATABASE_URL`` of the command."""
    asyncio.run(empty(database_url))
    monkeypatch.setenv("COWORKING_DATABASE_URL", database_url)
    monkeypatch.setenv("COWORKING_SECRET_KEY", "cli-test-secret-0123456789-0123456789-abcdef")
    monkeypatch.setenv("COWORKING_ENV", "test")
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_cli_seed_synthetic(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(
        ["seed-synthetic", "--bookings", "120", "--seed", "5", "--now", "2030-01-07T08:00+01:00"]
    )

    printed = capsys.readouterr()
    assert "bookings 120" in printed.out
    assert "seed-synthetic: 120 bookings" in printed.err
    assert asyncio.run(scalar(cli_database, "SELECT count(*) FROM bookings")) == 120


def test_cli_create_operator(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.PASSWORD_VARIABLE, "a-long-operator-password")

    cli.main(["create-operator", "--email", "Chefin@Example.org", "--full-name", "Chefin"])

    assert capsys.readouterr().out.startswith("operator ")
    ((role, password_hash),) = asyncio.run(
        query(
            cli_database,
            "SELECT role, password_hash FROM members WHERE email = 'chefin@example.org'",
        )
    )
    assert role == "operator"
    assert verify_password("a-long-operator-password", password_hash)
    with pytest.raises(SystemExit, match="already exists"):
        cli.main(["create-operator", "--email", "chefin@example.org"])


def test_cli_seed_demo(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main(["seed-demo"])
    cli.main(["seed-demo"])

    assert capsys.readouterr().out.splitlines() == [
        "demo seeded",
        "the database already has locations; nothing seeded",
    ]
    assert asyncio.run(scalar(cli_database, "SELECT count(*) FROM desks")) == 14
