"""Who sees which booking, and the list filters."""

import uuid
from typing import Any

import pytest

from tests.bookings.support import BOOKINGS, TUESDAY, act, listed, set_clock
from tests.factories import Api, Member, assert_problem, booked, local


@pytest.fixture
async def location(api: Api) -> dict[str, Any]:
    return await api.location()


@pytest.fixture
async def desk(api: Api, location: dict[str, Any]) -> dict[str, Any]:
    return await api.desk(location["id"])


@pytest.fixture
async def owner(api: Api) -> Member:
    return await api.member()


@pytest.fixture
async def booking(api: Api, desk: dict[str, Any], owner: Member) -> dict[str, Any]:
    return await booked(api, owner, desk["id"], TUESDAY, "09:00", "12:00")


# --- others' bookings are 404 -------------------------------------------------------------


async def test_another_member_cannot_read_a_booking(api: Api, booking: dict[str, Any]) -> None:
    stranger = await api.member()

    response = await api.client.get(f"{BOOKINGS}/{booking['id']}", headers=stranger.headers)

    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("action", ["cancel", "check-in", "check-out"])
async def test_another_member_cannot_act_on_a_booking(
    api: Api, owner: Member, booking: dict[str, Any], action: str
) -> None:
    set_clock(TUESDAY, "08:00")
    if action == "check-out":
        await act(api, owner, booking, "check-in")

    response = await act(api, await api.member(), booking, action)

    assert_problem(response, 404, "not-found")


async def test_another_member_action_changes_nothing(
    api: Api, owner: Member, booking: dict[str, Any]
) -> None:
    await act(api, await api.member(), booking, "cancel")

    response = await api.client.get(f"{BOOKINGS}/{booking['id']}", headers=owner.headers)

    assert response.json()["status"] == "confirmed"


async def test_an_analyst_cannot_read_a_member_booking(api: Api, booking: dict[str, Any]) -> None:
    analyst = await api.member(role="analyst")

    response = await api.client.get(f"{BOOKINGS}/{booking['id']}", headers=analyst.headers)

    assert_problem(response, 404, "not-found")


async def test_an_unknown_booking_is_404(api: Api, owner: Member) -> None:
    response = await api.client.get(f"{BOOKINGS}/{uuid.uuid4()}", headers=owner.headers)

    assert_problem(response, 404, "not-found")


async def test_operator_reads_any_booking(api: Api, booking: dict[str, Any]) -> None:
    operator = await api.operator()

    response = await api.client.get(f"{BOOKINGS}/{booking['id']}", headers=operator.headers)

    assert response.json() == booking


async def test_anonymous_caller_cannot_read_a_booking(api: Api, booking: dict[str, Any]) -> None:
    response = await api.client.get(f"{BOOKINGS}/{booking['id']}")

    assert_problem(response, 401, "not-authenticated")


async def test_anonymous_caller_cannot_list_bookings(api: Api) -> None:
    response = await api.client.get(BOOKINGS)

    assert_problem(response, 401, "not-authenticated")


# --- who sees which list ------------------------------------------------------------------


async def test_member_lists_only_own_bookings(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "13:00", "15:00")

    assert await listed(api, owner) == [booking["id"]]


