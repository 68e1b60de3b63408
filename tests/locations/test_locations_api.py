"""Locations: operators create and change them, everybody reads them (DESIGN.md §5)."""

import uuid
from typing import Any

import httpx
import pytest

from tests.factories import ALL_WEEK, Api, assert_problem

LOCATIONS = "/api/v1/locations"
DEFAULT_RULES = {
    "min_duration_minutes": 30,
    "max_duration_minutes": 600,
    "max_advance_days": 60,
    "check_in_grace_minutes": 30,
    "max_active_bookings_per_member": 10,
}


def location_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "CoWorking Oranienburg",
        "municipality": "Oranienburg",
        "address": "Bernauer Straße 1, 16515 Oranienburg",
        "timezone": "Europe/Berlin",
        "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "20:00"}],
    }
    body.update(overrides)
    return body


async def create(api: Api, body: dict[str, Any]) -> httpx.Response:
    operator = await api.operator()
    return await api.client.post(LOCATIONS, json=body, headers=operator.headers)


async def patch(api: Api, location_id: str, body: dict[str, Any]) -> httpx.Response:
    operator = await api.operator()
    return await api.client.patch(f"{LOCATIONS}/{location_id}", json=body, headers=operator.headers)


async def test_operator_creates_a_location(api: Api) -> None:
    response = await create(api, location_body())

    assert response.status_code == 201, response.text
    body = response.json()
    assert uuid.UUID(body["id"])
    assert {key: value for key, value in body.items() if key != "id"} == {
        "name": "CoWorking Oranienburg",
        "municipality": "Oranienburg",
        "address": "Bernauer Straße 1, 16515 Oranienburg",
        "timezone": "Europe/Berlin",
        "opening_hours": [{"weekday": 0, "opens": "08:00", "closes": "20:00"}],
        "booking_rules": DEFAULT_RULES,
    }


async def test_member_may_not_create_a_location(api: Api) -> None:
    member = await api.member()

    response = await api.client.post(LOCATIONS, json=location_body(), headers=member.headers)

    assert_problem(response, 403, "forbidden")


async def test_anonymous_caller_may_not_create_a_location(api: Api) -> None:
    response = await api.client.post(LOCATIONS, json=location_body())

    assert_problem(response, 401, "not-authenticated")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_booking_rules_sent_in_part_keep_the_other_defaults(api: Api) -> None:
    response = await create(api, location_body(booking_rules={"max_advance_days": 14}))

    assert response.status_code == 201, response.text
    assert response.json()["booking_rules"] == {**DEFAULT_RULES, "max_advance_days": 14}


async def test_timezone_defaults_to_berlin(api: Api) -> None:
    body = location_body()
    del body["timezone"]

    response = await create(api, body)

    assert response.status_code == 201, response.text
    assert response.json()["timezone"] == "Europe/Berlin"


async def test_closes_may_be_midnight_of_the_next_day(api: Api) -> None:
    hours = [{"weekday": 5, "opens": "00:00", "closes": "24:00"}]

    response = await create(api, location_body(opening_hours=hours))

    assert response.status_code == 201, response.text
    assert response.json()["opening_hours"] == hours


async def test_a_day_may_have_several_intervals_and_another_none(api: Api) -> None:
    hours = [
        {"weekday": 2, "opens": "08:00", "closes": "12:00"},
        {"weekday": 2, "opens": "12:00", "closes": "13:00"},
        {"weekday": 2, "opens": "14:00", "closes": "20:00"},
    ]

    response = await create(api, location_body(opening_hours=hours))

    assert response.status_code == 201, response.text
    assert response.json()["opening_hours"] == hours


async def test_opening_hours_are_answered_in_weekday_then_time_order(api: Api) -> None:
    hours = [
        {"weekday": 4, "opens": "08:00", "closes": "12:00"},
        {"weekday": 1, "opens": "14:00", "closes": "18:00"},
        {"weekday": 1, "opens": "08:00", "closes": "12:00"},
    ]

    response = await create(api, location_body(opening_hours=hours))

    assert response.json()["opening_hours"] == [hours[2], hours[1], hours[0]]


