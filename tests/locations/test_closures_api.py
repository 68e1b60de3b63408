"""Closure days: public list, operator create/delete, bookings of the day cancelled."""

import uuid
from zoneinfo import ZoneInfo

from app.core import clock
from tests.factories import Api, assert_problem, at_local, booked, booking_action, close_day, local

LOCATIONS = "/api/v1/locations"
#: The frozen clock's day (tests/conftest.py NOW: 08:00 in Berlin).
MONDAY = "2030-01-07"
TUESDAY = "2030-01-08"
WEDNESDAY = "2030-01-09"


def closures_of(location_id: str) -> str:
    return f"{LOCATIONS}/{location_id}/closures"


async def status_of(api: Api, booking_id: str) -> str:
    operator = await api.operator()
    response = await api.client.get(f"/api/v1/bookings/{booking_id}", headers=operator.headers)
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


async def test_operator_closes_a_day(api: Api) -> None:
    location = await api.location()

    response = await close_day(api, location["id"], TUESDAY, "Stadtfest")

    assert response.status_code == 201, response.text
    body = response.json()
    assert uuid.UUID(body["id"])
    assert body == {
        "id": body["id"],
        "location_id": location["id"],
        "date": TUESDAY,
        "reason": "Stadtfest",
        "cancelled_bookings": 0,
    }


async def test_anyone_lists_closures_ordered_by_date(api: Api) -> None:
    location = await api.location()
    later = (await close_day(api, location["id"], "2030-02-01", "Inventur")).json()
    sooner = (await close_day(api, location["id"], TUESDAY, "Stadtfest")).json()

    response = await api.client.get(closures_of(location["id"]))

    assert response.status_code == 200, response.text
    del later["cancelled_bookings"], sooner["cancelled_bookings"]
    assert response.json() == {"items": [sooner, later], "total": 2, "limit": 50, "offset": 0}


async def test_closures_list_only_the_location_own(api: Api) -> None:
    location = await api.location()
    other = await api.location()
    await close_day(api, other["id"], TUESDAY)

    response = await api.client.get(closures_of(location["id"]))

    assert response.json()["items"] == []


async def test_closures_of_an_unknown_location_are_404(api: Api) -> None:
    response = await api.client.get(closures_of(str(uuid.uuid4())))

    assert_problem(response, 404, "not-found")


async def test_member_may_not_close_a_day(api: Api) -> None:
    location = await api.location()
    member = await api.member()

    response = await api.client.post(
        closures_of(location["id"]),
        json={"date": TUESDAY, "reason": "Ich will frei"},
        headers=member.headers,
    )

    assert_problem(response, 403, "forbidden")


async def test_anonymous_caller_may_not_close_a_day(api: Api) -> None:
    location = await api.location()

    response = await api.client.post(
        closures_of(location["id"]), json={"date": TUESDAY, "reason": "Stadtfest"}
    )

    assert_problem(response, 401, "not-authenticated")


async def test_closing_the_same_day_twice_is_409(api: Api) -> None:
    location = await api.location()
    await close_day(api, location["id"], TUESDAY)

    response = await close_day(api, location["id"], TUESDAY, "Noch einmal")

    assert_problem(response, 409, "conflict")


async def test_the_same_day_may_be_closed_at_two_locations(api: Api) -> None:
    first = await api.location()
    second = await api.location()
    await close_day(api, first["id"], TUESDAY)

    response = await close_day(api, second["id"], TUESDAY)

    assert response.status_code == 201, response.text


async def test_an_impossible_date_is_refused(api: Api) -> None:
    location = await api.location()

    response = await close_day(api, location["id"], "2030-02-30")

    assert_problem(response, 422, "validation-error")


