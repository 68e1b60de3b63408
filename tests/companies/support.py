"""Helpers for company tests: companies, invitations and employees through the HTTP API."""

from typing import Any

import httpx

from tests.factories import Api, Member

COMPANIES = "/api/v1/companies"
ACCEPT = "/api/v1/invitations/accept"


async def register_company(api: Api, admin: Member, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Havelland Software GmbH",
        "contact_email": "Kontakt@Havelland.example.org",
        "seats_requested": 3,
    }
    body.update(overrides)
    response = await api.client.post(COMPANIES, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def set_company(api: Api, company_id: str, **changes: Any) -> dict[str, Any]:
    """The operator changes the company (status, seats, ...)."""
    operator = await api.operator()
    response = await api.client.patch(
        f"{COMPANIES}/{company_id}", json=changes, headers=operator.headers
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def active_company(api: Api, admin: Member, seats: int) -> dict[str, Any]:
    company = await register_company(api, admin)
    return await set_company(api, company["id"], status="active", seats=seats)


async def invite(api: Api, by: Member, company_id: str, email: str) -> httpx.Response:
    return await api.client.post(
        f"{COMPANIES}/{company_id}/invitations", json={"email": email}, headers=by.headers
    )


async def token_for(api: Api, by: Member, company_id: str, email: str) -> str:
    response = await invite(api, by, company_id, email)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


async def accept(api: Api, member: Member, token: str) -> httpx.Response:
    return await api.client.post(ACCEPT, json={"token": token}, headers=member.headers)


async def employee(api: Api, admin: Member, company_id: str, **overrides: Any) -> Member:
    """A new member who accepted an invitation of the company."""
    member = await api.member(**overrides)
    accepted = await accept(api, member, await token_for(api, admin, company_id, member.email))
    assert accepted.status_code == 200, accepted.text
    return member


async def usage(api: Api, caller: Member, company_id: str, first: str, last: str) -> httpx.Response:
    return await api.client.get(
        f"{COMPANIES}/{company_id}/usage",
        params={"from": first, "to": last},
        headers=caller.headers,
    )