@pytest.mark.parametrize(
    "hours",
    [
        [
            {"weekday": 0, "opens": "08:00", "closes": "12:00"},
            {"weekday": 0, "opens": "11:00", "closes": "14:00"},
        ],
        [
            {"weekday": 3, "opens": "08:00", "closes": "20:00"},
            {"weekday": 3, "opens": "09:00", "closes": "10:00"},
        ],
        [
            {"weekday": 6, "opens": "10:00", "closes": "12:00"},
            {"weekday": 6, "opens": "10:00", "closes": "12:00"},
        ],
    ],
    ids=["partly", "nested", "identical"],
)
async def test_overlapping_intervals_of_one_day_are_refused(
    api: Api, hours: list[dict[str, Any]]
) -> None:
    response = await create(api, location_body(opening_hours=hours))

    assert_problem(response, 422, "validation-error")


async def test_the_same_hours_on_different_days_do_not_overlap(api: Api) -> None:
    hours = [
        {"weekday": 0, "opens": "08:00", "closes": "20:00"},
        {"weekday": 1, "opens": "08:00", "closes": "20:00"},
    ]

    response = await create(api, location_body(opening_hours=hours))

    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("opens", "closes"),
    [("12:00", "12:00"), ("14:00", "09:00"), ("24:00", "24:00")],
    ids=["empty", "backwards", "opens-at-24"],
)
async def test_opens_must_be_before_closes(api: Api, opens: str, closes: str) -> None:
    hours = [{"weekday": 0, "opens": opens, "closes": closes}]

    response = await create(api, location_body(opening_hours=hours))

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("clock_time", ["8:00", "25:00", "12:60", "24:30", "noon"])
async def test_malformed_wall_clock_times_are_refused(api: Api, clock_time: str) -> None:
    hours = [{"weekday": 0, "opens": "07:00", "closes": clock_time}]

    response = await create(api, location_body(opening_hours=hours))

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("weekday", [-1, 7])
async def test_weekday_is_zero_to_six(api: Api, weekday: int) -> None:
    hours = [{"weekday": weekday, "opens": "08:00", "closes": "20:00"}]

    response = await create(api, location_body(opening_hours=hours))

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe/berlin", ""])
async def test_unknown_time_zone_is_refused(api: Api, zone: str) -> None:
    response = await create(api, location_body(timezone=zone))

    assert_problem(response, 422, "validation-error")


async def test_min_duration_above_max_duration_is_refused(api: Api) -> None:
    rules = {"min_duration_minutes": 120, "max_duration_minutes": 60}

    response = await create(api, location_body(booking_rules=rules))

    assert_problem(response, 422, "validation-error")


async def test_unknown_fields_are_refused(api: Api) -> None:
    response = await create(api, location_body(capacity=40))

    assert_problem(response, 422, "validation-error")


async def test_patch_changes_only_the_fields_sent(api: Api) -> None:
    location = await api.location(booking_rules={"max_advance_days": 30})

    response = await patch(api, location["id"], {"name": "CoWorking Velten"})

    assert response.status_code == 200, response.text
    assert response.json() == {**location, "name": "CoWorking Velten"}


async def test_patch_replaces_the_opening_hours(api: Api) -> None:
    location = await api.location()
    hours = [{"weekday": 5, "opens": "09:00", "closes": "14:00"}]

    response = await patch(api, location["id"], {"opening_hours": hours})

    assert response.json() == {**location, "opening_hours": hours}


async def test_patch_changes_only_the_booking_rules_sent(api: Api) -> None:
    location = await api.location(booking_rules={"max_advance_days": 30})

    response = await patch(api, location["id"], {"booking_rules": {"check_in_grace_minutes": 10}})

    assert response.status_code == 200, response.text
    assert response.json()["booking_rules"] == {
        **DEFAULT_RULES,
        "max_advance_days": 30,
        "check_in_grace_minutes": 10,
    }


