"""Small typed helpers that build test data through the HTTP API."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

OPERATOR_EMAIL = "operator@ohv-coworking.example.org"
OPERATOR_PASSWORD = "operator-password-123"
PASSWORD = "correct horse battery"
BERLIN = ZoneInfo("Europe/Berlin")
PROBLEM = "https://ohv-coworking.example/problems/"
ALL_WEEK = [{"weekday": day, "opens": "08:00", "closes": "20:00"} for day in range(7)]

_sequence = itertools.count(1)


def local(day: date | str, hhmm: str, zone: ZoneInfo = BERLIN) -> str:
    """An ISO instant with offset for a wall-clock time of a Berlin day."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone).isoformat()


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and slug."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == PROBLEM + slug, body
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


@dataclass
class Member:
    id: str
    email: str
    headers: dict[str, str]
    body: dict[str, Any]
    refresh_token: str


class Api:
    """The pilot's API as a test talks to it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._operator: Member | None = None

    async def register(self, **overrides: Any) -> httpx.Response:
        body: dict[str, Any] = {
            "email": f"member{next(_sequence)}@example.org",
            "password": PASSWORD,
            "full_name": "Test Member",
            "groups": ["freelancer"],
            "home_municipality": "Oranienburg",
        }
        body.update(overrides)
        return await self.client.post("/api/v1/auth/register", json=body)

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return await self.client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )

    async def member(self, role: str = "member", **overrides: Any) -> Member:
        """A registered, signed-in member (promoted by the operator for other roles)."""
        registered = await self.register(**overrides)
        assert registered.status_code == 201, registered.text
        body = registered.json()
        if role != "member":
            operator = await self.operator()
            changed = await self.client.patch(
                f"/api/v1/members/{body['id']}", json={"role": role}, headers=operator.headers
            )
            assert changed.status_code == 200, changed.text
            body = changed.json()
        return await self._signed_in(body, overrides.get("password", PASSWORD))

    async def _signed_in(self, body: dict[str, Any], password: str) -> Member:
        tokens = await self.login(body["email"], password)
        assert tokens.status_code == 200, tokens.text
        pair = tokens.json()
        return Member(
            id=body["id"],
            email=body["email"],
            headers={"Authorization": f"Bearer {pair['access_token']}"},
            body=body,
            refresh_token=pair["refresh_token"],
        )

    async def operator(self) -> Member:
        """The bootstrap operator, signed in."""
        if self._operator is None:
            tokens = await self.login(OPERATOR_EMAIL, OPERATOR_PASSWORD)
            assert tokens.status_code == 200, tokens.text
            me = await self.client.get(
                "/api/v1/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"}
            )
            self._operator = Member(
                id=me.json()["id"],
                email=OPERATOR_EMAIL,
                headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
                body=me.json(),
                refresh_token=tokens.json()["refresh_token"],
            )
        return self._operator

    async def location(self, **overrides: Any) -> dict[str, Any]:
        """A Berlin location, open every day 08:00–20:00 unless told otherwise."""
        body: dict[str, Any] = {
            "name": f"Standort {next(_sequence)}",
            "municipality": "Oranienburg",
            "address": "Bernauer Straße 1, 16515 Oranienburg",
            "timezone": "Europe/Berlin",
            "opening_hours": ALL_WEEK,
        }
        body.update(overrides)
        operator = await self.operator()
        response = await self.client.post("/api/v1/locations", json=body, headers=operator.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def desk(self, location_id: str, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "location_id": location_id,
            "name": f"Platz {next(_sequence)}",
            "kind": "desk",
            "features": [],
        }
        body.update(overrides)
        operator = await self.operator()
        response = await self.client.post("/api/v1/desks", json=body, headers=operator.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def book(
        self,
        member: Member,
        desk_id: str,
        start: str,
        end: str,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/bookings",
            json={"desk_id": desk_id, "start": start, "end": end, **extra},
            headers={**member.headers, **(headers or {})},
        )


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


async def booked(
    api: Api, member: Member, desk_id: str, day: date | str, opens: str, closes: str
) -> dict[str, Any]:
    """A booking of a local ``day`` from ``opens`` to ``closes`` that must succeed."""
    response = await api.book(member, desk_id, local(day, opens), local(day, closes))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def close_day(
    api: Api, location_id: str, day: date | str, reason: str = "Betriebsferien"
) -> httpx.Response:
    """The operator closes the location for a local day."""
    operator = await api.operator()
    return await api.client.post(
        f"/api/v1/locations/{location_id}/closures",
        json={"date": str(day), "reason": reason},
        headers=operator.headers,
    )


def at_local(day: date | str, hhmm: str, zone: ZoneInfo = BERLIN) -> datetime:
    """The aware instant of a wall-clock time of a local day (for ``clock.set_now``)."""
    return datetime.fromisoformat(local(day, hhmm, zone))


async def booking_action(
    api: Api, member: Member, booking: dict[str, Any], action: str
) -> dict[str, Any]:
    """``cancel``, ``check-in`` or ``check-out`` a booking as ``member``; must succeed."""
    response = await api.client.post(
        f"/api/v1/bookings/{booking['id']}/{action}", headers=member.headers
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def stats(api: Api, member: Member | None, endpoint: str, **params: str) -> httpx.Response:
    """``GET /api/v1/stats/<endpoint>`` as ``member`` (anonymous with ``None``)."""
    return await api.client.get(
        f"/api/v1/stats/{endpoint}",
        params=params,
        headers=member.headers if member is not None else {},
    )
