"""Company seats: the limit at every instant, private bookings, removal and usage figures."""

from datetime import timedelta
from typing import Any

from app.core import clock
from tests.companies.support import (
    COMPANIES,
    active_company,
    employee,
    register_company,
    set_company,
    usage,
)
from tests.conftest import NOW
from tests.factories import Api, Member, assert_problem, local

DAY = "2030-01-08"  # a Tuesday; the frozen "now" is Monday 08:00 in Berlin


async def team(api: Api, seats: int, size: int) -> tuple[Member, dict[str, Any], list[Member]]:
    admin = await api.member()
    company = await active_company(api, admin, seats=seats)
    people = [await employee(api, admin, company["id"]) for _ in range(size)]
    return admin, company, people


async def desks(api: Api, count: int, **overrides: Any) -> list[dict[str, Any]]:
    location = await api.location()
    return [await api.desk(location["id"], **overrides) for _ in range(count)]


async def book(api: Api, member: Member, desk: dict[str, Any], opens: str, closes: str) -> Any:
    return await api.book(member, desk["id"], local(DAY, opens), local(DAY, closes))


async def test_back_to_back_bookings_share_one_seat(api: Api) -> None:
    _, company, (ada, bob) = await team(api, seats=1, size=2)
    one, two = await desks(api, 2)

    first = await book(api, ada, one, "09:00", "10:00")
    second = await book(api, bob, two, "10:00", "11:00")

    assert (first.status_code, second.status_code) == (201, 201)
    assert {first.json()["company_id"], second.json()["company_id"]} == {company["id"]}
    assert_problem(await book(api, bob, two, "09:30", "10:00"), 409, "company-seats-exhausted")


async def test_seat_limit_counts_the_peak_instant_not_every_overlap(api: Api) -> None:
    _, company, (ada, bob, cem, dora) = await team(api, seats=2, size=4)
    one, two, three, four = await desks(api, 4)
    assert (await book(api, ada, one, "09:00", "10:00")).status_code == 201
    assert (await book(api, bob, two, "10:00", "11:00")).status_code == 201

    # Overlaps both, but they never run at once: at most two seats are held at any instant.
    spanning = await book(api, cem, three, "09:30", "10:30")
    assert spanning.status_code == 201, spanning.text
    assert spanning.json()["company_id"] == company["id"]
    # Now 09:30–10:00 and 10:00–10:30 are full; 10:30–11:00 still has a seat.
    exhausted = await book(api, dora, four, "09:45", "10:15")
    body = assert_problem(exhausted, 409, "company-seats-exhausted")
    assert "2 seats" in body["detail"]
    assert (await book(api, dora, four, "10:30", "11:00")).status_code == 201


async def test_cancelled_and_non_workplace_bookings_hold_no_seat(api: Api) -> None:
    admin, company, (ada, bob) = await team(api, seats=1, size=2)
    one, two = await desks(api, 2)
    (room,) = await desks(api, 1, kind="meeting_room", capacity=6)
    first = await book(api, ada, one, "09:00", "12:00")
    assert_problem(await book(api, bob, two, "11:00", "13:00"), 409, "company-seats-exhausted")

    meeting = await book(api, bob, room, "11:00", "12:00")
    assert meeting.status_code == 201
    assert meeting.json()["company_id"] is None
    # The company admin sees the seat booking but may not cancel it.
    cancel = f"/api/v1/bookings/{first.json()['id']}/cancel"
    assert_problem(await api.client.post(cancel, headers=admin.headers), 403, "forbidden")
    assert (await api.client.post(cancel, headers=ada.headers)).status_code == 200
    second = await book(api, bob, two, "11:30", "13:00")
    assert second.status_code == 201
    assert second.json()["company_id"] == company["id"]


