"""Registration, sign-in, tokens, refresh rotation, logout and the bootstrap operator."""

import base64
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from jose import jwt

from app.main import create_app
from tests.conftest import SECRET, make_settings
from tests.factories import OPERATOR_EMAIL, OPERATOR_PASSWORD, PASSWORD, Api, assert_problem

MEMBER_FIELDS = {
    "id",
    "email",
    "full_name",
    "groups",
    "verified_groups",
    "role",
    "home_municipality",
    "home_postcode",
    "commute_km",
    "commute_mode",
    "active",
    "created_at",
}
TOKEN_FIELDS = {"access_token", "token_type", "expires_in", "refresh_token"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def me_with(api: Api, token: str) -> httpx.Response:
    return await api.client.get("/api/v1/me", headers=bearer(token))


async def refresh(api: Api, refresh_token: str) -> httpx.Response:
    return await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def logout(api: Api, refresh_token: str) -> httpx.Response:
    return await api.client.post("/api/v1/auth/logout", json={"refresh_token": refresh_token})


async def deactivate(api: Api, member_id: str) -> None:
    operator = await api.operator()
    response = await api.client.patch(
        f"/api/v1/members/{member_id}", json={"active": False}, headers=operator.headers
    )
    assert response.status_code == 200, response.text


def assert_unauthenticated(response: httpx.Response) -> dict[str, Any]:
    body = assert_problem(response, 401, "not-authenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    return body


# --- register ---------------------------------------------------------------------------


async def test_register_answers_the_member_and_nothing_else(api: Api) -> None:
    response = await api.register(
        email="ada@example.org",
        full_name="Ada Lovelace",
        groups=["parent", "employee", "parent"],
        home_municipality="Velten",
        home_postcode="16727",
        commute_km=12.5,
        commute_mode="car",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == MEMBER_FIELDS
    uuid.UUID(body["id"])
    assert {key: value for key, value in body.items() if key != "id"} == {
        "email": "ada@example.org",
        "full_name": "Ada Lovelace",
        "groups": ["employee", "parent"],
        "verified_groups": [],
        "role": "member",
        "home_municipality": "Velten",
        "home_postcode": "16727",
        "commute_km": 12.5,
        "commute_mode": "car",
        "active": True,
        "created_at": "2030-01-07T07:00:00Z",
    }
    assert "hash" not in response.text
    assert PASSWORD not in response.text


async def test_register_leaves_optional_fields_empty(api: Api) -> None:
    response = await api.register()

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["home_postcode"], body["commute_km"], body["commute_mode"]) == (None, None, None)


async def test_register_with_a_taken_email_in_another_case_is_a_conflict(api: Api) -> None:
    first = await api.register(email="Grace.Hopper@Example.org")
    assert first.status_code == 201, first.text

    second = await api.register(email="grace.hopper@EXAMPLE.ORG")

    assert_problem(second, 409, "conflict")


async def test_login_ignores_the_case_of_the_email(api: Api) -> None:
    registered = await api.register(email="Grace.Hopper@Example.org")
    assert registered.status_code == 201, registered.text

    response = await api.login("GRACE.HOPPER@example.ORG")

    assert response.status_code == 200, response.text
    me = await me_with(api, response.json()["access_token"])
    assert me.json()["id"] == registered.json()["id"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"password": "123456789"}, "password", id="password-9-chars"),
        pytest.param({"groups": []}, "groups", id="empty-groups"),
        pytest.param({"groups": ["astronaut"]}, "groups", id="unknown-group"),
        pytest.param({"commute_mode": "rocket"}, "commute_mode", id="bad-commute-mode"),
        pytest.param({"commute_km": -1}, "commute_km", id="commute-km-negative"),
        pytest.param({"commute_km": 300.5}, "commute_km", id="commute-km-over-300"),
        pytest.param({"commute_km": True}, "commute_km", id="boolean-as-number"),
        pytest.param({"commute_km": "12"}, "commute_km", id="string-as-number"),
        pytest.param({"full_name": 123}, "full_name", id="number-as-string"),
        pytest.param({"home_postcode": 16515}, "home_postcode", id="number-as-postcode"),
        pytest.param({"home_municipality": ""}, "home_municipality", id="empty-municipality"),
        pytest.param({"full_name": "x" * 201}, "full_name", id="name-too-long"),
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
        pytest.param({"role": "operator"}, "role", id="unknown-field"),
    ],
)
async def test_register_refuses_invalid_bodies(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    response = await api.register(**overrides)

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"], body
    assert all(set(error) == {"loc", "msg", "type"} for error in body["errors"])
    assert any(field in error["loc"] for error in body["errors"]), body["errors"]


@pytest.mark.parametrize("missing", ["email", "password", "full_name", "groups"])
async def test_register_requires_the_mandatory_fields(api: Api, missing: str) -> None:
    body = {
        "email": "someone@example.org",
        "password": PASSWORD,
        "full_name": "Someone",
        "groups": ["student"],
        "home_municipality": "Hennigsdorf",
    }
    del body[missing]

    response = await api.client.post("/api/v1/auth/register", json=body)

    problem = assert_problem(response, 422, "validation-error")
    assert any(missing in error["loc"] for error in problem["errors"])


async def test_register_with_an_invalid_invitation_creates_no_account(api: Api) -> None:
    response = await api.register(email="invited@example.org", invitation_token="no-such-token")

    assert_problem(response, 422, "validation-error")
    assert_unauthenticated(await api.login("invited@example.org"))
    again = await api.register(email="invited@example.org")
    assert again.status_code == 201, again.text


# --- token ------------------------------------------------------------------------------


async def test_token_answers_a_bearer_pair(api: Api) -> None:
    member = await api.member()

    response = await api.login(member.email)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    me = await me_with(api, body["access_token"])
    assert me.status_code == 200
    assert me.json()["id"] == member.id


async def test_token_takes_a_form_not_json(api: Api) -> None:
    member = await api.member()

    response = await api.client.post(
        "/api/v1/auth/token", json={"username": member.email, "password": PASSWORD}
    )

    assert_problem(response, 422, "validation-error")


async def test_unknown_email_and_wrong_password_answer_the_same(api: Api) -> None:
    member = await api.member()

    unknown = await api.login("nobody@example.org")
    wrong = await api.login(member.email, "wrong-password-123")

    assert_unauthenticated(unknown)
    assert_unauthenticated(wrong)
    assert unknown.json() == wrong.json()


async def test_deactivated_member_cannot_sign_in(api: Api) -> None:
    member = await api.member()
    await deactivate(api, member.id)

    response = await api.login(member.email)

    assert_unauthenticated(response)
    assert response.json() == (await api.login("nobody@example.org")).json()


# --- forged and misused tokens ----------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(member_id: str, **overrides: Any) -> dict[str, Any]:
    issued = int(time.time())
    claims: dict[str, Any] = {
        "sub": member_id,
        "jti": str(uuid.uuid4()),
        "iat": issued,
        "exp": issued + 600,
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    return f"{header}.{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}"


def forged_token(kind: str, member_id: str, access_token: str, refresh_token: str) -> str:
    if kind == "tampered-signature":
        return _tampered(access_token)
    if kind == "alg-none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(member_id))}."
    if kind == "hs512-same-key":
        return jwt.encode(_claims(member_id), SECRET, algorithm="HS512")
    if kind == "another-key":
        return jwt.encode(_claims(member_id), "another-secret-" + "x" * 40, algorithm="HS256")
    if kind == "expired":
        issued = int(time.time()) - 3600
        return jwt.encode(_claims(member_id, iat=issued, exp=issued + 60), SECRET, "HS256")
    if kind == "no-expiry":
        claims = _claims(member_id)
        del claims["exp"]
        return jwt.encode(claims, SECRET, algorithm="HS256")
    if kind == "unknown-member":
        return jwt.encode(_claims(str(uuid.uuid4())), SECRET, algorithm="HS256")
    if kind == "refresh-as-access":
        return refresh_token
    raise AssertionError(kind)


async def test_a_token_crafted_with_the_right_key_is_accepted(api: Api) -> None:
    """The control for the forgeries below: only what they change makes them fail."""
    member = await api.member()

    response = await me_with(api, jwt.encode(_claims(member.id), SECRET, algorithm="HS256"))

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "kind",
    [
        "tampered-signature",
        "alg-none",
        "hs512-same-key",
        "another-key",
        "expired",
        "no-expiry",
        "unknown-member",
        "refresh-as-access",
    ],
)
async def test_forged_or_misused_access_tokens_are_refused(api: Api, kind: str) -> None:
    member = await api.member()
    access_token = member.headers["Authorization"].removeprefix("Bearer ")
    token = forged_token(kind, member.id, access_token, member.refresh_token)

    response = await me_with(api, token)

    assert_unauthenticated(response)


async def test_missing_bearer_token_is_refused(api: Api) -> None:
    assert_unauthenticated(await api.client.get("/api/v1/me"))


async def test_access_token_is_not_a_refresh_token(api: Api) -> None:
    member = await api.member()
    access_token = member.headers["Authorization"].removeprefix("Bearer ")

    assert_unauthenticated(await refresh(api, access_token))


# --- refresh rotation and logout --------------------------------------------------------


async def test_refresh_answers_a_new_working_pair(api: Api) -> None:
    member = await api.member()

    response = await refresh(api, member.refresh_token)

    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == TOKEN_FIELDS
    assert pair["refresh_token"] != member.refresh_token
    assert (await me_with(api, pair["access_token"])).json()["id"] == member.id
    assert (await refresh(api, pair["refresh_token"])).status_code == 200


async def test_reused_refresh_token_revokes_its_whole_family(api: Api) -> None:
    member = await api.member()
    newest = (await refresh(api, member.refresh_token)).json()["refresh_token"]

    reused = await refresh(api, member.refresh_token)

    assert_unauthenticated(reused)
    assert_unauthenticated(await refresh(api, newest))


async def test_reuse_leaves_other_logins_alone(api: Api) -> None:
    member = await api.member()
    other_login = (await api.login(member.email)).json()["refresh_token"]
    await refresh(api, member.refresh_token)

    assert_unauthenticated(await refresh(api, member.refresh_token))

    assert (await refresh(api, other_login)).status_code == 200


async def test_logout_revokes_the_family(api: Api) -> None:
    member = await api.member()
    newest = (await refresh(api, member.refresh_token)).json()["refresh_token"]

    response = await logout(api, newest)

    assert response.status_code == 204
    assert response.content == b""
    assert_unauthenticated(await refresh(api, newest))


async def test_logout_with_an_invalid_token_is_refused(api: Api) -> None:
    assert_unauthenticated(await logout(api, "not-a-token"))


async def test_deactivated_member_cannot_refresh(api: Api) -> None:
    member = await api.member()
    await deactivate(api, member.id)

    assert_unauthenticated(await refresh(api, member.refresh_token))


# --- bootstrap operator -----------------------------------------------------------------


async def test_bootstrap_operator_exists_after_start_up(api: Api) -> None:
    tokens = await api.login(OPERATOR_EMAIL, OPERATOR_PASSWORD)

    assert tokens.status_code == 200, tokens.text
    me = (await me_with(api, tokens.json()["access_token"])).json()
    assert (me["email"], me["role"], me["active"]) == (OPERATOR_EMAIL, "operator", True)


async def test_bootstrap_operator_is_never_overwritten(app: FastAPI, database_url: str) -> None:
    restarted = create_app(
        make_settings(database_url, bootstrap_operator_password="a-different-password-456")
    )
    async with (
        restarted.router.lifespan_context(restarted),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=restarted), base_url="http://test"
        ) as client,
    ):
        api = Api(client)
        kept = await api.login(OPERATOR_EMAIL, OPERATOR_PASSWORD)
        replaced = await api.login(OPERATOR_EMAIL, "a-different-password-456")
        operators = await client.get(
            "/api/v1/members",
            params={"role": "operator"},
            headers=bearer(kept.json()["access_token"]),
        )

    assert kept.status_code == 200, kept.text
    assert_unauthenticated(replaced)
    assert operators.json()["total"] == 1


async def test_impossible_usernames_are_just_wrong_credentials(api: Api) -> None:
    response = await api.login("x" * 300 + "@example.org", "whatever-password")
    assert_problem(response, 401, "not-authenticated")
    # A NUL is refused as in every parameter (tests/hardening), whether the account exists or not.
    assert_problem(await api.login("nul\x00@example.org"), 422, "validation-error")
