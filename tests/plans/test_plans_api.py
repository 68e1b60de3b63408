"""Plans: public list, operator management, memberships and the social tariff."""

import asyncio
import uuid

import pytest

from tests.factories import Api, Member, assert_problem
from tests.plans.support import (
    MEMBERSHIPS,
    PLANS,
    create_plan,
    memberships,
    plan_body,
    set_default_plan,
    subscribe,
)


async def test_operator_creates_a_plan_anyone_reads_it(api: Api) -> None:
    plan = await create_plan(
        api,
        name="Flex-Monat",
        period="month",
        price_cents=14900,
        included_days=12,
        group_prices=[
            {"group": "senior", "price_cents": 7900},
            {"group": "parent", "price_cents": 7900},
        ],
    )

    assert uuid.UUID(plan["id"])
    assert {key: value for key, value in plan.items() if key != "id"} == {
        "name": "Flex-Monat",
        "description": "Zehn Tage",
        "price_cents": 14900,
        "period": "month",
        "included_days": 12,
        "group_prices": [
            {"group": "parent", "price_cents": 7900},
            {"group": "senior", "price_cents": 7900},
        ],
        "active": True,
        "created_at": "2030-01-07T07:00:00Z",
    }
    assert (await api.client.get(f"{PLANS}/{plan['id']}")).json() == plan
    assert (await api.client.get(PLANS)).json() == {
        "items": [plan],
        "total": 1,
        "limit": 50,
        "offset": 0,
    }


async def test_only_operators_manage_plans(api: Api) -> None:
    member = await api.member()
    plan = await create_plan(api)

    forbidden = [
        await api.client.post(PLANS, json=plan_body(name="X"), headers=member.headers),
        await api.client.patch(
            f"{PLANS}/{plan['id']}", json={"price_cents": 1}, headers=member.headers
        ),
        await api.client.delete(f"{PLANS}/{plan['id']}", headers=member.headers),
    ]
    for response in forbidden:
        assert_problem(response, 403, "forbidden")
    assert_problem(await api.client.post(PLANS, json=plan_body(name="Y")), 401, "not-authenticated")


@pytest.mark.parametrize(
    "changes",
    [
        {"period": "year"},
        {"included_days": 0},
        {"price_cents": -1},
        {"price_cents": True},
        {"price_cents": "100"},
        {
            "group_prices": [
                {"group": "parent", "price_cents": 1},
                {"group": "parent", "price_cents": 2},
            ]
        },
        {"group_prices": [{"group": "pirate", "price_cents": 1}]},
        {"name": ""},
        {"colour": "blue"},
    ],
)
async def test_invalid_plans_are_refused(api: Api, changes: dict[str, object]) -> None:
    operator = await api.operator()
    response = await api.client.post(PLANS, json=plan_body(**changes), headers=operator.headers)
    assert_problem(response, 422, "validation-error")


async def test_operator_changes_retires_and_deletes_plans(api: Api) -> None:
    operator = await api.operator()
    plan = await create_plan(api, group_prices=[{"group": "senior", "price_cents": 6000}])
    other = await create_plan(api, name="Tagespass", period="day", included_days=1)
    path = f"{PLANS}/{plan['id']}"

    duplicate = await api.client.post(PLANS, json=plan_body(), headers=operator.headers)
    assert_problem(duplicate, 409, "conflict")
    renamed = await api.client.patch(
        f"{PLANS}/{other['id']}", json={"name": "10er-Karte"}, headers=operator.headers
    )
    assert_problem(renamed, 409, "conflict")
    changed = await api.client.patch(
        path,
        json={
            "included_days": None,
            "group_prices": [{"group": "job_seeker", "price_cents": 5000}],
        },
        headers=operator.headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["included_days"], changed.json()["group_prices"]) == (
        None,
        [{"group": "job_seeker", "price_cents": 5000}],
    )
    assert_problem(
        await api.client.patch(path, json={"price_cents": None}, headers=operator.headers),
        422,
        "validation-error",
    )

    subscriber = await api.member()
    assert (await subscribe(api, subscriber, plan["id"])).status_code == 201
    assert_problem(await api.client.delete(path, headers=operator.headers), 409, "conflict")
    retired = await api.client.patch(path, json={"active": False}, headers=operator.headers)
    assert retired.json()["active"] is False
    public = await api.client.get(PLANS)
    assert [item["id"] for item in public.json()["items"]] == [other["id"]]
    assert_problem(await api.client.get(path), 404, "not-found")
    everything = await api.client.get(PLANS, headers=operator.headers)
    assert everything.json()["total"] == 2
    assert_problem(await subscribe(api, subscriber, plan["id"]), 409, "conflict")

    gone = await api.client.delete(f"{PLANS}/{other['id']}", headers=operator.headers)
    assert gone.status_code == 204
    assert_problem(await api.client.get(f"{PLANS}/{other['id']}"), 404, "not-found")


async def test_membership_applies_the_social_tariff(api: Api) -> None:
    plan = await create_plan(
        api,
        name="Flex-Monat",
        period="month",
        price_cents=14900,
        included_days=12,
        group_prices=[
            {"group": "parent", "price_cents": 7900},
            {"group": "job_seeker", "price_cents": 6900},
        ],
    )
    parent = await api.member(groups=["parent", "job_seeker"])
    await verify_groups(api, parent, ["parent", "job_seeker"])
    freelancer = await api.member(groups=["freelancer"])

    created = await subscribe(api, parent, plan["id"], starts_on="2030-01-31")
    plain = await subscribe(api, freelancer, plan["id"])

    assert created.status_code == 201, created.text
    assert {key: value for key, value in created.json().items() if key != "id"} == {
        "plan_id": plan["id"],
        "plan_name": "Flex-Monat",
        "period": "month",
        "starts_on": "2030-01-31",
        "ends_on": "2030-02-28",
        "price_cents": 6900,
        "included_days": 12,
        "used_days": 0,
        "remaining_days": 12,
        "created_at": "2030-01-07T07:00:00Z",
    }
    assert (plain.json()["starts_on"], plain.json()["ends_on"]) == ("2030-01-07", "2030-02-06")
    assert plain.json()["price_cents"] == 14900
    assert await memberships(api, parent) == [created.json()]


