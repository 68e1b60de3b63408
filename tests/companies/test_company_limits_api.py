"""Abuse limits: pending companies per member and invitations per company and day, exact
under concurrent requests."""

import asyncio
from datetime import timedelta

import httpx

from app.core import clock
from tests.companies.support import COMPANIES, invite, register_company, set_company
from tests.conftest import NOW
from tests.factories import Api, Member, assert_problem

DAY = 24 * 60 * 60


async def _register(api: Api, admin: Member, name: str) -> httpx.Response:
    body = {"name": name, "contact_email": "kontakt@example.org", "seats_requested": 1}
    return await api.client.post(COMPANIES, json=body, headers=admin.headers)


async def test_a_member_registers_at_most_three_pending_companies(api: Api) -> None:
    founder = await api.member()
    first, _, _ = [await register_company(api, founder, name=f"Firma {n}") for n in range(3)]

    body = assert_problem(await _register(api, founder, "Firma 4"), 409, "conflict")
    assert "pending" in body["detail"]
    listed = await api.client.get(COMPANIES, headers=founder.headers)
    assert listed.json()["total"] == 3

    # Decided companies no longer count; other members are not affected.
    await set_company(api, first["id"], status="active", seats=1)
    assert (await _register(api, founder, "Firma 4")).status_code == 201
    assert (await _register(api, await api.member(), "Firma 5")).status_code == 201


async def test_concurrent_registrations_create_at_most_three_pending_companies(api: Api) -> None:
    founder = await api.member()

    answers = await asyncio.gather(*(_register(api, founder, f"Firma {n}") for n in range(10)))

    assert sorted(answer.status_code for answer in answers) == [201] * 3 + [409] * 7
    listed = await api.client.get(COMPANIES, headers=founder.headers)
    assert listed.json()["total"] == 3


async def test_a_company_sends_at_most_50_invitations_in_24_hours(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    first = await invite(api, admin, company["id"], "erste@example.org")
    assert first.status_code == 201
    clock.set_now(NOW + timedelta(hours=1))
    for n in range(48):
        assert (await invite(api, admin, company["id"], f"p{n}@example.org")).status_code == 201
    # A withdrawn invitation still counts.
    withdrawn = await invite(api, admin, company["id"], "zurueck@example.org")
    path = f"{COMPANIES}/{company['id']}/invitations/{withdrawn.json()['id']}"
    assert (await api.client.delete(path, headers=admin.headers)).status_code == 204

    clock.set_now(NOW + timedelta(hours=2))
    refused = await invite(api, admin, company["id"], "zuviel@example.org")

    assert_problem(refused, 429, "rate-limited")
    assert int(refused.headers["Retry-After"]) == DAY - 2 * 60 * 60
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert listed.json()["total"] == 49
    # Once the first invitation is 24 hours old, one more may go out; then none again.
    clock.set_now(NOW + timedelta(hours=24, seconds=1))
    assert (await invite(api, admin, company["id"], "morgen@example.org")).status_code == 201
    again = await invite(api, admin, company["id"], "nochmal@example.org")
    assert_problem(again, 429, "rate-limited")
    assert int(again.headers["Retry-After"]) == 60 * 60 - 1


async def test_concurrent_invitations_stop_at_50(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    await set_company(api, company["id"], status="active", seats=1)

    answers = await asyncio.gather(
        *(invite(api, admin, company["id"], f"p{n}@example.org") for n in range(60))
    )

    assert sorted(answer.status_code for answer in answers) == [201] * 50 + [429] * 10
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert listed.json()["total"] == 50
