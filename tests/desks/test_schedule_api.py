"""A desk's day: its opening intervals (real instants, DST included) and busy intervals."""

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.core import clock
from tests.factories import Api, Member, assert_problem, booked, close_day

TUESDAY = "2030-01-08"
ALL_DAY = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
LONG_AHEAD = {"max_advance_days": 365, "max_duration_minutes": 1440}


async def schedule(
    api: Api, desk_id: str, day: str, caller: Member | None = None
) -> httpx.Response:
    headers = caller.headers if caller else {}
    return await api.client.get(
        f"/api/v1/desks/{desk_id}/schedule", params={"date": day}, headers=headers
    )


def hours(interval: dict[str, str]) -> float:
    start = datetime.fromisoformat(interval["start"])
    end = datetime.fromisoformat(interval["end"])
    return (end - start).total_seconds() / 3600


@pytest.fixture
async def desk(api: Api) -> dict[str, Any]:
    return await api.desk((await api.location())["id"])


async def test_schedule_of_a_free_day(api: Api, desk: dict[str, Any]) -> None:
    response = await schedule(api, desk["id"], TUESDAY)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "desk_id": desk["id"],
        "date": TUESDAY,
        "timezone": "Europe/Berlin",
        "closed": False,
        "opening_intervals": [{"start": "2030-01-08T07:00:00Z", "end": "2030-01-08T19:00:00Z"}],
        "busy": [],
    }


async def test_schedule_lists_every_opening_interval_of_the_day(api: Api) -> None:
    location = await api.location(
        opening_hours=[
            {"weekday": 1, "opens": "14:00", "closes": "18:00"},
            {"weekday": 1, "opens": "08:00", "closes": "12:00"},
            {"weekday": 2, "opens": "08:00", "closes": "20:00"},
        ]
    )
    desk = await api.desk(location["id"])

    response = await schedule(api, desk["id"], TUESDAY)

    assert response.json()["opening_intervals"] == [
        {"start": "2030-01-08T07:00:00Z", "end": "2030-01-08T11:00:00Z"},
        {"start": "2030-01-08T13:00:00Z", "end": "2030-01-08T17:00:00Z"},
    ]


async def test_a_day_without_opening_hours_has_no_intervals(api: Api) -> None:
    location = await api.location(
        opening_hours=[{"weekday": 0, "opens": "08:00", "closes": "20:00"}]
    )
    desk = await api.desk(location["id"])

    response = await schedule(api, desk["id"], TUESDAY)

    assert (response.json()["closed"], response.json()["opening_intervals"]) == (False, [])


async def test_all_day_interval_is_23_hours_when_clocks_go_forward(api: Api) -> None:
    desk = await api.desk((await api.location(opening_hours=ALL_DAY))["id"])

    response = await schedule(api, desk["id"], "2030-03-31")

    [interval] = response.json()["opening_intervals"]
    assert interval == {"start": "2030-03-30T23:00:00Z", "end": "2030-03-31T22:00:00Z"}
    assert hours(interval) == 23


async def test_all_day_interval_is_25_hours_when_clocks_go_back(api: Api) -> None:
    desk = await api.desk((await api.location(opening_hours=ALL_DAY))["id"])

    response = await schedule(api, desk["id"], "2030-10-27")

    [interval] = response.json()["opening_intervals"]
    assert interval == {"start": "2030-10-26T22:00:00Z", "end": "2030-10-27T23:00:00Z"}
    assert hours(interval) == 25


async def test_summer_opening_hours_keep_their_wall_clock_times(
    api: Api, desk: dict[str, Any]
) -> None:
    response = await schedule(api, desk["id"], "2030-07-02")

    assert response.json()["opening_intervals"] == [
        {"start": "2030-07-02T06:00:00Z", "end": "2030-07-02T18:00:00Z"}
    ]


async def test_a_closure_day_is_closed_without_intervals(api: Api, desk: dict[str, Any]) -> None:
    await close_day(api, desk["location_id"], TUESDAY)

    response = await schedule(api, desk["id"], TUESDAY)

    assert (response.json()["closed"], response.json()["opening_intervals"]) == (True, [])


