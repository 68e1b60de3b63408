"""`Idempotency-Key` on POST /bookings: a repeated request creates nothing new."""

from typing import Any

import httpx
import pytest

from tests.bookings.support import BOOKINGS, TUESDAY, act, set_clock
from tests.factories import Api, Member, assert_problem, booked, local

KEY = {"Idempotency-Key": "3f0c2a7e-booking-1"}


@pytest.fixture
async def desk(api: Api) -> dict[str, Any]:
    return await api.desk((await api.location())["id"])


@pytest.fixture
async def member(api: Api) -> Member:
    return await api.member()


async def book(
    api: Api,
    member: Member,
    desk: dict[str, Any],
    opens: str = "09:00",
    closes: str = "12:00",
    day: str = TUESDAY,
    headers: dict[str, str] = KEY,
) -> httpx.Response:
    return await api.book(
        member, desk["id"], local(day, opens), local(day, closes), headers=headers
    )


async def total_bookings(api: Api) -> int:
    response = await api.client.get(BOOKINGS, headers=(await api.operator()).headers)
    total: int = response.json()["total"]
    return total


async def test_the_same_key_and_body_answer_the_same_booking(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    first = await book(api, member, desk)

    again = await book(api, member, desk)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()


async def test_the_same_key_and_body_store_one_booking(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk)
    await book(api, member, desk)

    assert await total_bookings(api) == 1


async def test_the_same_instants_in_another_offset_are_the_same_body(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    first = await book(api, member, desk)

    again = await api.book(
        member, desk["id"], "2030-01-08T08:00:00Z", "2030-01-08T11:00:00Z", headers=KEY
    )

    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])


async def test_the_same_key_with_another_body_is_422(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk)

    response = await book(api, member, desk, "13:00", "15:00")

    assert_problem(response, 422, "idempotency-key-reused")


async def test_the_same_key_with_another_note_is_422(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk)

    response = await api.book(
        member, desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00"), KEY, note="Hi"
    )

    assert_problem(response, 422, "idempotency-key-reused")


async def test_a_reused_key_with_another_body_books_nothing(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk)
    await book(api, member, desk, "13:00", "15:00")

    assert await total_bookings(api) == 1


async def test_a_failed_attempt_is_not_remembered(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    other = await api.member()
    blocking = await booked(api, other, desk["id"], TUESDAY, "09:00", "12:00")
    refused = await book(api, member, desk)
    await act(api, other, blocking, "cancel")

    response = await book(api, member, desk)

    assert refused.status_code == 409
    assert response.status_code == 201, response.text


async def test_a_key_refused_by_validation_may_carry_a_new_body(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk, "07:00", "09:00")  # before opening: 422

    response = await book(api, member, desk, "09:00", "12:00")

    assert response.status_code == 201, response.text


async def test_keys_belong_to_one_member(api: Api, member: Member, desk: dict[str, Any]) -> None:
    other_desk = await api.desk(desk["location_id"])
    mine = await book(api, member, desk)

    theirs = await book(api, await api.member(), other_desk)

    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_key_is_remembered_for_24_hours(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    first = await book(api, member, desk, day="2030-01-09")
    set_clock("2030-01-08", "06:59")  # 23 h 59 min later

    again = await book(api, member, desk, day="2030-01-09")

    assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])


async def test_a_key_is_free_again_after_24_hours(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    first = await book(api, member, desk, day="2030-01-09")
    set_clock("2030-01-08", "07:00")

    again = await book(api, member, desk, "13:00", "15:00", day="2030-01-09")

    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]


async def test_without_a_key_every_request_books(
    api: Api, member: Member, desk: dict[str, Any]
) -> None:
    await book(api, member, desk, "09:00", "10:00", headers={})

    response = await book(api, member, desk, "10:00", "11:00", headers={})

    assert response.status_code == 201, response.text


async def test_an_empty_key_is_422(api: Api, member: Member, desk: dict[str, Any]) -> None:
    response = await book(api, member, desk, headers={"Idempotency-Key": ""})

    assert_problem(response, 422, "validation-error")