async def verify_groups(api: Api, member: Member, groups: list[str]) -> None:
    operator = await api.operator()
    response = await api.client.patch(
        f"/api/v1/members/{member.id}", json={"verified_groups": groups}, headers=operator.headers
    )
    assert response.status_code == 200, response.text


async def test_declaring_a_group_oneself_never_lowers_the_price(api: Api) -> None:
    plan = await create_plan(
        api,
        name="Flex-Monat",
        period="month",
        price_cents=3000,
        included_days=None,
        group_prices=[
            {"group": "parent", "price_cents": 100},
            {"group": "senior", "price_cents": 1500},
        ],
    )
    member = await api.member(groups=["freelancer"])
    changed = await api.client.patch(
        "/api/v1/me", json={"groups": ["freelancer", "parent"]}, headers=member.headers
    )
    assert changed.status_code == 200, changed.text

    january = await subscribe(api, member, plan["id"])
    assert january.json()["price_cents"] == 3000

    await verify_groups(api, member, ["parent"])
    february = await subscribe(api, member, plan["id"], starts_on="2030-02-07")
    assert february.json()["price_cents"] == 100

    # Dropping the confirmed group and declaring another does not keep the reduction.
    await api.client.patch(
        "/api/v1/me", json={"groups": ["freelancer", "senior"]}, headers=member.headers
    )
    march = await subscribe(api, member, plan["id"], starts_on="2030-03-07")
    assert march.json()["price_cents"] == 3000


async def test_a_member_holds_one_membership_of_a_plan_at_a_time(api: Api) -> None:
    month = await create_plan(api, name="Flex-Monat", period="month", included_days=None)
    pack = await create_plan(api)
    member, other = await api.member(), await api.member()
    first = await subscribe(api, member, month["id"])
    assert (first.json()["starts_on"], first.json()["ends_on"]) == ("2030-01-07", "2030-02-06")

    overlapping = await subscribe(api, member, month["id"], starts_on="2030-02-06")
    body = assert_problem(overlapping, 409, "conflict")
    assert "Flex-Monat" in body["detail"]
    assert (await subscribe(api, member, month["id"], starts_on="2030-02-07")).status_code == 201
    assert (await subscribe(api, member, pack["id"])).status_code == 201
    assert (await subscribe(api, other, month["id"])).status_code == 201
    assert len(await memberships(api, member)) == 3


async def test_concurrent_subscriptions_to_one_plan_make_one_membership(api: Api) -> None:
    plan = await create_plan(api)
    member = await api.member()

    answers = await asyncio.gather(*(subscribe(api, member, plan["id"]) for _ in range(8)))

    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 7
    assert len(await memberships(api, member)) == 1


async def test_membership_periods_and_refusals(api: Api) -> None:
    member = await api.member()
    day = await create_plan(api, name="Tagespass", period="day", included_days=1)
    pack = await create_plan(api)

    day_pass = await subscribe(api, member, day["id"], starts_on="2030-01-09")
    card = await subscribe(api, member, pack["id"])
    assert (day_pass.json()["starts_on"], day_pass.json()["ends_on"]) == (
        "2030-01-09",
        "2030-01-09",
    )
    assert (card.json()["starts_on"], card.json()["ends_on"]) == ("2030-01-07", "2031-01-06")
    assert [m["id"] for m in await memberships(api, member)] == [
        card.json()["id"],
        day_pass.json()["id"],
    ]

    assert_problem(await subscribe(api, member, str(uuid.uuid4())), 404, "not-found")
    assert_problem(
        await subscribe(api, member, pack["id"], starts_on="2030-01-06"), 422, "validation-error"
    )
    assert_problem(
        await subscribe(api, member, pack["id"], starts_on="2031-01-09"), 422, "validation-error"
    )
    assert_problem(await subscribe(api, member, pack["id"], price_cents=0), 422, "validation-error")
    anonymous = await api.client.post(MEMBERSHIPS, json={"plan_id": pack["id"]})
    assert_problem(anonymous, 401, "not-authenticated")


async def test_location_default_plan_is_set_by_operators(api: Api) -> None:
    location = await api.location()
    plan = await create_plan(
        api, name="Pilot-Testphase", price_cents=0, period="month", included_days=None
    )
    path = f"/api/v1/locations/{location['id']}/default-plan"

    assert (await api.client.get(path)).json() == {"location_id": location["id"], "plan": None}
    member = await api.member()
    refused = await api.client.put(path, json={"plan_id": plan["id"]}, headers=member.headers)
    assert_problem(refused, 403, "forbidden")
    assert_problem(
        await set_default_plan(api, location["id"], str(uuid.uuid4())), 422, "validation-error"
    )
    assert (await set_default_plan(api, location["id"], plan["id"])).status_code == 200

    assert (await api.client.get(path)).json() == {"location_id": location["id"], "plan": plan}
    operator = await api.operator()
    in_use = await api.client.delete(f"{PLANS}/{plan['id']}", headers=operator.headers)
    assert_problem(in_use, 409, "conflict")
    assert (await set_default_plan(api, location["id"], None)).json()["plan"] is None
    assert_problem(
        await api.client.get(f"/api/v1/locations/{uuid.uuid4()}/default-plan"), 404, "not-found"
    )
