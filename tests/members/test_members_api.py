"""The member's own profile (/me) and the operator's member administration (/members)."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.core import clock
from tests.conftest import NOW
from tests.factories import OPERATOR_EMAIL, Api, Member, assert_problem, local

PROFILE: dict[str, Any] = {
    "full_name": "Ada Lovelace",
    "groups": ["parent", "employee"],
    "home_municipality": "Velten",
    "home_postcode": "16727",
    "commute_km": 12.5,
    "commute_mode": "car",
}


async def patch_me(api: Api, member: Member, body: dict[str, Any]) -> httpx.Response:
    return await api.client.patch("/api/v1/me", json=body, headers=member.headers)


async def get_me(api: Api, member: Member) -> httpx.Response:
    return await api.client.get("/api/v1/me", headers=member.headers)


async def list_members(api: Api, caller: Member, **params: Any) -> httpx.Response:
    return await api.client.get("/api/v1/members", params=params, headers=caller.headers)


async def administer(api: Api, member_id: str, body: dict[str, Any]) -> httpx.Response:
    operator = await api.operator()
    return await api.client.patch(
        f"/api/v1/members/{member_id}", json=body, headers=operator.headers
    )


def emails(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return [item["email"] for item in page.json()["items"]]


# --- /me --------------------------------------------------------------------------------


async def test_me_reads_the_own_profile(api: Api) -> None:
    member = await api.member(**PROFILE)

    response = await get_me(api, member)

    assert response.status_code == 200, response.text
    assert response.json() == member.body
    assert response.json()["groups"] == ["employee", "parent"]


async def test_patch_me_changes_only_the_fields_sent(api: Api) -> None:
    member = await api.member(**PROFILE)

    response = await patch_me(api, member, {"commute_km": 20, "groups": ["senior"]})

    assert response.status_code == 200, response.text
    assert response.json() == {**member.body, "commute_km": 20.0, "groups": ["senior"]}
    assert (await get_me(api, member)).json() == response.json()


async def test_patch_me_clears_optional_fields_with_null(api: Api) -> None:
    member = await api.member(**PROFILE)

    response = await patch_me(
        api, member, {"home_postcode": None, "commute_km": None, "commute_mode": None}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["home_postcode"], body["commute_km"], body["commute_mode"]) == (None, None, None)
    assert body["full_name"] == "Ada Lovelace"


@pytest.mark.parametrize("field", ["full_name", "groups", "home_municipality"])
async def test_patch_me_cannot_clear_required_fields(api: Api, field: str) -> None:
    member = await api.member(**PROFILE)

    response = await patch_me(api, member, {field: None})

    assert_problem(response, 422, "validation-error")
    assert (await get_me(api, member)).json() == member.body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"role": "operator"}, id="role"),
        pytest.param({"email": "new@example.org"}, id="email"),
        pytest.param({"active": True}, id="active"),
        pytest.param({"password": "a-new-password-123"}, id="password"),
    ],
)
async def test_patch_me_refuses_fields_that_are_not_the_members(
    api: Api, body: dict[str, Any]
) -> None:
    member = await api.member()

    response = await patch_me(api, member, body)

    problem = assert_problem(response, 422, "validation-error")
    assert any(next(iter(body)) in error["loc"] for error in problem["errors"])
    assert (await get_me(api, member)).json()["role"] == "member"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"groups": []}, id="empty-groups"),
        pytest.param({"commute_km": 301}, id="commute-km-over-300"),
        pytest.param({"commute_km": False}, id="boolean-as-number"),
        pytest.param({"commute_mode": "plane"}, id="bad-commute-mode"),
        pytest.param({"full_name": 7}, id="number-as-string"),
    ],
)
async def test_patch_me_validates_like_registration(api: Api, body: dict[str, Any]) -> None:
    member = await api.member()

    assert_problem(await patch_me(api, member, body), 422, "validation-error")


async def test_my_bookings_lists_only_my_own(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    other_desk = await api.desk(location["id"])
    member, other = await api.member(), await api.member()
    mine = await api.book(
        member, desk["id"], local("2030-01-08", "09:00"), local("2030-01-08", "12:00")
    )
    theirs = await api.book(
        other, other_desk["id"], local("2030-01-08", "09:00"), local("2030-01-08", "12:00")
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)

    response = await api.client.get("/api/v1/me/bookings", headers=member.headers)

    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["id"] for item in page["items"]] == [mine.json()["id"]]
    assert (page["total"], page["limit"], page["offset"]) == (1, 50, 0)


async def test_my_bookings_needs_a_token(api: Api) -> None:
    response = await api.client.get("/api/v1/me/bookings")

    assert_problem(response, 401, "not-authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


# --- /members: reading ------------------------------------------------------------------


async def members_registered_in_order(api: Api, *profiles: dict[str, Any]) -> list[Member]:
    """Members registered a minute apart, so registration order is the list order."""
    members = []
    for minute, profile in enumerate(profiles, start=1):
        clock.set_now(NOW + timedelta(minutes=minute))
        members.append(await api.member(**profile))
    clock.set_now(NOW)
    return members


async def test_members_are_listed_in_registration_order(api: Api) -> None:
    operator = await api.operator()
    first, second = await members_registered_in_order(api, {}, {})

    response = await list_members(api, operator)

    page = response.json()
    assert emails(response) == [OPERATOR_EMAIL, first.email, second.email]
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    assert page["items"][1] == first.body


async def test_members_list_pages(api: Api) -> None:
    operator = await api.operator()
    members = await members_registered_in_order(api, {}, {}, {})

    first_page = await list_members(api, operator, limit=2, offset=0)
    second_page = await list_members(api, operator, limit=2, offset=2)

    assert emails(first_page) == [OPERATOR_EMAIL, members[0].email]
    assert emails(second_page) == [members[1].email, members[2].email]
    assert second_page.json()["total"] == 4
    assert (second_page.json()["limit"], second_page.json()["offset"]) == (2, 2)


async def test_members_q_matches_part_of_name_or_email(api: Api) -> None:
    operator = await api.operator()
    ada, grace, _ = await members_registered_in_order(
        api,
        {"full_name": "Ada Lovelace"},
        {"full_name": "Grace Hopper", "email": "amazing.grace@example.org"},
        {"full_name": "Alan Turing"},
    )

    by_name = await list_members(api, operator, q="LOVE")
    by_email = await list_members(api, operator, q="Amazing")

    assert emails(by_name) == [ada.email]
    assert emails(by_email) == [grace.email]


async def test_members_q_treats_wildcards_literally(api: Api) -> None:
    operator = await api.operator()
    await members_registered_in_order(api, {"full_name": "Ada Lovelace"})

    response = await list_members(api, operator, q="%")

    assert emails(response) == []


async def test_members_filter_by_group(api: Api) -> None:
    operator = await api.operator()
    parent, _, senior_parent = await members_registered_in_order(
        api, {"groups": ["parent"]}, {"groups": ["student"]}, {"groups": ["senior", "parent"]}
    )

    response = await list_members(api, operator, group="parent")

    assert emails(response) == [parent.email, senior_parent.email]


async def test_members_filter_by_role(api: Api) -> None:
    operator = await api.operator()
    analyst = await api.member(role="analyst")
    await api.member()

    analysts = await list_members(api, operator, role="analyst")
    operators = await list_members(api, operator, role="operator")

    assert emails(analysts) == [analyst.email]
    assert emails(operators) == [OPERATOR_EMAIL]


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"limit": 0}, id="limit-0"),
        pytest.param({"limit": 201}, id="limit-201"),
        pytest.param({"offset": -1}, id="offset-negative"),
        pytest.param({"offset": 1_000_001}, id="offset-too-large"),
        pytest.param({"limit": "many"}, id="limit-not-a-number"),
        pytest.param({"group": "astronaut"}, id="unknown-group"),
        pytest.param({"role": "admin"}, id="unknown-role"),
    ],
)
async def test_members_list_refuses_bad_parameters(api: Api, params: dict[str, Any]) -> None:
    operator = await api.operator()

    response = await list_members(api, operator, **params)

    problem = assert_problem(response, 422, "validation-error")
    assert any(next(iter(params)) in error["loc"] for error in problem["errors"])


@pytest.mark.parametrize("role", ["member", "analyst"])
async def test_only_operators_may_use_members(api: Api, role: str) -> None:
    caller = await api.member(role=role)

    listing = await list_members(api, caller)
    detail = await api.client.get(f"/api/v1/members/{caller.id}", headers=caller.headers)
    change = await api.client.patch(
        f"/api/v1/members/{caller.id}", json={"role": "operator"}, headers=caller.headers
    )

    for response in (listing, detail, change):
        assert_problem(response, 403, "forbidden")
    assert (await get_me(api, caller)).json()["role"] == role


async def test_members_needs_a_token(api: Api) -> None:
    assert_problem(await api.client.get("/api/v1/members"), 401, "not-authenticated")


async def test_operator_reads_a_member(api: Api) -> None:
    operator = await api.operator()
    member = await api.member(**PROFILE)

    response = await api.client.get(f"/api/v1/members/{member.id}", headers=operator.headers)

    assert response.status_code == 200, response.text
    assert response.json() == member.body


@pytest.mark.parametrize("method", ["GET", "PATCH"])
async def test_unknown_member_is_not_found(api: Api, method: str) -> None:
    operator = await api.operator()

    response = await api.client.request(
        method,
        f"/api/v1/members/{uuid.uuid4()}",
        headers=operator.headers,
        json={"role": "analyst"} if method == "PATCH" else None,
    )

    assert_problem(response, 404, "not-found")


async def test_malformed_member_id_is_a_validation_error(api: Api) -> None:
    operator = await api.operator()

    response = await api.client.get("/api/v1/members/not-a-uuid", headers=operator.headers)

    assert_problem(response, 422, "validation-error")


# --- /members: changing role and active state -------------------------------------------


async def test_operator_changes_a_members_role(api: Api) -> None:
    member = await api.member()

    response = await administer(api, member.id, {"role": "analyst"})

    assert response.status_code == 200, response.text
    assert response.json() == {**member.body, "role": "analyst"}
    assert (await get_me(api, member)).json()["role"] == "analyst"


async def test_promotion_takes_effect_without_a_new_token(api: Api) -> None:
    member = await api.member()
    assert (await list_members(api, member)).status_code == 403

    await administer(api, member.id, {"role": "operator"})

    assert (await list_members(api, member)).status_code == 200


async def test_demotion_takes_effect_without_a_new_token(api: Api) -> None:
    member = await api.member(role="operator")
    assert (await list_members(api, member)).status_code == 200

    await administer(api, member.id, {"role": "member"})

    assert_problem(await list_members(api, member), 403, "forbidden")


async def test_deactivated_members_token_stops_working_at_once(api: Api) -> None:
    member = await api.member()
    assert (await get_me(api, member)).status_code == 200

    response = await administer(api, member.id, {"active": False})

    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    unauthenticated = await get_me(api, member)
    assert_problem(unauthenticated, 401, "not-authenticated")
    assert unauthenticated.headers["www-authenticate"] == "Bearer"


async def test_reactivated_member_signs_in_again(api: Api) -> None:
    member = await api.member()
    await administer(api, member.id, {"active": False})

    response = await administer(api, member.id, {"active": True})

    assert response.json()["active"] is True
    assert (await api.login(member.email)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"role": "admin"}, id="unknown-role"),
        pytest.param({"active": "no"}, id="string-as-boolean"),
        pytest.param({"active": 0}, id="number-as-boolean"),
        pytest.param({"role": None}, id="null-role"),
        pytest.param({"active": None}, id="null-active"),
        pytest.param({"email": "new@example.org"}, id="unknown-field"),
        pytest.param({"verified_groups": None}, id="null-verified-groups"),
        pytest.param({"verified_groups": ["pirate"]}, id="unknown-group"),
        pytest.param({"verified_groups": ["parent"]}, id="not-the-members-group"),
        pytest.param({"verified_groups": "freelancer"}, id="string-as-list"),
    ],
)
async def test_administer_refuses_invalid_changes(api: Api, body: dict[str, Any]) -> None:
    member = await api.member()

    response = await administer(api, member.id, body)

    assert_problem(response, 422, "validation-error")
    assert (await get_me(api, member)).json() == member.body


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"role": "member"}, id="demote"),
        pytest.param({"role": "analyst"}, id="demote-to-analyst"),
        pytest.param({"active": False}, id="deactivate"),
    ],
)
async def test_last_active_operator_cannot_lock_themselves_out(
    api: Api, body: dict[str, Any]
) -> None:
    operator = await api.operator()

    response = await administer(api, operator.id, body)

    assert_problem(response, 409, "conflict")
    me = (await get_me(api, operator)).json()
    assert (me["role"], me["active"]) == ("operator", True)


async def test_an_operator_may_step_down_while_another_remains(api: Api) -> None:
    operator = await api.operator()
    await api.member(role="operator")

    response = await administer(api, operator.id, {"role": "member"})

    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"


async def test_a_deactivated_operator_does_not_count_as_remaining(api: Api) -> None:
    operator = await api.operator()
    other = await api.member(role="operator")
    await administer(api, other.id, {"active": False})

    response = await administer(api, operator.id, {"role": "member"})

    assert_problem(response, 409, "conflict")


# --- confirmed groups (social tariff) ---------------------------------------------------


async def test_operator_confirms_groups_and_the_member_sees_them(api: Api) -> None:
    member = await api.member(groups=["parent", "senior", "freelancer"])
    assert member.body["verified_groups"] == []

    changed = await administer(api, member.id, {"verified_groups": ["senior", "parent"]})

    assert changed.status_code == 200, changed.text
    assert changed.json()["verified_groups"] == ["parent", "senior"]
    assert (await get_me(api, member)).json()["verified_groups"] == ["parent", "senior"]
    export = await api.client.get("/api/v1/me/export", headers=member.headers)
    assert export.json()["profile"]["verified_groups"] == ["parent", "senior"]
    operator = await api.operator()
    events = await api.client.get(
        "/api/v1/audit-events", params={"action": "member.updated"}, headers=operator.headers
    )
    [event] = [item for item in events.json()["items"] if item["target_id"] == member.id]
    assert event["actor_id"] == operator.id
    assert (event["before"]["verified_groups"], event["after"]["verified_groups"]) == (
        [],
        ["parent", "senior"],
    )


async def test_members_cannot_confirm_their_own_groups(api: Api) -> None:
    member = await api.member(groups=["parent"])

    refused = await patch_me(api, member, {"verified_groups": ["parent"]})
    forbidden = await api.client.patch(
        f"/api/v1/members/{member.id}", json={"verified_groups": ["parent"]}, headers=member.headers
    )

    assert_problem(refused, 422, "validation-error")
    assert_problem(forbidden, 403, "forbidden")
    assert (await get_me(api, member)).json()["verified_groups"] == []


async def test_a_dropped_group_loses_its_confirmation_and_a_new_one_is_unconfirmed(
    api: Api,
) -> None:
    member = await api.member(groups=["parent", "senior"])
    assert (await administer(api, member.id, {"verified_groups": ["parent", "senior"]})).is_success

    changed = await patch_me(api, member, {"groups": ["senior", "job_seeker"]})
    readded = await patch_me(api, member, {"groups": ["senior", "job_seeker", "parent"]})

    assert changed.json()["verified_groups"] == ["senior"]
    assert readded.json()["verified_groups"] == ["senior"]
