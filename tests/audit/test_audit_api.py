"""Every operator change lands in the audit trail with who, what, when, before and after."""

from typing import Any

from tests.factories import Api, assert_problem, local


async def _events(api: Api, action: str) -> list[dict[str, Any]]:
    operator = await api.operator()
    response = await api.client.get(
        "/api/v1/audit-events", params={"action": action}, headers=operator.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_role_change_is_recorded_with_before_and_after(api: Api) -> None:
    member = await api.member(role="analyst")
    operator = await api.operator()

    [event] = await _events(api, "member.updated")

    assert event["actor_id"] == operator.id
    assert event["actor_role"] == "operator"
    assert event["target_type"] == "member"
    assert event["target_id"] == member.id
    assert event["before"] == {"role": "member", "active": True}
    assert event["after"] == {"role": "analyst", "active": True}
    assert event["at"].endswith("Z")


async def test_desk_changes_are_recorded(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"], name="Platz 1", features=["monitor"])
    operator = await api.operator()
    await api.client.patch(
        f"/api/v1/desks/{desk['id']}", json={"active": False}, headers=operator.headers
    )

    [created] = await _events(api, "desk.created")
    [updated] = await _events(api, "desk.updated")

    assert created["after"]["name"] == "Platz 1"
    assert updated["before"]["active"] is True
    assert updated["after"]["active"] is False
    assert updated["after"]["features"] == ["monitor"]


async def test_closure_records_the_cancelled_bookings(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    await api.book(member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "11:00"))
    operator = await api.operator()
    closed = await api.client.post(
        f"/api/v1/locations/{location['id']}/closures",
        json={"date": "2030-01-09", "reason": "Wasserschaden"},
        headers=operator.headers,
    )
    assert closed.status_code == 201, closed.text
    await api.client.delete(
        f"/api/v1/locations/{location['id']}/closures/{closed.json()['id']}",
        headers=operator.headers,
    )

    [created] = await _events(api, "closure.created")
    [deleted] = await _events(api, "closure.deleted")

    assert created["after"] == {
        "date": "2030-01-09",
        "reason": "Wasserschaden",
        "cancelled_bookings": 1,
    }
    assert deleted["before"]["date"] == "2030-01-09"


async def test_operator_cancellation_is_recorded_but_the_owners_is_not(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()
    first = await api.book(
        member, desk["id"], local("2030-01-09", "09:00"), local("2030-01-09", "11:00")
    )
    second = await api.book(
        member, desk["id"], local("2030-01-10", "09:00"), local("2030-01-10", "11:00")
    )
    operator = await api.operator()
    await api.client.post(f"/api/v1/bookings/{first.json()['id']}/cancel", headers=operator.headers)
    await api.client.post(f"/api/v1/bookings/{second.json()['id']}/cancel", headers=member.headers)

    events = await _events(api, "booking.cancelled_by_operator")

    assert [event["target_id"] for event in events] == [first.json()["id"]]


async def test_audit_trail_is_newest_first_and_paginated(api: Api) -> None:
    await api.location()
    await api.location()
    operator = await api.operator()
    response = await api.client.get(
        "/api/v1/audit-events", params={"limit": 1}, headers=operator.headers
    )
    body = response.json()
    assert body["total"] == 2
    assert body["limit"] == 1
    assert len(body["items"]) == 1
    everything = (await api.client.get("/api/v1/audit-events", headers=operator.headers)).json()[
        "items"
    ]
    assert everything[0]["at"] >= everything[1]["at"]


async def test_analysts_cannot_read_the_audit_trail(api: Api) -> None:
    analyst = await api.member(role="analyst")
    response = await api.client.get("/api/v1/audit-events", headers=analyst.headers)
    assert_problem(response, 403, "forbidden")