async def test_busy_intervals_are_the_day_active_bookings_in_order(
    api: Api, desk: dict[str, Any]
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "14:00", "16:00")
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "12:00")

    response = await schedule(api, desk["id"], TUESDAY)

    assert response.json()["busy"] == [
        {"start": "2030-01-08T08:00:00Z", "end": "2030-01-08T11:00:00Z", "status": "confirmed"},
        {"start": "2030-01-08T13:00:00Z", "end": "2030-01-08T15:00:00Z", "status": "confirmed"},
    ]


async def test_busy_intervals_leave_out_cancelled_bookings(api: Api, desk: dict[str, Any]) -> None:
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    await api.client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=member.headers)

    response = await schedule(api, desk["id"], TUESDAY)

    assert response.json()["busy"] == []


async def test_busy_intervals_leave_out_other_days_and_desks(
    api: Api, desk: dict[str, Any]
) -> None:
    member = await api.member()
    other_desk = await api.desk(desk["location_id"])
    await booked(api, member, desk["id"], "2030-01-09", "09:00", "12:00")
    await booked(api, member, other_desk["id"], TUESDAY, "09:00", "12:00")

    response = await schedule(api, desk["id"], TUESDAY)

    assert response.json()["busy"] == []


async def test_busy_intervals_leave_out_a_no_show(api: Api, desk: dict[str, Any]) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "12:00")
    clock.set_now(datetime(2030, 1, 8, 8, 31, tzinfo=UTC))  # grace ended 09:30 Berlin

    response = await schedule(api, desk["id"], TUESDAY)

    assert response.json()["busy"] == []


async def test_busy_intervals_show_a_checked_in_booking(api: Api, desk: dict[str, Any]) -> None:
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    clock.set_now(datetime(2030, 1, 8, 8, 0, tzinfo=UTC))
    await api.client.post(f"/api/v1/bookings/{booking['id']}/check-in", headers=member.headers)

    response = await schedule(api, desk["id"], TUESDAY)

    assert [interval["status"] for interval in response.json()["busy"]] == ["checked_in"]


async def test_members_see_no_booking_or_member_ids(api: Api, desk: dict[str, Any]) -> None:
    owner = await api.member()
    await booked(api, owner, desk["id"], TUESDAY, "09:00", "12:00")

    response = await schedule(api, desk["id"], TUESDAY, caller=await api.member())

    [busy] = response.json()["busy"]
    assert "booking_id" not in busy
    assert "member_id" not in busy


async def test_anonymous_callers_see_no_booking_or_member_ids(
    api: Api, desk: dict[str, Any]
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "12:00")

    response = await schedule(api, desk["id"], TUESDAY)

    assert set(response.json()["busy"][0]) == {"start", "end", "status"}


async def test_operators_see_booking_and_member_ids(api: Api, desk: dict[str, Any]) -> None:
    owner = await api.member()
    booking = await booked(api, owner, desk["id"], TUESDAY, "09:00", "12:00")

    response = await schedule(api, desk["id"], TUESDAY, caller=await api.operator())

    [busy] = response.json()["busy"]
    assert (busy["booking_id"], busy["member_id"]) == (booking["id"], owner.id)


async def test_schedule_on_a_dst_day_shows_the_booking_in_utc(api: Api) -> None:
    location = await api.location(opening_hours=ALL_DAY, booking_rules=LONG_AHEAD)
    desk = await api.desk(location["id"])
    await booked(api, await api.member(), desk["id"], "2030-03-31", "01:00", "04:00")

    response = await schedule(api, desk["id"], "2030-03-31")

    [busy] = response.json()["busy"]
    assert (busy["start"], busy["end"]) == ("2030-03-31T00:00:00Z", "2030-03-31T02:00:00Z")


async def test_schedule_of_an_unknown_desk_is_404(api: Api) -> None:
    response = await schedule(api, str(uuid.uuid4()), TUESDAY)

    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("params", [{}, {"date": "2030-02-30"}, {"date": "08.01.2030"}])
async def test_schedule_needs_a_valid_date(
    api: Api, desk: dict[str, Any], params: dict[str, str]
) -> None:
    response = await api.client.get(f"/api/v1/desks/{desk['id']}/schedule", params=params)

    assert_problem(response, 422, "validation-error")