async def test_pending_and_suspended_companies_grant_no_seats(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    ada = await employee(api, admin, company["id"])
    one, two = await desks(api, 2)

    pending = await book(api, ada, one, "08:00", "09:00")
    assert pending.json()["company_id"] is None
    await set_company(api, company["id"], status="active", seats=1)
    seated = await book(api, ada, one, "09:00", "10:00")
    assert seated.json()["company_id"] == company["id"]
    await set_company(api, company["id"], status="suspended")
    private = await book(api, ada, two, "10:00", "11:00")

    assert private.status_code == 201
    assert private.json()["company_id"] is None
    kept = await api.client.get(f"/api/v1/bookings/{seated.json()['id']}", headers=ada.headers)
    assert (kept.json()["status"], kept.json()["company_id"]) == ("confirmed", company["id"])


async def test_removed_employee_books_privately_and_future_bookings_leave_the_seats(
    api: Api,
) -> None:
    admin, company, (ada, bob) = await team(api, seats=1, size=2)
    one, two = await desks(api, 2)
    running = await book(api, ada, one, "09:00", "10:00")
    future = await book(api, ada, one, "12:00", "13:00")
    assert_problem(await book(api, bob, two, "12:00", "13:00"), 409, "company-seats-exhausted")
    # Tuesday 09:05 Berlin: the first booking is under way (checked in), the second lies ahead.
    clock.set_now(NOW + timedelta(days=1, hours=1, minutes=5))
    checked_in = await api.client.post(
        f"/api/v1/bookings/{running.json()['id']}/check-in", headers=ada.headers
    )
    assert checked_in.status_code == 200, checked_in.text
    path = f"{COMPANIES}/{company['id']}/employees/{ada.id}"

    assert_problem(await api.client.delete(path, headers=bob.headers), 403, "forbidden")
    assert (await api.client.delete(path, headers=admin.headers)).status_code == 204

    assert_problem(await api.client.delete(path, headers=admin.headers), 404, "not-found")
    mine = await api.client.get("/api/v1/me/bookings", headers=ada.headers)
    assert [(b["id"], b["company_id"]) for b in mine.json()["items"]] == [
        (running.json()["id"], company["id"]),
        (future.json()["id"], None),
    ]
    assert (await book(api, bob, two, "12:00", "13:00")).json()["company_id"] == company["id"]
    later = await book(api, ada, two, "14:00", "15:00")
    assert later.json()["company_id"] is None
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/employees", headers=admin.headers)
    assert [item["id"] for item in listed.json()["items"]] == [bob.id]
    seen = await api.client.get("/api/v1/bookings", headers=admin.headers)
    assert future.json()["id"] not in seen.text


async def test_usage_figures_per_day(api: Api) -> None:
    admin, company, (ada, bob, cem) = await team(api, seats=3, size=3)
    one, two, three = await desks(api, 3)
    for member, desk, day, opens, closes in [
        (ada, one, "2030-01-08", "09:00", "12:00"),
        (bob, two, "2030-01-08", "10:00", "11:30"),
        (cem, three, "2030-01-08", "11:30", "13:00"),
        (ada, one, "2030-01-09", "08:00", "08:45"),
    ]:
        made = await api.book(member, desk["id"], local(day, opens), local(day, closes))
        assert made.status_code == 201, made.text
    cancelled = await api.book(
        bob, two["id"], local("2030-01-09", "08:00"), local("2030-01-09", "10:00")
    )
    assert cancelled.status_code == 201, cancelled.text
    await api.client.post(f"/api/v1/bookings/{cancelled.json()['id']}/cancel", headers=bob.headers)
    # The admin is not an employee: a private booking, not in the company's figures.
    private = await api.book(
        admin, three["id"], local("2030-01-09", "08:00"), local("2030-01-09", "12:00")
    )
    assert (private.status_code, private.json()["company_id"]) == (201, None)

    response = await usage(api, admin, company["id"], "2030-01-08", "2030-01-10")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "company_id": company["id"],
        "from": "2030-01-08",
        "to": "2030-01-10",
        "seats": 3,
        "days": [
            {
                "date": "2030-01-08",
                "seats": 3,
                "booked_hours": 6.0,
                "peak_concurrent_seats": 2,
                "seat_utilization": 0.6667,
            },
            {
                "date": "2030-01-09",
                "seats": 3,
                "booked_hours": 0.75,
                "peak_concurrent_seats": 1,
                "seat_utilization": 0.3333,
            },
            {
                "date": "2030-01-10",
                "seats": 3,
                "booked_hours": 0.0,
                "peak_concurrent_seats": 0,
                "seat_utilization": 0.0,
            },
        ],
        "total": {
            "booked_hours": 6.75,
            "peak_concurrent_seats": 2,
            "seat_days_used": 3,
            "seat_utilization": 0.3333,
        },
    }
    for person in (admin, ada, bob, cem):
        assert person.id not in response.text
    one_day = await usage(api, await api.operator(), company["id"], "2030-01-09", "2030-01-09")
    assert [d["booked_hours"] for d in one_day.json()["days"]] == [0.75]


async def test_usage_peaks_count_simultaneous_starts_and_not_back_to_back(api: Api) -> None:
    admin, company, (ada, bob, cem) = await team(api, seats=3, size=3)
    one, two, three = await desks(api, 3)
    for member, desk, opens, closes in [
        (ada, one, "09:00", "10:00"),
        (bob, two, "09:00", "09:30"),  # starts with Ada: two at once
        (cem, three, "10:00", "11:00"),  # starts as Ada ends: one
        (bob, two, "14:00", "15:00"),
    ]:
        made = await book(api, member, desk, opens, closes)
        assert made.status_code == 201, made.text

    response = await usage(api, admin, company["id"], DAY, DAY)

    assert response.status_code == 200, response.text
    (day,) = response.json()["days"]
    assert (day["peak_concurrent_seats"], day["booked_hours"]) == (2, 3.5)
    assert response.json()["total"]["seat_days_used"] == 2
