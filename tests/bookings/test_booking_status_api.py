"""How a booking moves: cancel, check-in, check-out, no-show and completion, on a frozen clock.

The booking of these tests is Tuesday 09:00–12:00 Berlin = 08:00–11:00 UTC, with the default
grace of 30 minutes: check-in opens 07:45 UTC and closes 08:30 UTC.
"""

from typing import Any

import pytest

from tests.bookings.support import BOOKINGS, TUESDAY, act, listed, read, set_clock
from tests.factories import Api, Member, assert_problem, booked


@pytest.fixture
async def desk(api: Api) -> dict[str, Any]:
    return await api.desk((await api.location())["id"])


@pytest.fixture
async def owner(api: Api) -> Member:
    return await api.member()


@pytest.fixture
async def booking(api: Api, desk: dict[str, Any], owner: Member) -> dict[str, Any]:
    return await booked(api, owner, desk["id"], TUESDAY, "09:00", "12:00")


async def checked_in(api: Api, owner: Member, booking: dict[str, Any]) -> None:
    set_clock(TUESDAY, "08:00")
    response = await act(api, owner, booking, "check-in")
    assert response.status_code == 200, response.text


# --- cancel -------------------------------------------------------------------------------


async def test_owner_cancels_before_the_start(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "07:59")

    response = await act(api, owner, booking, "cancel")

    assert response.status_code == 200, response.text
    assert response.json() == {
        **booking,
        "status": "cancelled",
        "cancelled_at": "2030-01-08T07:59:00Z",
    }


