"""DESIGN §11: short operationIds and the shared enumerations as named components."""

import re

import httpx

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
ENUMS = {
    "BookingStatus": ["confirmed", "checked_in", "completed", "cancelled", "no_show"],
    "MemberGroup": [
        "freelancer",
        "self_employed",
        "founder",
        "employee",
        "parent",
        "senior",
        "job_seeker",
        "student",
        "other",
    ],
    "Role": ["member", "analyst", "operator"],
    "DeskKind": ["desk", "meeting_room", "parent_child_room"],
    "CommuteMode": ["car", "public_transport", "bike", "foot", "other"],
    "CompanyStatus": ["pending", "active", "suspended"],
    "CompanyRole": ["admin", "employee"],
}


async def _openapi(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, object] = response.json()
    return document


async def test_every_operation_has_a_short_unique_snake_case_id(client: httpx.AsyncClient) -> None:
    paths = (await _openapi(client))["paths"]
    assert isinstance(paths, dict)
    ids = [operation.get("operationId") for item in paths.values() for operation in item.values()]
    assert len(ids) > 70
    assert all(isinstance(name, str) and SNAKE_CASE.match(name) for name in ids), ids
    assert len(set(ids)) == len(ids), sorted(name for name in ids if ids.count(name) > 1)
    # Short: the function's name, not FastAPI's default that appends path and method.
    assert all(len(name) <= 30 and "api_v1" not in name for name in ids), ids
    assert {"create_booking", "list_desks", "read_me", "create_token"} <= set(ids)


async def test_shared_enumerations_are_named_components(client: httpx.AsyncClient) -> None:
    document = await _openapi(client)
    schemas = document["components"]["schemas"]  # type: ignore[index]
    for name, values in ENUMS.items():
        assert schemas[name]["enum"] == values, name
    # Fields refer to the component instead of repeating the values.
    booking = schemas["BookingRead"]["properties"]["status"]
    assert booking["$ref"] == "#/components/schemas/BookingStatus"
    assert schemas["MemberRead"]["properties"]["role"]["$ref"] == "#/components/schemas/Role"
