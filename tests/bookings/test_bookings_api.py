"""Creating a booking: every rule of DESIGN.md §5 with its status and problem slug."""

import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.bookings.support import BOOKINGS, TUESDAY, set_clock
from tests.factories import Api, Member, assert_problem, booked, close_day, local

#: Long enough ahead and long enough a day for the daylight-saving Sundays of 2030.
DST_RULES = {"max_advance_days": 365, "max_duration_minutes": 720}


@pytest.fixture
async def location(api: Api) -> dict[str, Any]:
    return await api.location()


@pytest.fixture
async def desk(api: Api, location: dict[str, Any]) -> dict[str, Any]:
    return await api.desk(location["id"])


@pytest.fixture
async def member(api: Api) -> Member:
    return await api.member()


async def book_tuesday(
    api: Api, member: Member, desk: dict[str, Any], opens: str, closes: str
) -> Any:
    return await api.book(member, desk["id"], local(TUESDAY, opens), local(TUESDAY, closes))


async def test_booking_answers_the_design_shape_in_utc(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await api.book(
        member,
        desk["id"],
        "2030-01-08T09:00:00+01:00",
        "2030-01-08T12:00:00+01:00",
        note="Fensterplatz bitte",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert uuid.UUID(body["id"])
    assert body == {
        "id": body["id"],
        "desk_id": desk["id"],
        "member_id": member.id,
        "company_id": None,
        "start": "2030-01-08T08:00:00Z",
        "end": "2030-01-08T11:00:00Z",
        "status": "confirmed",
        "created_at": "2030-01-07T07:00:00Z",
        "checked_in_at": None,
        "checked_out_at": None,
        "cancelled_at": None,
        "note": "Fensterplatz bitte",
    }


async def test_a_booking_without_note_has_note_null(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert response.json()["note"] is None


async def test_a_booking_is_readable_afterwards(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    created = (await book_tuesday(api, member, desk, "09:00", "12:00")).json()

    response = await api.client.get(f"{BOOKINGS}/{created['id']}", headers=member.headers)

    assert response.json() == created


async def test_anonymous_caller_may_not_book(api: Api, desk: dict[str, Any]) -> None:
    response = await api.client.post(
        BOOKINGS,
        json={
            "desk_id": desk["id"],
            "start": local(TUESDAY, "09:00"),
            "end": local(TUESDAY, "12:00"),
        },
    )

    assert_problem(response, 401, "not-authenticated")


async def test_unknown_desk_is_404(api: Api, member: Member) -> None:
    response = await api.book(
        member, str(uuid.uuid4()), local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2030-01-08T09:00:00", "2030-01-08T12:00:00"),
        ("2030-01-08", "2030-01-09"),
        ("tomorrow", "later"),
    ],
    ids=["naive", "dates", "words"],
)
async def test_times_must_be_instants_with_offset(
    api: Api, desk: dict[str, Any], member: Member, start: str, end: str
) -> None:
    response = await api.book(member, desk["id"], start, end)

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    "extra",
    [{"seats": 2}, {"note": "x" * 2001}, {"note": 5}],
    ids=["unknown-field", "long-note", "number-note"],
)
async def test_malformed_bodies_are_refused(
    api: Api, desk: dict[str, Any], member: Member, extra: dict[str, Any]
) -> None:
    response = await api.book(
        member, desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00"), **extra
    )

    assert_problem(response, 422, "validation-error")


async def test_a_timestamp_as_a_number_is_refused(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await api.client.post(
        BOOKINGS,
        json={"desk_id": desk["id"], "start": 1893999600, "end": 1894010400},
        headers=member.headers,
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(("opens", "closes"), [("12:00", "12:00"), ("12:00", "09:00")])
async def test_end_must_be_after_start(
    api: Api, desk: dict[str, Any], member: Member, opens: str, closes: str
) -> None:
    response = await book_tuesday(api, member, desk, opens, closes)

    assert_problem(response, 422, "validation-error")


async def test_start_in_the_past_is_refused(api: Api, desk: dict[str, Any], member: Member) -> None:
    response = await api.book(
        member, desk["id"], local("2030-01-07", "07:59"), local("2030-01-07", "10:00")
    )

    assert_problem(response, 422, "validation-error")


async def test_start_right_now_is_accepted(api: Api, desk: dict[str, Any], member: Member) -> None:
    response = await api.book(
        member, desk["id"], local("2030-01-07", "08:00"), local("2030-01-07", "10:00")
    )

    assert response.status_code == 201, response.text


async def test_duration_below_the_minimum_is_refused(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await book_tuesday(api, member, desk, "09:00", "09:29")

    assert_problem(response, 422, "validation-error")


async def test_duration_of_exactly_the_minimum_is_accepted(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await book_tuesday(api, member, desk, "09:00", "09:30")

    assert response.status_code == 201, response.text


async def test_duration_above_the_maximum_is_refused(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await book_tuesday(api, member, desk, "08:00", "18:01")

    assert_problem(response, 422, "validation-error")


async def test_duration_of_exactly_the_maximum_is_accepted(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await book_tuesday(api, member, desk, "08:00", "18:00")

    assert response.status_code == 201, response.text


async def test_durations_follow_the_location_rules(api: Api, member: Member) -> None:
    location = await api.location(booking_rules={"min_duration_minutes": 60})
    desk = await api.desk(location["id"])

    response = await book_tuesday(api, member, desk, "09:00", "09:45")

    assert_problem(response, 422, "validation-error")


async def test_start_beyond_the_advance_limit_is_refused(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    # now + 60 days is 2030-03-08 08:00 Berlin
    response = await api.book(
        member, desk["id"], local("2030-03-08", "08:01"), local("2030-03-08", "10:00")
    )

    assert_problem(response, 422, "validation-error")


async def test_start_at_the_advance_limit_is_accepted(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    response = await api.book(
        member, desk["id"], local("2030-03-08", "08:00"), local("2030-03-08", "10:00")
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("opens", "closes"),
    [("07:30", "09:00"), ("19:00", "20:30"), ("06:00", "07:00")],
    ids=["before-opening", "after-closing", "wholly-before"],
)
async def test_outside_opening_hours_is_refused(
    api: Api, desk: dict[str, Any], member: Member, opens: str, closes: str
) -> None:
    response = await book_tuesday(api, member, desk, opens, closes)

    assert_problem(response, 422, "outside-opening-hours")


async def test_a_weekday_without_opening_hours_is_refused(api: Api, member: Member) -> None:
    location = await api.location(
        opening_hours=[{"weekday": 0, "opens": "08:00", "closes": "20:00"}]
    )
    desk = await api.desk(location["id"])

    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert_problem(response, 422, "outside-opening-hours")


async def test_a_booking_across_midnight_is_refused(api: Api, member: Member) -> None:
    all_day = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
    desk = await api.desk((await api.location(opening_hours=all_day))["id"])

    response = await api.book(
        member, desk["id"], local(TUESDAY, "22:00"), local("2030-01-09", "02:00")
    )

    assert_problem(response, 422, "outside-opening-hours")


async def test_a_booking_until_midnight_fits_an_interval_closing_at_24(
    api: Api, member: Member
) -> None:
    hours = [{"weekday": 1, "opens": "16:00", "closes": "24:00"}]
    desk = await api.desk((await api.location(opening_hours=hours))["id"])

    response = await api.book(
        member, desk["id"], local(TUESDAY, "20:00"), local("2030-01-09", "00:00")
    )

    assert response.status_code == 201, response.text
    assert response.json()["end"] == "2030-01-08T23:00:00Z"


@pytest.mark.parametrize(
    "afternoon", [{"opens": "13:00", "closes": "20:00"}, {"opens": "12:00", "closes": "20:00"}]
)
async def test_a_booking_spanning_two_intervals_of_a_day_is_refused(
    api: Api, member: Member, afternoon: dict[str, str]
) -> None:
    hours = [{"weekday": 1, "opens": "08:00", "closes": "12:00"}, {"weekday": 1, **afternoon}]
    desk = await api.desk((await api.location(opening_hours=hours))["id"])

    response = await book_tuesday(api, member, desk, "11:00", "14:00")

    assert_problem(response, 422, "outside-opening-hours")


async def test_a_booking_inside_the_second_interval_is_accepted(api: Api, member: Member) -> None:
    hours = [
        {"weekday": 1, "opens": "08:00", "closes": "12:00"},
        {"weekday": 1, "opens": "13:00", "closes": "20:00"},
    ]
    desk = await api.desk((await api.location(opening_hours=hours))["id"])

    response = await book_tuesday(api, member, desk, "13:00", "15:00")

    assert response.status_code == 201, response.text


async def test_a_closure_day_is_refused(
    api: Api, location: dict[str, Any], desk: dict[str, Any], member: Member
) -> None:
    await close_day(api, location["id"], TUESDAY)

    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert_problem(response, 422, "outside-opening-hours")


async def test_an_inactive_desk_is_refused(api: Api, desk: dict[str, Any], member: Member) -> None:
    operator = await api.operator()
    await api.client.patch(
        f"/api/v1/desks/{desk['id']}", json={"active": False}, headers=operator.headers
    )

    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert_problem(response, 422, "validation-error")


async def test_an_overlapping_booking_of_the_desk_is_409(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "12:00")

    response = await book_tuesday(api, member, desk, "11:00", "14:00")

    assert_problem(response, 409, "booking-conflict")


async def test_a_booking_inside_another_of_the_desk_is_409(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "09:00", "15:00")

    response = await book_tuesday(api, member, desk, "10:00", "11:00")

    assert_problem(response, 409, "booking-conflict")


async def test_the_same_member_booking_the_same_desk_twice_is_409(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")

    response = await book_tuesday(api, member, desk, "10:00", "11:00")

    assert_problem(response, 409, "booking-conflict")


async def test_a_cancelled_booking_does_not_block_the_desk(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    other = await api.member()
    earlier = await booked(api, other, desk["id"], TUESDAY, "09:00", "12:00")
    await api.client.post(f"{BOOKINGS}/{earlier['id']}/cancel", headers=other.headers)

    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert response.status_code == 201, response.text


async def test_bookings_meeting_at_noon_share_a_desk(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    morning = await book_tuesday(api, await api.member(), desk, "09:00", "12:00")
    afternoon = await book_tuesday(api, member, desk, "12:00", "15:00")

    assert (morning.status_code, afternoon.status_code) == (201, 201)


async def test_a_member_may_book_desks_back_to_back(
    api: Api, location: dict[str, Any], member: Member
) -> None:
    first = await api.desk(location["id"])
    second = await api.desk(location["id"])
    morning = await book_tuesday(api, member, first, "09:00", "12:00")
    afternoon = await book_tuesday(api, member, second, "12:00", "15:00")

    assert (morning.status_code, afternoon.status_code) == (201, 201)


async def test_own_overlapping_desk_booking_elsewhere_is_409(
    api: Api, location: dict[str, Any], desk: dict[str, Any], member: Member
) -> None:
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    other_desk = await api.desk(location["id"])

    response = await book_tuesday(api, member, other_desk, "11:00", "13:00")

    assert_problem(response, 409, "member-double-booked")


async def test_own_overlapping_desk_booking_at_another_location_is_409(
    api: Api, desk: dict[str, Any], member: Member
) -> None:
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    elsewhere = await api.desk((await api.location())["id"])

    response = await book_tuesday(api, member, elsewhere, "11:00", "13:00")

    assert_problem(response, 409, "member-double-booked")


async def test_a_parent_child_room_is_a_workplace(
    api: Api, location: dict[str, Any], desk: dict[str, Any], member: Member
) -> None:
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    room = await api.desk(location["id"], kind="parent_child_room", capacity=2)

    response = await book_tuesday(api, member, room, "10:00", "11:00")

    assert_problem(response, 409, "member-double-booked")


async def test_a_meeting_room_may_overlap_own_desk_booking(
    api: Api, location: dict[str, Any], desk: dict[str, Any], member: Member
) -> None:
    await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    room = await api.desk(location["id"], kind="meeting_room", capacity=6)

    response = await book_tuesday(api, member, room, "10:00", "11:00")

    assert response.status_code == 201, response.text


async def test_a_desk_may_overlap_own_meeting_room_booking(
    api: Api, location: dict[str, Any], desk: dict[str, Any], member: Member
) -> None:
    room = await api.desk(location["id"], kind="meeting_room", capacity=6)
    await booked(api, member, room["id"], TUESDAY, "10:00", "11:00")

    response = await book_tuesday(api, member, desk, "09:00", "12:00")

    assert response.status_code == 201, response.text


async def test_two_meeting_rooms_may_overlap(
    api: Api, location: dict[str, Any], member: Member
) -> None:
    first = await api.desk(location["id"], kind="meeting_room", capacity=6)
    second = await api.desk(location["id"], kind="meeting_room", capacity=4)
    await booked(api, member, first["id"], TUESDAY, "10:00", "11:00")

    response = await book_tuesday(api, member, second, "10:00", "11:00")

    assert response.status_code == 201, response.text


async def quota_location(api: Api) -> dict[str, Any]:
    location = await api.location(booking_rules={"max_active_bookings_per_member": 2})
    return await api.desk(location["id"])


async def test_the_booking_quota_refuses_one_more(api: Api, member: Member) -> None:
    desk = await quota_location(api)
    await booked(api, member, desk["id"], "2030-01-08", "09:00", "12:00")
    await booked(api, member, desk["id"], "2030-01-09", "09:00", "12:00")

    response = await api.book(
        member, desk["id"], local("2030-01-10", "09:00"), local("2030-01-10", "12:00")
    )

    assert_problem(response, 409, "conflict")


async def test_the_quota_is_per_member(api: Api, member: Member) -> None:
    desk = await quota_location(api)
    await booked(api, member, desk["id"], "2030-01-08", "09:00", "12:00")
    await booked(api, member, desk["id"], "2030-01-09", "09:00", "12:00")

    response = await api.book(
        await api.member(), desk["id"], local("2030-01-10", "09:00"), local("2030-01-10", "12:00")
    )

    assert response.status_code == 201, response.text


async def test_cancelled_bookings_do_not_count_against_the_quota(api: Api, member: Member) -> None:
    desk = await quota_location(api)
    await booked(api, member, desk["id"], "2030-01-08", "09:00", "12:00")
    cancelled = await booked(api, member, desk["id"], "2030-01-09", "09:00", "12:00")
    await api.client.post(f"{BOOKINGS}/{cancelled['id']}/cancel", headers=member.headers)

    response = await api.book(
        member, desk["id"], local("2030-01-10", "09:00"), local("2030-01-10", "12:00")
    )

    assert response.status_code == 201, response.text


async def one_booking_quota(api: Api, member: Member) -> tuple[dict[str, Any], dict[str, Any]]:
    """A desk where a member may hold one booking, and the member's booking Tuesday 09–12."""
    location = await api.location(booking_rules={"max_active_bookings_per_member": 1})
    desk = await api.desk(location["id"])
    return desk, await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")


async def test_a_checked_in_booking_counts_against_the_quota(api: Api, member: Member) -> None:
    desk, booking = await one_booking_quota(api, member)
    set_clock(TUESDAY, "08:00")
    await api.client.post(f"{BOOKINGS}/{booking['id']}/check-in", headers=member.headers)

    response = await api.book(
        member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "12:00")
    )

    assert_problem(response, 409, "conflict")


async def test_a_completed_booking_does_not_count_against_the_quota(
    api: Api, member: Member
) -> None:
    desk, booking = await one_booking_quota(api, member)
    set_clock(TUESDAY, "08:00")
    await api.client.post(f"{BOOKINGS}/{booking['id']}/check-in", headers=member.headers)
    set_clock(TUESDAY, "11:00")

    response = await api.book(
        member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "12:00")
    )

    assert response.status_code == 201, response.text


async def test_a_no_show_does_not_count_against_the_quota(api: Api, member: Member) -> None:
    desk, _ = await one_booking_quota(api, member)
    set_clock(TUESDAY, "08:31")

    response = await api.book(
        member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "12:00")
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        ("2030-03-30", "2030-03-30T07:00:00Z", "2030-03-30T19:00:00Z"),
        ("2030-03-31", "2030-03-31T06:00:00Z", "2030-03-31T18:00:00Z"),
        ("2030-10-27", "2030-10-27T07:00:00Z", "2030-10-27T19:00:00Z"),
    ],
    ids=["winter-time", "clocks-forward", "clocks-back"],
)
async def test_opening_hours_keep_their_wall_clock_on_dst_days(
    api: Api, member: Member, day: str, start: str, end: str
) -> None:
    desk = await api.desk((await api.location(booking_rules=DST_RULES))["id"])

    response = await api.book(member, desk["id"], local(day, "08:00"), local(day, "20:00"))

    assert response.status_code == 201, response.text
    assert (response.json()["start"], response.json()["end"]) == (start, end)


@pytest.mark.parametrize("day", ["2030-03-31", "2030-10-27"])
async def test_an_hour_past_closing_stays_refused_on_dst_days(
    api: Api, member: Member, day: str
) -> None:
    desk = await api.desk((await api.location(booking_rules=DST_RULES))["id"])

    response = await api.book(member, desk["id"], local(day, "19:00"), local(day, "21:00"))

    assert_problem(response, 422, "outside-opening-hours")


async def test_durations_are_real_minutes_across_the_dst_change(api: Api, member: Member) -> None:
    all_day = [{"weekday": 6, "opens": "00:00", "closes": "24:00"}]
    location = await api.location(
        opening_hours=all_day,
        booking_rules={"max_advance_days": 365, "max_duration_minutes": 120},
    )
    desk = await api.desk(location["id"])

    # 01:00 to 04:00 on the wall clock, but only two real hours on 2030-03-31
    response = await api.book(
        member, desk["id"], local("2030-03-31", "01:00"), local("2030-03-31", "04:00")
    )

    assert response.status_code == 201, response.text


async def test_opening_hours_are_in_the_location_time_zone(api: Api, member: Member) -> None:
    location = await api.location(timezone="America/New_York")
    desk = await api.desk(location["id"])
    new_york = ZoneInfo("America/New_York")

    response = await api.book(
        member, desk["id"], local(TUESDAY, "09:00", new_york), local(TUESDAY, "12:00", new_york)
    )

    assert response.status_code == 201, response.text
    assert response.json()["start"] == "2030-01-08T14:00:00Z"


async def test_berlin_hours_do_not_fit_a_new_york_location(api: Api, member: Member) -> None:
    location = await api.location(timezone="America/New_York")
    desk = await api.desk(location["id"])

    response = await book_tuesday(api, member, desk, "09:00", "12:00")  # 03:00 in New York

    assert_problem(response, 422, "outside-opening-hours")
