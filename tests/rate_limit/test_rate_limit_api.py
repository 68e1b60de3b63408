"""Abuse limits: public forms per client address, failed logins per account and address;
counters shared through the database (or Redis) by every app process."""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import func, select

from app.core import clock
from app.core.config import Settings
from app.models import RateLimitCounter
from tests.conftest import NOW, SECRET
from tests.factories import PASSWORD, Api, assert_problem
from tests.survey.support import INTEREST, RESPONSES, answer, app_with, peer

TIGHT: dict[str, Any] = {"rate_limit_public_forms": "3/minute", "rate_limit_login": "3/minute"}


def assert_limited(response: httpx.Response, retry_after: int) -> None:
    assert_problem(response, 429, "rate-limited")
    assert response.headers["retry-after"] == str(retry_after)


async def post_answer(api: Api, headers: dict[str, str] | None = None) -> httpx.Response:
    return await api.client.post(RESPONSES, json=answer(), headers=headers or {})


def interest() -> dict[str, Any]:
    return {"kind": "person", "name": "Kim", "email": "kim@example.org", "consent": True}


# --- public forms -------------------------------------------------------------------------


async def test_the_fourth_answer_within_a_minute_is_refused_until_the_window_ends(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, **TIGHT) as (_, api):
        statuses = [(await post_answer(api)).status_code for _ in range(3)]
        clock.set_now(NOW + timedelta(seconds=45))
        refused = await post_answer(api)
        clock.set_now(NOW + timedelta(seconds=60))
        next_window = await post_answer(api)

    assert statuses == [201, 201, 201]
    assert_limited(refused, 15)
    assert next_window.status_code == 201


async def test_failed_attempts_count_too(app: FastAPI, database_url: str) -> None:
    async with app_with(database_url, **TIGHT) as (_, api):
        invalid = await api.client.post(RESPONSES, json=answer(commute_km=-1))
        taken = await api.register(email="taken@example.org")
        duplicate = await api.register(email="taken@example.org")
        registrations = [await api.register() for _ in range(2)]

        answers = [(await post_answer(api)).status_code for _ in range(2)]
        refused = await post_answer(api)

    assert invalid.status_code == 422
    assert taken.status_code == 201
    # The 409's transaction rolls back, its hit does not.
    assert duplicate.status_code == 409
    assert registrations[0].status_code == 201
    assert_limited(registrations[1], 60)
    assert answers == [201, 201]
    assert_limited(refused, 60)


async def test_each_form_and_each_address_has_its_own_counter(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, **TIGHT) as (application, api):
        for _ in range(3):
            await post_answer(api)
        limited = await post_answer(api)
        other_form = await api.client.post(INTEREST, json=interest())
        async with peer(application, "192.0.2.20") as neighbour:
            other_address = await post_answer(neighbour)

    assert_limited(limited, 60)
    assert other_form.status_code == 201
    assert other_address.status_code == 201


async def test_interest_forms_are_limited(app: FastAPI, database_url: str) -> None:
    async with app_with(database_url, **TIGHT) as (_, api):
        statuses = [
            (await api.client.post(INTEREST, json=interest())).status_code for _ in range(4)
        ]

    assert statuses == [201, 201, 201, 429]


