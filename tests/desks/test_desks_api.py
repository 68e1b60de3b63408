"""Desks and rooms: operators create and change them, everybody reads them."""

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import Api, assert_problem, booked, local

DESKS = "/api/v1/desks"
TUESDAY = "2030-01-08"


async def create(api: Api, body: dict[str, Any]) -> httpx.Response:
    operator = await api.operator()
    return await api.client.post(DESKS, json=body, headers=operator.headers)


async def patch(api: Api, desk_id: str, body: dict[str, Any]) -> httpx.Response:
    operator = await api.operator()
    return await api.client.patch(f"{DESKS}/{desk_id}", json=body, headers=operator.headers)


async def names(api: Api, **params: str) -> list[str]:
    response = await api.client.get(DESKS, params=params)
    assert response.status_code == 200, response.text
    return [desk["name"] for desk in response.json()["items"]]


async def test_operator_creates_a_desk(api: Api) -> None:
    location = await api.location()

    response = await create(
        api,
        {
            "location_id": location["id"],
            "name": "Fensterplatz 1",
            "kind": "desk",
            "features": ["quiet", "monitor", "monitor"],
        },
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert uuid.UUID(body["id"])
    assert body == {
        "id": body["id"],
        "location_id": location["id"],
        "name": "Fensterplatz 1",
        "kind": "desk",
        "capacity": 1,
        "features": ["monitor", "quiet"],
        "active": True,
    }


async def test_operator_creates_a_meeting_room_for_six(api: Api) -> None:
    location = await api.location()

    response = await create(
        api,
        {"location_id": location["id"], "name": "Havel", "kind": "meeting_room", "capacity": 6},
    )

    assert response.status_code == 201, response.text
    assert (response.json()["kind"], response.json()["capacity"]) == ("meeting_room", 6)


async def test_a_desk_with_capacity_other_than_one_is_refused(api: Api) -> None:
    location = await api.location()

    response = await create(
        api, {"location_id": location["id"], "name": "Doppelplatz", "kind": "desk", "capacity": 2}
    )

    assert_problem(response, 422, "validation-error")


async def test_patching_a_desk_to_capacity_two_is_refused(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])

    response = await patch(api, desk["id"], {"capacity": 2})

    assert_problem(response, 422, "validation-error")


async def test_unknown_kind_is_refused(api: Api) -> None:
    location = await api.location()

    response = await create(api, {"location_id": location["id"], "name": "X", "kind": "sofa"})

    assert_problem(response, 422, "validation-error")


async def test_a_desk_at_an_unknown_location_is_404(api: Api) -> None:
    response = await create(api, {"location_id": str(uuid.uuid4()), "name": "Platz 1"})

    assert_problem(response, 404, "not-found")


async def test_member_may_not_create_a_desk(api: Api) -> None:
    location = await api.location()
    member = await api.member()

    response = await api.client.post(
        DESKS, json={"location_id": location["id"], "name": "Mein Platz"}, headers=member.headers
    )

    assert_problem(response, 403, "forbidden")


async def test_anonymous_caller_may_not_create_a_desk(api: Api) -> None:
    location = await api.location()

    response = await api.client.post(DESKS, json={"location_id": location["id"], "name": "P"})

    assert_problem(response, 401, "not-authenticated")


async def test_desk_name_is_unique_per_location(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="Platz 1")

    response = await create(api, {"location_id": location["id"], "name": "Platz 1"})

    assert_problem(response, 409, "conflict")


@pytest.mark.parametrize("name", ["platz 1", "PLATZ 1", "pLaTz 1"])
async def test_desk_name_is_unique_per_location_ignoring_case(api: Api, name: str) -> None:
    location = await api.location()
    await api.desk(location["id"], name="Platz 1")
    desk = await api.desk(location["id"], name="Platz 2")

    created = await create(api, {"location_id": location["id"], "name": name})
    renamed = await patch(api, desk["id"], {"name": name})

    assert_problem(created, 409, "conflict")
    assert_problem(renamed, 409, "conflict")
    listed = await api.client.get(DESKS, params={"location_id": location["id"]})
    assert sorted(item["name"] for item in listed.json()["items"]) == ["Platz 1", "Platz 2"]


async def test_a_desk_may_change_the_case_of_its_own_name(api: Api) -> None:
    desk = await api.desk((await api.location())["id"], name="Platz 1")

    response = await patch(api, desk["id"], {"name": "PLATZ 1"})

    assert (response.status_code, response.json()["name"]) == (200, "PLATZ 1")


async def test_the_same_desk_name_may_exist_at_another_location(api: Api) -> None:
    await api.desk((await api.location())["id"], name="Platz 1")
    other = await api.location()

    response = await create(api, {"location_id": other["id"], "name": "Platz 1"})

    assert response.status_code == 201, response.text


async def test_renaming_a_desk_to_a_taken_name_is_409(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="Platz 1")
    desk = await api.desk(location["id"], name="Platz 2")

    response = await patch(api, desk["id"], {"name": "Platz 1"})

    assert_problem(response, 409, "conflict")