async def test_patch_refuses_a_min_duration_above_the_stored_max(api: Api) -> None:
    location = await api.location()

    response = await patch(api, location["id"], {"booking_rules": {"min_duration_minutes": 700}})

    assert_problem(response, 422, "validation-error")


async def test_patch_is_persisted(api: Api) -> None:
    location = await api.location()
    await patch(api, location["id"], {"municipality": "Hennigsdorf"})

    response = await api.client.get(f"{LOCATIONS}/{location['id']}")

    assert response.json()["municipality"] == "Hennigsdorf"


async def test_patch_refuses_overlapping_hours(api: Api) -> None:
    location = await api.location()
    hours = [
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        {"weekday": 0, "opens": "10:00", "closes": "14:00"},
    ]

    response = await patch(api, location["id"], {"opening_hours": hours})

    assert_problem(response, 422, "validation-error")


async def test_patch_refuses_null_for_a_required_field(api: Api) -> None:
    location = await api.location()

    response = await patch(api, location["id"], {"name": None})

    assert_problem(response, 422, "validation-error")


async def test_patch_refuses_an_unknown_time_zone(api: Api) -> None:
    location = await api.location()

    response = await patch(api, location["id"], {"timezone": "Europe/Oranienburg"})

    assert_problem(response, 422, "validation-error")


async def test_member_may_not_patch_a_location(api: Api) -> None:
    location = await api.location()
    member = await api.member()

    response = await api.client.patch(
        f"{LOCATIONS}/{location['id']}", json={"name": "Mine"}, headers=member.headers
    )

    assert_problem(response, 403, "forbidden")


async def test_patch_of_an_unknown_location_is_404(api: Api) -> None:
    response = await patch(api, str(uuid.uuid4()), {"name": "Nowhere"})

    assert_problem(response, 404, "not-found")


async def test_anyone_reads_a_location(api: Api) -> None:
    location = await api.location()

    response = await api.client.get(f"{LOCATIONS}/{location['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == location


async def test_unknown_location_is_404(api: Api) -> None:
    response = await api.client.get(f"{LOCATIONS}/{uuid.uuid4()}")

    assert_problem(response, 404, "not-found")


async def test_a_malformed_location_id_is_422(api: Api) -> None:
    response = await api.client.get(f"{LOCATIONS}/not-a-uuid")

    assert_problem(response, 422, "validation-error")


async def test_anyone_lists_locations_ordered_by_name(api: Api) -> None:
    velten = await api.location(name="CoWorking Velten")
    hennigsdorf = await api.location(name="CoWorking Hennigsdorf")
    oranienburg = await api.location(name="CoWorking Oranienburg", opening_hours=ALL_WEEK)

    response = await api.client.get(LOCATIONS)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "items": [hennigsdorf, oranienburg, velten],
        "total": 3,
        "limit": 50,
        "offset": 0,
    }


async def test_location_list_pages(api: Api) -> None:
    names = ["A", "B", "C"]
    for name in names:
        await api.location(name=name)

    response = await api.client.get(LOCATIONS, params={"limit": 1, "offset": 1})

    body = response.json()
    assert [item["name"] for item in body["items"]] == ["B"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 1, 1)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}])
async def test_location_list_refuses_out_of_range_paging(api: Api, params: dict[str, int]) -> None:
    response = await api.client.get(LOCATIONS, params=params)

    assert_problem(response, 422, "validation-error")


async def test_patch_accepts_a_min_duration_below_the_stored_max(api: Api) -> None:
    location = await api.location(booking_rules={"max_duration_minutes": 900})

    response = await patch(api, location["id"], {"booking_rules": {"min_duration_minutes": 700}})

    assert response.status_code == 200, response.text
    rules = response.json()["booking_rules"]
    assert (rules["min_duration_minutes"], rules["max_duration_minutes"]) == (700, 900)