async def test_member_id_of_someone_else_lists_nothing(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    other = await api.member()
    await booked(api, other, desk["id"], TUESDAY, "13:00", "15:00")

    assert await listed(api, owner, member_id=other.id) == []


async def test_my_bookings_are_only_mine(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "13:00", "15:00")

    assert await listed(api, owner, "/api/v1/me/bookings") == [booking["id"]]


async def test_operator_lists_every_booking_by_start(
    api: Api, desk: dict[str, Any], booking: dict[str, Any]
) -> None:
    earlier = await booked(api, await api.member(), desk["id"], TUESDAY, "08:00", "09:00")
    later = await booked(api, await api.member(), desk["id"], TUESDAY, "13:00", "15:00")

    response = await api.client.get(BOOKINGS, headers=(await api.operator()).headers)

    assert response.json() == {
        "items": [earlier, booking, later],
        "total": 3,
        "limit": 50,
        "offset": 0,
    }


async def test_operator_filters_by_member(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    await booked(api, await api.member(), desk["id"], TUESDAY, "13:00", "15:00")

    assert await listed(api, await api.operator(), member_id=owner.id) == [booking["id"]]


async def test_operator_filters_by_location(
    api: Api, location: dict[str, Any], booking: dict[str, Any]
) -> None:
    elsewhere = await api.desk((await api.location())["id"])
    await booked(api, await api.member(), elsewhere["id"], TUESDAY, "09:00", "12:00")

    ids = await listed(api, await api.operator(), location_id=location["id"])

    assert ids == [booking["id"]]


async def test_operator_filters_by_desk(
    api: Api, location: dict[str, Any], desk: dict[str, Any], booking: dict[str, Any]
) -> None:
    other_desk = await api.desk(location["id"])
    await booked(api, await api.member(), other_desk["id"], TUESDAY, "09:00", "12:00")

    assert await listed(api, await api.operator(), desk_id=desk["id"]) == [booking["id"]]


async def test_member_filters_by_status(
    api: Api, desk: dict[str, Any], owner: Member, booking: dict[str, Any]
) -> None:
    cancelled = await booked(api, owner, desk["id"], "2030-01-09", "09:00", "12:00")
    await act(api, owner, cancelled, "cancel")

    assert await listed(api, owner, status="cancelled") == [cancelled["id"]]


async def test_an_unknown_status_is_422(api: Api, owner: Member) -> None:
    response = await api.client.get(BOOKINGS, params={"status": "gone"}, headers=owner.headers)

    assert_problem(response, 422, "validation-error")


# --- from / to ----------------------------------------------------------------------------


@pytest.fixture
async def day_of_bookings(api: Api, desk: dict[str, Any], owner: Member) -> list[str]:
    """The owner's bookings 09–12, 12–15 and 15–18 on Tuesday, in order."""
    return [
        (await booked(api, owner, desk["id"], TUESDAY, opens, closes))["id"]
        for opens, closes in [("09:00", "12:00"), ("12:00", "15:00"), ("15:00", "18:00")]
    ]


async def in_range(api: Api, owner: Member, **bounds: str) -> list[str]:
    return await listed(api, owner, **{key: local(TUESDAY, hhmm) for key, hhmm in bounds.items()})


async def test_from_to_selects_overlapping_bookings(
    api: Api, owner: Member, day_of_bookings: list[str]
) -> None:
    assert await in_range(api, owner, **{"from": "11:00", "to": "13:00"}) == day_of_bookings[:2]


async def test_from_to_is_half_open(api: Api, owner: Member, day_of_bookings: list[str]) -> None:
    assert await in_range(api, owner, **{"from": "12:00", "to": "15:00"}) == [day_of_bookings[1]]


async def test_from_alone_selects_bookings_ending_after_it(
    api: Api, owner: Member, day_of_bookings: list[str]
) -> None:
    assert await in_range(api, owner, **{"from": "12:00"}) == day_of_bookings[1:]


async def test_to_alone_selects_bookings_starting_before_it(
    api: Api, owner: Member, day_of_bookings: list[str]
) -> None:
    assert await in_range(api, owner, to="12:00") == day_of_bookings[:1]


@pytest.mark.parametrize("to", ["12:00", "11:00"])
async def test_to_not_after_from_is_422(api: Api, owner: Member, to: str) -> None:
    response = await api.client.get(
        BOOKINGS,
        params={"from": local(TUESDAY, "12:00"), "to": local(TUESDAY, to)},
        headers=owner.headers,
    )

    assert_problem(response, 422, "validation-error")


async def test_from_without_offset_is_422(api: Api, owner: Member) -> None:
    response = await api.client.get(
        BOOKINGS, params={"from": "2030-01-08T09:00:00"}, headers=owner.headers
    )

    assert_problem(response, 422, "validation-error")


async def test_bookings_list_pages(api: Api, owner: Member, day_of_bookings: list[str]) -> None:
    response = await api.client.get(
        BOOKINGS, params={"limit": 1, "offset": 2}, headers=owner.headers
    )

    body = response.json()
    assert ([item["id"] for item in body["items"]], body["total"]) == ([day_of_bookings[2]], 3)