async def test_patch_changes_only_the_fields_sent(api: Api) -> None:
    desk = await api.desk((await api.location())["id"], features=["monitor"])

    response = await patch(api, desk["id"], {"name": "Ecke"})

    assert response.status_code == 200, response.text
    assert response.json() == {**desk, "name": "Ecke"}


async def test_patch_replaces_the_features(api: Api) -> None:
    desk = await api.desk((await api.location())["id"], features=["monitor", "quiet"])

    response = await patch(api, desk["id"], {"features": ["standing", "quiet"]})

    assert response.json()["features"] == ["quiet", "standing"]


async def test_patch_may_change_a_room_capacity(api: Api) -> None:
    room = await api.desk((await api.location())["id"], kind="meeting_room", capacity=6)

    response = await patch(api, room["id"], {"capacity": 8})

    assert response.json()["capacity"] == 8


async def test_patch_may_not_change_the_kind(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])

    response = await patch(api, desk["id"], {"kind": "meeting_room"})

    assert_problem(response, 422, "validation-error")


async def test_member_may_not_patch_a_desk(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])
    member = await api.member()

    response = await api.client.patch(
        f"{DESKS}/{desk['id']}", json={"active": False}, headers=member.headers
    )

    assert_problem(response, 403, "forbidden")


async def test_patch_of_an_unknown_desk_is_404(api: Api) -> None:
    response = await patch(api, str(uuid.uuid4()), {"name": "Nirgends"})

    assert_problem(response, 404, "not-found")


async def test_anyone_reads_a_desk(api: Api) -> None:
    desk = await api.desk((await api.location())["id"], features=["standing"])

    response = await api.client.get(f"{DESKS}/{desk['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == desk


async def test_unknown_desk_is_404(api: Api) -> None:
    response = await api.client.get(f"{DESKS}/{uuid.uuid4()}")

    assert_problem(response, 404, "not-found")


async def test_desk_list_is_ordered_by_name_within_a_location(api: Api) -> None:
    location = await api.location()
    for name in ["C", "A", "B"]:
        await api.desk(location["id"], name=name)

    assert await names(api, location_id=location["id"]) == ["A", "B", "C"]


async def test_desk_list_answers_the_list_shape(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])

    response = await api.client.get(DESKS)

    assert response.json() == {"items": [desk], "total": 1, "limit": 50, "offset": 0}


async def test_desk_list_filters_by_location(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="Hier")
    await api.desk((await api.location())["id"], name="Dort")

    assert await names(api, location_id=location["id"]) == ["Hier"]


async def test_desk_list_filters_by_kind(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="Platz")
    await api.desk(location["id"], name="Havel", kind="meeting_room", capacity=6)
    await api.desk(location["id"], name="Kinderzimmer", kind="parent_child_room", capacity=2)

    assert await names(api, kind="meeting_room") == ["Havel"]


async def test_desk_list_filters_by_feature(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="A", features=["monitor", "quiet"])
    await api.desk(location["id"], name="B", features=["standing"])
    await api.desk(location["id"], name="C", features=["quiet"])

    assert await names(api, feature="quiet") == ["A", "C"]


async def test_desk_list_combines_filters(api: Api) -> None:
    location = await api.location()
    await api.desk(location["id"], name="A", features=["accessible"])
    await api.desk(location["id"], name="B", kind="meeting_room", features=["accessible"])

    assert await names(api, kind="desk", feature="accessible") == ["A"]


async def test_desk_list_refuses_an_unknown_kind(api: Api) -> None:
    response = await api.client.get(DESKS, params={"kind": "sofa"})

    assert_problem(response, 422, "validation-error")


async def test_desk_list_includes_inactive_desks(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])
    await patch(api, desk["id"], {"active": False})

    response = await api.client.get(DESKS)

    assert [(item["id"], item["active"]) for item in response.json()["items"]] == [
        (desk["id"], False)
    ]


async def test_a_deactivated_desk_refuses_new_bookings(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])
    await patch(api, desk["id"], {"active": False})

    response = await api.book(
        await api.member(), desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert_problem(response, 422, "validation-error")


async def test_a_deactivated_desk_keeps_its_bookings_readable(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])
    member = await api.member()
    booking = await booked(api, member, desk["id"], TUESDAY, "09:00", "12:00")
    await patch(api, desk["id"], {"active": False})

    response = await api.client.get(f"/api/v1/bookings/{booking['id']}", headers=member.headers)

    assert response.status_code == 200, response.text
    assert response.json() == booking


async def test_a_reactivated_desk_takes_bookings_again(api: Api) -> None:
    desk = await api.desk((await api.location())["id"])
    await patch(api, desk["id"], {"active": False})
    await patch(api, desk["id"], {"active": True})

    response = await api.book(
        await api.member(), desk["id"], local(TUESDAY, "09:00"), local(TUESDAY, "12:00")
    )

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("feature", ["Monitor", "with space", "x" * 41])
async def test_malformed_features_are_refused(api: Api, feature: str) -> None:
    location = await api.location()

    response = await create(
        api, {"location_id": location["id"], "name": "Platz", "features": [feature]}
    )

    assert_problem(response, 422, "validation-error")
