"""Availability: the desks of a location free for a whole interval, under the booking rules."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.core import clock
from tests.factories import Api, assert_problem, booked, close_day, local

AVAILABILITY = "/api/v1/availability"
TUESDAY = "2030-01-08"


async def search(
    api: Api, location_id: str, start: str, end: str, **filters: str
) -> httpx.Response:
    params = {"location_id": location_id, "start": start, "end": end, **filters}
    return await api.client.get(AVAILABILITY, params=params)


async def free_names(
    api: Api, location_id: str, opens: str, closes: str, **filters: str
) -> list[str]:
    response = await search(
        api, location_id, local(TUESDAY, opens), local(TUESDAY, closes), **filters
    )
    assert response.status_code == 200, response.text
    return [desk["name"] for desk in response.json()["items"]]


@pytest.fixture
async def location(api: Api) -> dict[str, Any]:
    return await api.location()


async def test_availability_answers_the_list_shape(api: Api, location: dict[str, Any]) -> None:
    desk = await api.desk(location["id"], name="A", features=["monitor"])

    response = await search(api, location["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00"))

    assert response.status_code == 200, response.text
    assert response.json() == {"items": [desk], "total": 1, "limit": 50, "offset": 0}


async def test_all_free_desks_are_listed_by_name(api: Api, location: dict[str, Any]) -> None:
    for name in ["C", "A", "B"]:
        await api.desk(location["id"], name=name)

    assert await free_names(api, location["id"], "09:00", "12:00") == ["A", "B", "C"]


async def test_a_desk_booked_for_part_of_the_interval_is_not_free(
    api: Api, location: dict[str, Any]
) -> None:
    taken = await api.desk(location["id"], name="A")
    await api.desk(location["id"], name="B")
    await booked(api, await api.member(), taken["id"], TUESDAY, "11:00", "13:00")

    assert await free_names(api, location["id"], "09:00", "12:00") == ["B"]


async def test_a_desk_booked_until_the_start_is_free(api: Api, location: dict[str, Any]) -> None:
    desk = await api.desk(location["id"], name="A")
    await booked(api, await api.member(), desk["id"], TUESDAY, "08:00", "09:00")

    assert await free_names(api, location["id"], "09:00", "12:00") == ["A"]


async def test_a_desk_booked_from_the_end_is_free(api: Api, location: dict[str, Any]) -> None:
    desk = await api.desk(location["id"], name="A")
    await booked(api, await api.member(), desk["id"], TUESDAY, "12:00", "14:00")

    assert await free_names(api, location["id"], "09:00", "12:00") == ["A"]


async def test_a_cancelled_booking_frees_the_desk(api: Api, location: dict[str, Any]) -> None:
    desk = await api.desk(location["id"], name="A")
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    await api.client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=member.headers)

    assert await free_names(api, location["id"], "09:00", "12:00") == ["A"]


async def test_a_no_show_frees_the_desk_for_the_rest(api: Api, location: dict[str, Any]) -> None:
    desk = await api.desk(location["id"], name="A")
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "12:00")
    clock.set_now(datetime(2030, 1, 8, 8, 31, tzinfo=UTC))  # 09:31 Berlin, grace over

    assert await free_names(api, location["id"], "10:00", "12:00") == ["A"]


async def test_inactive_desks_are_not_offered(api: Api, location: dict[str, Any]) -> None:
    await api.desk(location["id"], name="A")
    inactive = await api.desk(location["id"], name="B")
    operator = await api.operator()
    await api.client.patch(
        f"/api/v1/desks/{inactive['id']}", json={"active": False}, headers=operator.headers
    )

    assert await free_names(api, location["id"], "09:00", "12:00") == ["A"]


async def test_desks_of_other_locations_are_not_offered(api: Api, location: dict[str, Any]) -> None:
    await api.desk(location["id"], name="Hier")
    await api.desk((await api.location())["id"], name="Dort")

    assert await free_names(api, location["id"], "09:00", "12:00") == ["Hier"]


async def test_availability_filters_by_kind(api: Api, location: dict[str, Any]) -> None:
    await api.desk(location["id"], name="Platz")
    await api.desk(location["id"], name="Havel", kind="meeting_room", capacity=6)

    assert await free_names(api, location["id"], "09:00", "12:00", kind="meeting_room") == ["Havel"]


async def test_availability_filters_by_feature(api: Api, location: dict[str, Any]) -> None:
    await api.desk(location["id"], name="A", features=["standing"])
    await api.desk(location["id"], name="B", features=["monitor", "standing"])
    await api.desk(location["id"], name="C", features=["monitor"])

    assert await free_names(api, location["id"], "09:00", "12:00", feature="monitor") == [
        "B",
        "C",
    ]


async def test_availability_outside_opening_hours_is_refused(
    api: Api, location: dict[str, Any]
) -> None:
    response = await search(api, location["id"], local(TUESDAY, "19:00"), local(TUESDAY, "21:00"))

    assert_problem(response, 422, "outside-opening-hours")


async def test_availability_on_a_closure_day_is_refused(api: Api, location: dict[str, Any]) -> None:
    await close_day(api, location["id"], TUESDAY)

    response = await search(api, location["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00"))

    assert_problem(response, 422, "outside-opening-hours")


async def test_availability_in_the_past_is_refused(api: Api, location: dict[str, Any]) -> None:
    clock.set_now(datetime(2030, 1, 8, 12, 0, tzinfo=UTC))

    response = await search(api, location["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00"))

    assert_problem(response, 422, "validation-error")


async def test_availability_longer_than_a_booking_may_last_is_refused(
    api: Api, location: dict[str, Any]
) -> None:
    response = await search(api, location["id"], local(TUESDAY, "08:00"), local(TUESDAY, "18:30"))

    assert_problem(response, 422, "validation-error")


async def test_availability_beyond_the_advance_limit_is_refused(
    api: Api, location: dict[str, Any]
) -> None:
    day = "2030-03-18"  # 70 days ahead, the limit is 60

    response = await search(api, location["id"], local(day, "09:00"), local(day, "12:00"))

    assert_problem(response, 422, "validation-error")


async def test_availability_with_end_before_start_is_refused(
    api: Api, location: dict[str, Any]
) -> None:
    response = await search(api, location["id"], local(TUESDAY, "12:00"), local(TUESDAY, "09:00"))

    assert_problem(response, 422, "validation-error")


async def test_availability_refuses_times_without_offset(
    api: Api, location: dict[str, Any]
) -> None:
    response = await search(api, location["id"], "2030-01-08T09:00:00", "2030-01-08T12:00:00")

    assert_problem(response, 422, "validation-error")


async def test_availability_needs_a_location(api: Api) -> None:
    response = await api.client.get(
        AVAILABILITY, params={"start": local(TUESDAY, "09:00"), "end": local(TUESDAY, "12:00")}
    )

    assert_problem(response, 422, "validation-error")


async def test_availability_of_an_unknown_location_is_404(api: Api) -> None:
    response = await search(
        api, str(uuid.uuid4()), local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert_problem(response, 404, "not-found")
