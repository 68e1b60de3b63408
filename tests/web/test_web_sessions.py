"""Web sessions and CSRF (DESIGN §10): cookie flags, a hash stored, 14 days idle, sign-out,
deactivation; every page POST needs this browser's token; the API's login limits apply."""

import hashlib
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.core import clock
from app.models import WebSession
from tests.conftest import NOW
from tests.factories import PASSWORD, Api
from tests.survey.support import app_with
from tests.web.support import alerts, csrf_token, session_cookie, sign_in, submit


async def _stored_sessions(app: FastAPI) -> list[WebSession]:
    async with app.state.database.read_sessions() as session:
        return list((await session.scalars(select(WebSession))).all())


async def test_signing_in_sets_a_session_cookie_whose_hash_alone_is_stored(
    api: Api, client: httpx.AsyncClient, app: FastAPI
) -> None:
    member = await api.member()
    answer = await submit(client, "/login", "/login", {"email": member.email, "password": PASSWORD})
    assert answer.status_code == 303
    cookie = session_cookie(answer)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert "secure" not in flags  # not in development and tests: http://127.0.0.1 must work
    session_id = cookie.split(";")[0].removeprefix("session=")
    assert len(session_id) >= 43  # 32 random bytes, base64: 256 bits
    [stored] = await _stored_sessions(app)
    assert stored.id_hash == hashlib.sha256(session_id.encode()).hexdigest()
    assert str(stored.member_id) == member.id


async def test_the_session_cookie_is_secure_in_production(
    app: object, api: Api, database_url: str
) -> None:
    member = await api.member()
    async with app_with(
        database_url,
        env="production",
        public_base_url="https://coworking.example.org",
        base_url="https://coworking.example.org",  # a Secure cookie goes over https only
    ) as (_, production):
        answer = await submit(
            production.client,
            "/login",
            "/login",
            {"email": member.email, "password": PASSWORD},
        )
    assert answer.status_code == 303
    assert "secure" in [part.strip().lower() for part in session_cookie(answer).split(";")]


async def test_a_member_page_without_a_session_goes_to_sign_in_and_back(
    api: Api, client: httpx.AsyncClient
) -> None:
    member = await api.member()
    answer = await client.get("/bookings?done=x")
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/bookings?done=x"]
    login = await client.get(answer.headers["location"])
    signed_in = await client.post(
        "/login",
        data={
            "csrf_token": csrf_token(login),
            "email": member.email,
            "password": PASSWORD,
            "next": "/bookings?done=x",
        },
    )
    assert signed_in.headers["location"] == "/bookings?done=x"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:1"]
)
async def test_sign_in_goes_only_to_paths_of_this_site(
    api: Api, client: httpx.AsyncClient, target: str
) -> None:
    member = await api.member()
    login = await client.get("/login")
    answer = await client.post(
        "/login",
        data={
            "csrf_token": csrf_token(login),
            "email": member.email,
            "password": PASSWORD,
            "next": target,
        },
    )
    assert answer.headers["location"] == "/book"


async def test_a_post_without_this_browsers_token_is_refused(
    api: Api, client: httpx.AsyncClient, app: object
) -> None:
    member = await api.member()
    no_token = await client.post("/login", data={"email": member.email, "password": PASSWORD})
    assert no_token.status_code == 403
    assert "text/html" in no_token.headers["content-type"]
    assert alerts(no_token)
    forged = await client.post(
        "/login", data={"email": member.email, "password": PASSWORD, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    # A token of another browser does not fit this browser's cookie.
    async with httpx.AsyncClient(
        transport=client._transport, base_url="http://test"
    ) as other_browser:
        other_token = csrf_token(await other_browser.get("/login"))
    await client.get("/login")
    crossed = await client.post(
        "/login", data={"email": member.email, "password": PASSWORD, "csrf_token": other_token}
    )
    assert crossed.status_code == 403
    assert "session=" not in crossed.headers.get("set-cookie", "")


async def test_signing_out_ends_the_session_for_good(
    api: Api, client: httpx.AsyncClient, app: FastAPI
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    stolen = client.cookies["session"]
    assert (await client.get("/book")).status_code != 303
    home = await client.get("/")
    out = await client.post("/logout", data={"csrf_token": csrf_token(home)})
    assert out.status_code == 303
    assert await _stored_sessions(app) == []
    client.cookies.set("session", stolen)
    assert (await client.get("/book")).status_code == 303


async def test_a_session_ends_after_14_days_unused_and_lives_on_while_used(
    api: Api, client: httpx.AsyncClient
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    clock.set_now(NOW + timedelta(days=13))
    assert (await client.get("/book")).status_code != 303
    clock.set_now(NOW + timedelta(days=26))
    assert (await client.get("/book")).status_code != 303  # 13 days after its last use
    clock.set_now(NOW + timedelta(days=40, seconds=1))
    assert (await client.get("/book")).status_code == 303


async def test_a_deactivated_member_is_signed_out_at_once(
    api: Api, client: httpx.AsyncClient
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    operator = await api.operator()
    deactivated = await api.client.patch(
        f"/api/v1/members/{member.id}", json={"active": False}, headers=operator.headers
    )
    assert deactivated.status_code == 200
    assert (await client.get("/book")).status_code == 303


async def test_the_login_form_counts_against_the_apis_login_limit(
    app: object, api: Api, database_url: str
) -> None:
    member = await api.member()
    async with app_with(database_url, rate_limit_login="3/minute") as (_, limited):
        for _attempt in range(3):
            failed = await submit(
                limited.client,
                "/login",
                "/login",
                {"email": member.email, "password": "wrong password 1"},
            )
            assert failed.status_code == 401
            assert alerts(failed)
        # The account is limited now: the API refuses even the right password, and so does
        # the form.
        assert (await limited.login(member.email)).status_code == 429
        refused = await submit(
            limited.client, "/login", "/login", {"email": member.email, "password": PASSWORD}
        )
        assert refused.status_code == 429
        assert refused.headers["retry-after"]
        assert alerts(refused)


async def test_lang_of_a_signed_in_member_is_stored_as_their_language(
    api: Api, client: httpx.AsyncClient
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    page = await client.get("/?lang=en")
    assert '<html lang="en">' in page.text
    # Another browser without a cookie: the member's stored language decides.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://test") as other:
        await sign_in(other, member.email)
        assert '<html lang="en">' in (await other.get("/")).text
        assert '<html lang="de">' in (await other.get("/?lang=de")).text
    assert '<html lang="en">' in (await client.get("/")).text  # this browser's cookie says en
