"""Helpers for plan tests."""

from typing import Any

import httpx

from tests.factories import Api, Member

PLANS = "/api/v1/plans"
MEMBERSHIPS = "/api/v1/me/memberships"


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "10er-Karte",
        "description": "Zehn Tage",
        "price_cents": 12000,
        "period": "pack",
        "included_days": 10,
        "group_prices": [],
    }
    body.update(overrides)
    return body


async def create_plan(api: Api, **overrides: Any) -> dict[str, Any]:
    operator = await api.operator()
    response = await api.client.post(PLANS, json=plan_body(**overrides), headers=operator.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def subscribe(api: Api, member: Member, plan_id: str, **extra: Any) -> httpx.Response:
    return await api.client.post(
        MEMBERSHIPS, json={"plan_id": plan_id, **extra}, headers=member.headers
    )


async def memberships(api: Api, member: Member) -> list[dict[str, Any]]:
    response = await api.client.get(MEMBERSHIPS, headers=member.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def set_default_plan(api: Api, location_id: str, plan_id: str | None) -> httpx.Response:
    operator = await api.operator()
    return await api.client.put(
        f"/api/v1/locations/{location_id}/default-plan",
        json={"plan_id": plan_id},
        headers=operator.headers,
    )
