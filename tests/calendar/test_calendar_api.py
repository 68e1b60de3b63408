"""The member's secret iCalendar feed."""

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI
from icalendar import Calendar

from tests.factories import Api, assert_problem, local


async def _feed_path(api: Api, headers: dict[str, str]) -> str:
    response = await api.client.get("/api/v1/me/calendar-feed", headers=headers)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    assert url.startswith("http://test/api/v1/calendar/")
    assert url.endswith(".ics")
    return url.removeprefix("http://test")


async def _events(client: httpx.AsyncClient, path: str) -> list[dict[str, object]]:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [
        {
            "summary": str(event["summary"]),
            "location": str(event["location"]),
            "start": event.decoded("dtstart").astimezone(UTC),
            "tzid": event["dtstart"].params.get("TZID"),
        }
        for event in calendar.walk("VEVENT")
    ]


async def test_feed_serves_active_bookings_with_address_and_zone(api: Api) -> None:
    location = await api.location(address="Bernauer Straße 52, 16515 Oranienburg")
    desk = await api.desk(location["id"], name="Platz am Fenster")
    member = await api.member()
    kept = await api.book(
        member, desk["id"], local("2030-01-08", "09:00"), local("2030-01-08", "12:00")
    )
    cancelled = await api.book(
        member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "12:00")
    )
    assert kept.status_code == cancelled.status_code == 201
    await api.client.post(
        f"/api/v1/bookings/{cancelled.json()['id']}/cancel", headers=member.headers
    )
    other = await api.member()
    await api.book(other, desk["id"], local("2030-01-10", "09:00"), local("2030-01-10", "12:00"))

    events = await _events(api.client, await _feed_path(api, member.headers))

    assert events == [
        {
            "summary": f"Platz am Fenster – {location['name']}",
            "location": "Bernauer Straße 52, 16515 Oranienburg",
            "start": datetime(2030, 1, 8, 8, 0, tzinfo=UTC),
            "tzid": "Europe/Berlin",
        }
    ]
    body = (await api.client.get(await _feed_path(api, member.headers))).text
    assert "BEGIN:VTIMEZONE" in body


async def test_the_url_is_stable_until_rotated(api: Api) -> None:
    member = await api.member()
    first = await _feed_path(api, member.headers)
    assert await _feed_path(api, member.headers) == first

    rotated = await api.client.post("/api/v1/me/calendar-feed/rotate", headers=member.headers)
    assert rotated.status_code == 200
    new = rotated.json()["url"].removeprefix("http://test")

    assert new != first
    assert_problem(await api.client.get(first), 404, "not-found")
    assert (await api.client.get(new)).status_code == 200


async def test_revoked_feed_stops_working(api: Api) -> None:
    member = await api.member()
    path = await _feed_path(api, member.headers)
    revoked = await api.client.delete("/api/v1/me/calendar-feed", headers=member.headers)
    assert revoked.status_code == 204
    assert_problem(await api.client.get(path), 404, "not-found")


async def test_deactivated_member_feed_is_gone(api: Api) -> None:
    member = await api.member()
    path = await _feed_path(api, member.headers)
    operator = await api.operator()
    await api.client.patch(
        f"/api/v1/members/{member.id}", json={"active": False}, headers=operator.headers
    )
    assert_problem(await api.client.get(path), 404, "not-found")


async def test_unknown_or_malformed_token(api: Api) -> None:
    assert_problem(await api.client.get(f"/api/v1/calendar/{'A' * 43}.ics"), 404, "not-found")
    assert_problem(await api.client.get("/api/v1/calendar/short.ics"), 422, "validation-error")


async def test_feed_needs_a_signed_in_member(api: Api) -> None:
    assert_problem(await api.client.get("/api/v1/me/calendar-feed"), 401, "not-authenticated")


async def test_the_feed_url_comes_from_the_public_base_url_whatever_the_host(
    api: Api, app: FastAPI
) -> None:
    app.state.settings.public_base_url = "https://coworking.example.org/pilot"
    member = await api.member()
    hostile = {**member.headers, "Host": "evil.example", "X-Forwarded-Host": "evil.example"}

    read = await api.client.get("/api/v1/me/calendar-feed", headers=hostile)
    rotated = await api.client.post("/api/v1/me/calendar-feed/rotate", headers=hostile)

    for answer in (read, rotated):
        assert answer.status_code == 200, answer.text
        assert answer.json()["url"].startswith(
            "https://coworking.example.org/pilot/api/v1/calendar/"
        )
    path = rotated.json()["url"].removeprefix("https://coworking.example.org/pilot")
    assert (await api.client.get(path)).status_code == 200


async def test_without_a_public_base_url_the_feed_url_comes_from_the_request(api: Api) -> None:
    member = await api.member()

    response = await api.client.get(
        "/api/v1/me/calendar-feed", headers={**member.headers, "Host": "localhost:8000"}
    )

    assert response.json()["url"].startswith("http://localhost:8000/api/v1/calendar/")