async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, trusted_proxies=["10.0.0.0/8"], **TIGHT) as (_, api):
        statuses = [
            (await post_answer(api, {"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(4)
        ]

    assert statuses == [201, 201, 201, 429]


async def test_x_forwarded_for_names_the_client_behind_a_trusted_proxy(
    app: FastAPI, database_url: str
) -> None:
    settings = {"trusted_proxies": ["10.0.0.0/8", "2001:db8::1"], **TIGHT}
    async with (
        app_with(database_url, client=("10.1.2.3", 5555), **settings) as (application, proxy),
        peer(application, "2001:db8::1") as ipv6_proxy,
    ):
        first = [
            (await post_answer(proxy, {"X-Forwarded-For": "203.0.113.5"})).status_code
            for _ in range(3)
        ]
        # The client is the right-most address that is not a trusted proxy itself.
        chained = await post_answer(
            proxy, {"X-Forwarded-For": "198.51.100.1, 203.0.113.5, 10.9.9.9"}
        )
        spoofed_left = await post_answer(proxy, {"X-Forwarded-For": "1.1.1.1, 203.0.113.5"})
        other = await post_answer(proxy, {"X-Forwarded-For": "203.0.113.6"})
        via_ipv6 = await post_answer(ipv6_proxy, {"X-Forwarded-For": "203.0.113.5"})
        without_header = [(await post_answer(proxy)).status_code for _ in range(4)]

    assert first == [201, 201, 201]
    assert_limited(chained, 60)
    assert_limited(spoofed_left, 60)
    assert other.status_code == 201
    assert_limited(via_ipv6, 60)
    # Without the header the proxy itself is the client.
    assert without_header == [201, 201, 201, 429]


async def test_two_app_processes_share_the_counters(app: FastAPI, database_url: str) -> None:
    async with (
        app_with(database_url, **TIGHT) as (_, first),
        app_with(database_url, **TIGHT) as (_, second),
    ):
        statuses = [(await post_answer(first)).status_code for _ in range(2)]
        statuses.append((await post_answer(second)).status_code)
        statuses.append((await post_answer(second)).status_code)
        statuses.append((await post_answer(first)).status_code)

    assert statuses == [201, 201, 201, 429, 429]


async def test_counters_hold_no_email_or_address_in_clear(app: FastAPI, database_url: str) -> None:
    async with app_with(database_url, **TIGHT) as (application, api):
        await post_answer(api)
        await api.login("victim@example.org", "wrong-password-1")
        async with application.state.database.read_sessions() as session:
            keys = (await session.scalars(select(RateLimitCounter.key))).all()

    assert len(keys) == 3  # survey per address, login per account, login per address
    for key in keys:
        assert len(key) == 64
        assert int(key, 16) >= 0
        assert "victim" not in key
        assert "127.0.0.1" not in key


# --- logins -------------------------------------------------------------------------------


async def test_an_account_is_locked_after_its_failed_logins_even_for_the_right_password(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, **TIGHT) as (application, api):
        member = await api.member()
        other = await api.member()
        failures = [
            (await api.login(member.email, "wrong-password-1")).status_code for _ in range(3)
        ]
        clock.set_now(NOW + timedelta(seconds=20))
        right_password = await api.login(member.email)
        other_account = await api.login(other.email)
        async with peer(application, "192.0.2.30") as elsewhere:
            from_elsewhere = await elsewhere.login(member.email.upper())
        clock.set_now(NOW + timedelta(minutes=1))
        later = await api.login(member.email)

    assert failures == [401, 401, 401]
    assert_limited(right_password, 40)
    assert other_account.status_code == 200
    # The account's counter follows the account (emails are case-insensitive).
    assert_limited(from_elsewhere, 40)
    assert later.status_code == 200


async def test_unknown_accounts_are_limited_like_known_ones(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, **TIGHT) as (_, api):
        statuses = [
            (await api.login("nobody@example.org", "wrong-password-1")).status_code
            for _ in range(4)
        ]

    assert statuses == [401, 401, 401, 429]


async def test_a_successful_login_resets_the_account_counter(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, **TIGHT) as (_, api):
        member = await api.member()
        statuses = [
            (await api.login(member.email, password)).status_code
            for password in (
                "wrong-password-1",
                "wrong-password-2",
                PASSWORD,
                "wrong-password-3",
                "wrong-password-4",
                "wrong-password-5",
                PASSWORD,
            )
        ]

    assert statuses == [401, 401, 200, 401, 401, 401, 429]


async def test_failed_logins_are_limited_per_address_at_ten_times_the_account_limit(
    app: FastAPI, database_url: str
) -> None:
    async with app_with(database_url, rate_limit_login="1/minute") as (application, api):
        member = await api.member()
        failures = [
            (await api.login(f"guess{n}@example.org", "wrong-password-1")).status_code
            for n in range(10)
        ]
        limited = await api.login(member.email)
        async with peer(application, "192.0.2.40") as elsewhere:
            from_elsewhere = await elsewhere.login(member.email)

    assert failures == [401] * 10
    assert_limited(limited, 60)
    assert from_elsewhere.status_code == 200


async def test_default_login_limit_is_five_per_minute(api: Api) -> None:
    member = await api.member()

    statuses = [(await api.login(member.email, "wrong-password-1")).status_code for _ in range(6)]

    assert statuses == [401] * 5 + [429]


# --- settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rate_limit_login", "5"),
        ("rate_limit_login", "0/minute"),
        ("rate_limit_login", "five/minute"),
        ("rate_limit_login", "5/week"),
        ("rate_limit_public_forms", "-1/hour"),
        ("rate_limit_public_forms", "30 per hour"),
        ("trusted_proxies", "not-an-address"),
        ("trusted_proxies", "10.0.0.0/33"),
    ],
)
def test_invalid_limit_settings_are_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(secret_key=SECRET, **{field: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"), [("10/second", "10/second"), (" 100 / day ", " 100 / day ")]
)
def test_valid_rates_are_accepted(value: str, expected: str) -> None:
    assert Settings(secret_key=SECRET, rate_limit_login=value).rate_limit_login == expected


def test_trusted_proxies_come_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COWORKING_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")

    assert Settings(secret_key=SECRET).trusted_proxies == ["10.0.0.0/8", "192.0.2.1"]


# --- Redis --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server of this test module, on its own port."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            server.terminate()
            server.wait(timeout=10)


@contextlib.asynccontextmanager
async def flushed(url: str) -> AsyncIterator[None]:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield


async def test_with_redis_the_counters_live_there_and_are_shared(
    app: FastAPI, database_url: str, redis_url: str
) -> None:
    async with (
        flushed(redis_url),
        app_with(database_url, redis_url=redis_url, **TIGHT) as (application, first),
        app_with(database_url, redis_url=redis_url, **TIGHT) as (_, second),
    ):
        statuses = [(await post_answer(first)).status_code for _ in range(2)]
        statuses.append((await post_answer(second)).status_code)
        refused = await post_answer(second)
        member = await first.member()
        logins = [
            (await second.login(member.email, password)).status_code
            for password in ("wrong-password-1", "wrong-password-2", PASSWORD, "x" * 10)
        ]
        logins += [(await first.login(member.email, "y" * 10)).status_code for _ in range(2)]
        logins.append((await second.login(member.email)).status_code)
        async with application.state.database.read_sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(RateLimitCounter))

    assert statuses == [201, 201, 201]
    assert_limited(refused, 60)
    assert logins == [401, 401, 200, 401, 401, 401, 429]
    assert stored == 0