async def test_closing_a_day_cancels_its_active_bookings(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    other_desk = await api.desk(location["id"])
    morning = await booked(api, await api.member(), desk["id"], TUESDAY, "08:00", "12:00")
    evening = await booked(api, await api.member(), other_desk["id"], TUESDAY, "16:00", "20:00")

    response = await close_day(api, location["id"], TUESDAY)

    assert response.json()["cancelled_bookings"] == 2
    assert await status_of(api, morning["id"]) == "cancelled"
    assert await status_of(api, evening["id"]) == "cancelled"


async def test_closing_a_day_leaves_other_days_alone(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    wednesday = await booked(api, member, desk["id"], WEDNESDAY, "09:00", "12:00")

    response = await close_day(api, location["id"], TUESDAY)

    assert response.json()["cancelled_bookings"] == 1
    assert await status_of(api, wednesday["id"]) == "confirmed"


async def test_closing_a_day_leaves_other_locations_alone(api: Api) -> None:
    location = await api.location()
    other = await api.location()
    elsewhere = await booked(
        api, await api.member(), (await api.desk(other["id"]))["id"], TUESDAY, "09:00", "12:00"
    )

    response = await close_day(api, location["id"], TUESDAY)

    assert response.json()["cancelled_bookings"] == 0
    assert await status_of(api, elsewhere["id"]) == "confirmed"


async def test_closing_a_day_does_not_count_bookings_already_cancelled(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    await api.client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=member.headers)

    response = await close_day(api, location["id"], TUESDAY)

    assert response.json()["cancelled_bookings"] == 0


async def test_closure_sets_cancelled_at(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    await close_day(api, location["id"], TUESDAY)

    response = await api.client.get(f"/api/v1/bookings/{booking['id']}", headers=member.headers)

    assert response.json()["cancelled_at"] == "2030-01-07T07:00:00Z"


async def test_a_closed_day_takes_no_bookings(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    await close_day(api, location["id"], TUESDAY)

    response = await api.book(
        await api.member(), desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert_problem(response, 422, "outside-opening-hours")


async def test_operator_removes_a_closure(api: Api) -> None:
    location = await api.location()
    closure = (await close_day(api, location["id"], TUESDAY)).json()
    operator = await api.operator()

    response = await api.client.delete(
        f"{closures_of(location['id'])}/{closure['id']}", headers=operator.headers
    )

    assert response.status_code == 204, response.text
    assert (await api.client.get(closures_of(location["id"]))).json()["total"] == 0


async def test_a_removed_closure_takes_bookings_again(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    closure = (await close_day(api, location["id"], TUESDAY)).json()
    operator = await api.operator()
    await api.client.delete(
        f"{closures_of(location['id'])}/{closure['id']}", headers=operator.headers
    )

    response = await api.book(
        await api.member(), desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert response.status_code == 201, response.text


async def test_member_may_not_remove_a_closure(api: Api) -> None:
    location = await api.location()
    closure = (await close_day(api, location["id"], TUESDAY)).json()
    member = await api.member()

    response = await api.client.delete(
        f"{closures_of(location['id'])}/{closure['id']}", headers=member.headers
    )

    assert_problem(response, 403, "forbidden")


async def test_removing_an_unknown_closure_is_404(api: Api) -> None:
    location = await api.location()
    operator = await api.operator()

    response = await api.client.delete(
        f"{closures_of(location['id'])}/{uuid.uuid4()}", headers=operator.headers
    )

    assert_problem(response, 404, "not-found")


async def test_a_closure_is_removed_only_through_its_own_location(api: Api) -> None:
    location = await api.location()
    other = await api.location()
    closure = (await close_day(api, location["id"], TUESDAY)).json()
    operator = await api.operator()

    response = await api.client.delete(
        f"{closures_of(other['id'])}/{closure['id']}", headers=operator.headers
    )

    assert_problem(response, 404, "not-found")


async def test_a_closure_day_is_a_day_of_the_location_time_zone(api: Api) -> None:
    all_day = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
    location = await api.location(timezone="America/New_York", opening_hours=all_day)
    desk = await api.desk(location["id"])
    new_york = ZoneInfo("America/New_York")
    # Tuesday evening in New York is already Wednesday in UTC
    late = await api.book(
        await api.member(),
        desk["id"],
        local(TUESDAY, "20:00", new_york),
        local(TUESDAY, "22:00", new_york),
    )
    await close_day(api, location["id"], WEDNESDAY)

    response = await close_day(api, location["id"], TUESDAY)

    assert response.json()["cancelled_bookings"] == 1
    assert await status_of(api, late.json()["id"]) == "cancelled"


async def test_a_closure_of_today_leaves_a_checked_in_booking_alone(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    checked_in = await booked(api, member, desk["id"], MONDAY, "08:00", "12:00")
    await booking_action(api, member, checked_in, "check-in")
    later = await booked(api, member, desk["id"], MONDAY, "14:00", "16:00")
    clock.set_now(at_local(MONDAY, "09:00"))

    response = await close_day(api, location["id"], MONDAY)

    assert response.json()["cancelled_bookings"] == 1
    assert await status_of(api, checked_in["id"]) == "checked_in"
    assert await status_of(api, later["id"]) == "cancelled"


async def test_a_closure_of_today_leaves_a_started_booking_alone(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    started = await booked(api, await api.member(), desk["id"], MONDAY, "08:00", "12:00")
    clock.set_now(at_local(MONDAY, "08:10"))

    response = await close_day(api, location["id"], MONDAY)

    assert response.json()["cancelled_bookings"] == 0
    assert await status_of(api, started["id"]) == "confirmed"
