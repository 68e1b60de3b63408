"""Booking on pages (DESIGN §10): /book shows a location's day and books through the API's
service; /bookings lists and acts; /check-in/{desk_id} is what a desk's QR code opens."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from app.core import clock
from tests.conftest import NOW
from tests.factories import Api, Member, at_local, booked
from tests.web.support import alerts, csrf_token, sign_in

#: NOW is Monday 2030-01-07 08:00 in Berlin; the next day is bookable.
TOMORROW = date(2030, 1, 8)


async def _bookings(api: Api, member: Member) -> list[dict[str, Any]]:
    answer = await api.client.get("/api/v1/me/bookings", headers=member.headers)
    assert answer.status_code == 200
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def _post_booking(
    client: httpx.AsyncClient, location_id: str, day: date, **fields: str
) -> httpx.Response:
    form = await client.get(f"/book?location_id={location_id}&date={day.isoformat()}")
    assert form.status_code == 200, form.text
    return await client.post(
        "/book",
        data={
            "csrf_token": csrf_token(form),
            "location_id": location_id,
            "date": day.isoformat(),
            **fields,
        },
    )


@pytest.fixture
async def place(api: Api) -> dict[str, Any]:
    location = await api.location()
    desk = await api.desk(location["id"], name="Fensterplatz")
    return {"location": location, "desk": desk}


async def test_booking_from_the_form_shows_the_outcome_in_local_time(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    day_page = await client.get(f"/book?location_id={place['location']['id']}&date=2030-01-08")
    assert "Fensterplatz" in day_page.text
    assert "08:00–20:00" in day_page.text
    answer = await _post_booking(
        client,
        place["location"]["id"],
        TOMORROW,
        desk_id=place["desk"]["id"],
        start="10:00",
        end="12:00",
    )
    assert answer.status_code == 303
    outcome = await client.get(answer.headers["location"])
    assert "Gebucht: Fensterplatz" in outcome.text
    assert "10:00–12:00" in outcome.text
    [stored] = await _bookings(api, member)
    assert stored["start"] == "2030-01-08T09:00:00Z"  # 10:00 in Berlin's winter time
    assert stored["end"] == "2030-01-08T11:00:00Z"
    # The day page now shows the desk busy then.
    again = await client.get(f"/book?location_id={place['location']['id']}&date=2030-01-08")
    assert "10:00–12:00" in again.text


async def test_a_second_press_of_the_same_form_books_once(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    form = await client.get(f"/book?location_id={place['location']['id']}&date=2030-01-08")
    key = form.text.split('name="idempotency_key" value="')[1].split('"')[0]
    data = {
        "csrf_token": csrf_token(form),
        "location_id": place["location"]["id"],
        "date": "2030-01-08",
        "desk_id": place["desk"]["id"],
        "start": "10:00",
        "end": "12:00",
        "idempotency_key": key,
    }
    first, second = await client.post("/book", data=data), await client.post("/book", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(await _bookings(api, member)) == 1


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "Der Platz ist in dieser Zeit schon (teilweise) gebucht."),
        ("en", "The desk is already booked for part of this time."),
    ],
)
async def test_a_refused_booking_shows_the_problem_in_the_pages_language(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any], lang: str, expected: str
) -> None:
    other = await api.member()
    await booked(api, other, place["desk"]["id"], TOMORROW, "09:00", "11:00")
    member = await api.member()
    await sign_in(client, member.email)
    await client.get(f"/?lang={lang}")
    answer = await _post_booking(
        client,
        place["location"]["id"],
        TOMORROW,
        desk_id=place["desk"]["id"],
        start="10:00",
        end="12:00",
    )
    assert answer.status_code == 409
    assert expected in alerts(answer)
    assert await _bookings(api, member) == []


async def test_outside_the_opening_hours_names_the_day_in_the_locale(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    answer = await _post_booking(
        client,
        place["location"]["id"],
        TOMORROW,
        desk_id=place["desk"]["id"],
        start="19:00",
        end="21:00",
    )
    assert answer.status_code == 422
    assert any("am 08.01.2030" in message for message in alerts(answer)), alerts(answer)


@pytest.mark.parametrize(
    ("fields", "field_message"),
    [
        ({"start": "zehn", "end": "12:00"}, "Geben Sie den Beginn als Uhrzeit ein"),
        ({"start": "10:00", "end": "25:00"}, "Geben Sie das Ende als Uhrzeit ein"),
        ({"start": "10:00", "end": "12:00", "desk_id": "x"}, "Wählen Sie einen Platz"),
    ],
)
async def test_unreadable_entries_are_named_on_their_fields(
    api: Api,
    client: httpx.AsyncClient,
    place: dict[str, Any],
    fields: dict[str, str],
    field_message: str,
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    answer = await _post_booking(
        client, place["location"]["id"], TOMORROW, **{"desk_id": place["desk"]["id"], **fields}
    )
    assert answer.status_code == 422
    assert any(field_message in message for message in alerts(answer)), alerts(answer)
    assert await _bookings(api, member) == []


async def test_book_without_location_shows_the_first_and_today(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    page = await client.get("/book?lang=en")
    assert page.status_code == 200
    assert "Monday, January 7, 2030" in page.text
    assert (await client.get("/book?location_id=nope")).status_code == 404
    unreadable = await client.get(f"/book?location_id={place['location']['id']}&date=2030-02-31")
    assert unreadable.status_code == 200
    assert alerts(unreadable)


async def test_cancel_check_in_and_check_out_from_my_bookings(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    later = await booked(api, member, place["desk"]["id"], TOMORROW, "10:00", "12:00")
    now = await booked(api, member, place["desk"]["id"], NOW.date(), "08:00", "10:00")
    await sign_in(client, member.email)
    listing = await client.get("/bookings")
    token = csrf_token(listing)
    assert f"/bookings/{later['id']}/cancel" in listing.text
    assert f"/bookings/{later['id']}/check-in" not in listing.text  # not in its window yet
    assert f"/bookings/{now['id']}/check-in" in listing.text
    cancelled = await client.post(f"/bookings/{later['id']}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303
    assert "Storniert" in (await client.get(cancelled.headers["location"])).text
    checked_in = await client.post(f"/bookings/{now['id']}/check-in", data={"csrf_token": token})
    assert checked_in.status_code == 303
    clock.set_now(NOW + timedelta(hours=1))
    out = await client.post(f"/bookings/{now['id']}/check-out", data={"csrf_token": token})
    assert out.status_code == 303
    statuses = {item["id"]: item["status"] for item in await _bookings(api, member)}
    assert statuses == {later["id"]: "cancelled", now["id"]: "completed"}


async def test_another_members_booking_cannot_be_touched(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    owner = await api.member()
    theirs = await booked(api, owner, place["desk"]["id"], TOMORROW, "10:00", "12:00")
    intruder = await api.member()
    await sign_in(client, intruder.email)
    token = csrf_token(await client.get("/bookings"))
    answer = await client.post(f"/bookings/{theirs['id']}/cancel", data={"csrf_token": token})
    assert answer.status_code == 404
    assert [item["status"] for item in await _bookings(api, owner)] == ["confirmed"]
    # The outcome notice does not show another member's booking either.
    peek = await client.get(f"/bookings?done=booked&booking={theirs['id']}")
    assert "Gebucht" not in peek.text


async def test_cancelling_after_the_start_shows_why_not(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    booking = await booked(api, member, place["desk"]["id"], NOW.date(), "08:00", "10:00")
    await sign_in(client, member.email)
    token = csrf_token(await client.get("/bookings"))
    clock.set_now(NOW + timedelta(minutes=5))
    answer = await client.post(f"/bookings/{booking['id']}/cancel", data={"csrf_token": token})
    assert answer.status_code == 409
    assert "Die Buchung hat begonnen und kann nicht mehr storniert werden." in alerts(answer)


async def test_the_qr_page_checks_in_after_sign_in(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await booked(api, member, place["desk"]["id"], NOW.date(), "08:00", "10:00")
    path = f"/check-in/{place['desk']['id']}"
    anonymous = await client.get(path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=%2Fcheck-in%2F")
    await sign_in(client, member.email)
    answer = await client.get(path)
    assert answer.status_code == 200
    assert "Eingecheckt: Fensterplatz, 08:00–10:00" in answer.text
    [stored] = await _bookings(api, member)
    assert stored["status"] == "checked_in"
    assert "Sie sind eingecheckt" in (await client.get(path)).text


async def test_the_qr_page_says_when_check_in_opens(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await booked(api, member, place["desk"]["id"], NOW.date(), "14:00", "16:00")
    await sign_in(client, member.email)
    answer = await client.get(f"/check-in/{place['desk']['id']}")
    assert answer.status_code == 409
    assert "Einchecken ist ab 13:45 möglich." in alerts(answer)
    nothing = await client.get(f"/check-in/{(await api.desk(place['location']['id']))['id']}")
    assert any("keine Buchung" in message for message in alerts(nothing))


async def test_a_link_from_another_site_only_offers_the_button(
    api: Api, client: httpx.AsyncClient, place: dict[str, Any]
) -> None:
    member = await api.member()
    await booked(api, member, place["desk"]["id"], NOW.date(), "08:00", "10:00")
    await sign_in(client, member.email)
    path = f"/check-in/{place['desk']['id']}"
    offered = await client.get(path, headers={"Sec-Fetch-Site": "cross-site"})
    assert offered.status_code == 200
    [stored] = await _bookings(api, member)
    assert stored["status"] == "confirmed"
    done = await client.post(path, data={"csrf_token": csrf_token(offered)})
    assert "Eingecheckt" in done.text
    [stored] = await _bookings(api, member)
    assert stored["status"] == "checked_in"


async def test_the_qr_page_of_an_unknown_desk_is_a_404(api: Api, client: httpx.AsyncClient) -> None:
    member = await api.member()
    await sign_in(client, member.email)
    assert (await client.get("/check-in/not-a-desk")).status_code == 404
    assert (await client.get(f"/check-in/{'0' * 8}-0000-0000-0000-{'0' * 12}")).status_code == 404


async def test_times_follow_the_locations_zone(api: Api, client: httpx.AsyncClient) -> None:
    location = await api.location(timezone="Europe/London")
    desk = await api.desk(location["id"], name="London desk")
    member = await api.member()
    clock.set_now(at_local(TOMORROW, "07:00"))
    await sign_in(client, member.email)
    answer = await _post_booking(
        client, location["id"], TOMORROW, desk_id=desk["id"], start="10:00", end="11:00"
    )
    assert answer.status_code == 303, alerts(answer)
    [stored] = await _bookings(api, member)
    assert stored["start"] == "2030-01-08T10:00:00Z"