async def test_owner_may_not_cancel_once_started(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:00")

    response = await act(api, owner, booking, "cancel")

    assert_problem(response, 409, "conflict")


async def test_operator_cancels_after_the_start(api: Api, booking: dict[str, Any]) -> None:
    set_clock(TUESDAY, "08:10")

    response = await act(api, await api.operator(), booking, "cancel")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"


async def test_cancelling_a_cancelled_booking_is_409(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await act(api, owner, booking, "cancel")

    response = await act(api, owner, booking, "cancel")

    assert_problem(response, 409, "conflict")


async def test_operator_may_not_cancel_a_checked_in_booking(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)

    response = await act(api, await api.operator(), booking, "cancel")

    assert_problem(response, 409, "conflict")


async def test_operator_may_not_cancel_a_no_show(api: Api, booking: dict[str, Any]) -> None:
    set_clock(TUESDAY, "08:31")

    response = await act(api, await api.operator(), booking, "cancel")

    assert_problem(response, 409, "conflict")


async def test_a_failed_cancel_changes_nothing(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:00")
    await act(api, owner, booking, "cancel")

    assert (await read(api, owner, booking))["status"] == "confirmed"


# --- check-in -----------------------------------------------------------------------------


async def test_owner_checks_in_when_the_window_opens(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "07:45")

    response = await act(api, owner, booking, "check-in")

    assert response.status_code == 200, response.text
    assert response.json() == {
        **booking,
        "status": "checked_in",
        "checked_in_at": "2030-01-08T07:45:00Z",
    }


async def test_check_in_before_the_window_says_when_it_opens(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "07:44")

    response = await act(api, owner, booking, "check-in")

    problem = assert_problem(response, 409, "conflict")
    assert "2030-01-08T07:45:00" in problem["detail"]


async def test_owner_checks_in_at_the_end_of_the_grace(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:30")

    response = await act(api, owner, booking, "check-in")

    assert response.status_code == 200, response.text


async def test_check_in_after_the_grace_says_when_it_closed(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:31")

    response = await act(api, owner, booking, "check-in")

    problem = assert_problem(response, 409, "conflict")
    assert "2030-01-08T08:30:00" in problem["detail"]


async def test_the_grace_follows_the_location_rules(api: Api, owner: Member) -> None:
    location = await api.location(booking_rules={"check_in_grace_minutes": 5})
    desk = await api.desk(location["id"])
    booking = await booked(api, owner, desk["id"], TUESDAY, "09:00", "12:00")
    set_clock(TUESDAY, "08:06")

    response = await act(api, owner, booking, "check-in")

    assert_problem(response, 409, "conflict")


async def test_checking_in_twice_is_409(api: Api, owner: Member, booking: dict[str, Any]) -> None:
    await checked_in(api, owner, booking)

    response = await act(api, owner, booking, "check-in")

    assert_problem(response, 409, "conflict")


async def test_a_cancelled_booking_cannot_be_checked_in(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await act(api, owner, booking, "cancel")
    set_clock(TUESDAY, "08:00")

    response = await act(api, owner, booking, "check-in")

    assert_problem(response, 409, "conflict")


async def test_operator_may_not_check_in_for_the_owner(api: Api, booking: dict[str, Any]) -> None:
    set_clock(TUESDAY, "08:00")

    response = await act(api, await api.operator(), booking, "check-in")

    assert_problem(response, 403, "forbidden")


# --- check-out ----------------------------------------------------------------------------


async def test_owner_checks_out_and_the_booking_is_completed(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "10:00")

    response = await act(api, owner, booking, "check-out")

    assert response.status_code == 200, response.text
    assert response.json() == {
        **booking,
        "status": "completed",
        "checked_in_at": "2030-01-08T08:00:00Z",
        "checked_out_at": "2030-01-08T10:00:00Z",
    }


async def test_operator_checks_out_for_the_owner(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)

    response = await act(api, await api.operator(), booking, "check-out")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"


async def test_a_confirmed_booking_cannot_be_checked_out(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:00")

    response = await act(api, owner, booking, "check-out")

    assert_problem(response, 409, "conflict")


async def test_checking_out_twice_is_409(api: Api, owner: Member, booking: dict[str, Any]) -> None:
    await checked_in(api, owner, booking)
    await act(api, owner, booking, "check-out")

    response = await act(api, owner, booking, "check-out")

    assert_problem(response, 409, "conflict")


async def test_check_out_after_the_end_is_409(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    response = await act(api, owner, booking, "check-out")

    assert_problem(response, 409, "conflict")


async def test_an_early_check_out_frees_the_desk(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "09:00")
    await act(api, owner, booking, "check-out")

    response = await api.book(
        await api.member(), desk["id"], "2030-01-08T09:00:00Z", "2030-01-08T11:00:00Z"
    )

    assert response.status_code == 201, response.text


# --- no_show and completed on read, before the periodic job ---------------------------------


async def test_a_lapsed_booking_reads_no_show(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:31")

    assert (await read(api, owner, booking))["status"] == "no_show"


async def test_a_booking_in_its_grace_still_reads_confirmed(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:30")

    assert (await read(api, owner, booking))["status"] == "confirmed"


async def test_a_checked_in_booking_past_its_end_reads_completed(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    assert (await read(api, owner, booking))["status"] == "completed"


async def test_a_checked_in_booking_before_its_end_reads_checked_in(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "10:59")

    assert (await read(api, owner, booking))["status"] == "checked_in"


async def list_status(api: Api, caller: Member, path: str) -> list[str]:
    response = await api.client.get(path, headers=caller.headers)
    assert response.status_code == 200, response.text
    return [item["status"] for item in response.json()["items"]]


async def test_the_booking_list_shows_no_show(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:31")

    assert await list_status(api, owner, BOOKINGS) == ["no_show"]


async def test_my_bookings_show_no_show(api: Api, owner: Member, booking: dict[str, Any]) -> None:
    set_clock(TUESDAY, "08:31")

    assert await list_status(api, owner, "/api/v1/me/bookings") == ["no_show"]


async def test_the_booking_list_shows_completed(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    assert await list_status(api, owner, BOOKINGS) == ["completed"]


async def test_my_bookings_show_completed(api: Api, owner: Member, booking: dict[str, Any]) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    assert await list_status(api, owner, "/api/v1/me/bookings") == ["completed"]


@pytest.mark.parametrize("path", [BOOKINGS, "/api/v1/me/bookings"])
async def test_the_status_filter_finds_a_no_show(
    api: Api, owner: Member, booking: dict[str, Any], path: str
) -> None:
    set_clock(TUESDAY, "08:31")

    assert await listed(api, owner, path, status="no_show") == [booking["id"]]


@pytest.mark.parametrize("path", [BOOKINGS, "/api/v1/me/bookings"])
async def test_a_no_show_is_not_listed_as_confirmed(
    api: Api, owner: Member, booking: dict[str, Any], path: str
) -> None:
    set_clock(TUESDAY, "08:31")

    assert await listed(api, owner, path, status="confirmed") == []


@pytest.mark.parametrize("path", [BOOKINGS, "/api/v1/me/bookings"])
async def test_the_status_filter_finds_a_completed_booking(
    api: Api, owner: Member, booking: dict[str, Any], path: str
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    assert await listed(api, owner, path, status="completed") == [booking["id"]]


async def test_a_completed_booking_is_not_listed_as_checked_in(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await checked_in(api, owner, booking)
    set_clock(TUESDAY, "11:00")

    assert await listed(api, owner, status="checked_in") == []


async def test_a_no_show_frees_the_desk_for_the_rest_of_the_interval(
    api: Api, desk: dict[str, Any], booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:31")

    response = await api.book(
        await api.member(), desk["id"], "2030-01-08T09:00:00Z", "2030-01-08T11:00:00Z"
    )

    assert response.status_code == 201, response.text


async def test_a_no_show_frees_its_owner_for_another_desk(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    other_desk = await api.desk(desk["location_id"])
    set_clock(TUESDAY, "08:31")

    response = await api.book(
        owner, other_desk["id"], "2030-01-08T09:00:00Z", "2030-01-08T11:00:00Z"
    )

    assert response.status_code == 201, response.text


async def test_a_booking_in_its_grace_still_holds_the_desk(
    api: Api, desk: dict[str, Any], booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:30")

    response = await api.book(
        await api.member(), desk["id"], "2030-01-08T09:00:00Z", "2030-01-08T11:00:00Z"
    )

    assert_problem(response, 409, "booking-conflict")


async def test_the_no_show_stays_no_show_after_the_desk_is_rebooked(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    set_clock(TUESDAY, "08:31")
    await api.book(await api.member(), desk["id"], "2030-01-08T09:00:00Z", "2030-01-08T11:00:00Z")

    assert (await read(api, owner, booking))["status"] == "no_show"
