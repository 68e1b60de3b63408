"""Statistics for the pilot evaluation (DESIGN.md §6): exact figures on small hand-made data.

The frozen "now" is Monday 2030-01-07 08:00 Berlin; bookings are made then (or wherever the
clock is moved) and read later, once the clock has moved past them.

Every test runs twice: once reading each booking (``live``), once with the statistics rollup
(``app.stats.rollup``) brought up to date right before each statistics request (``sealed``),
so that every booking that can no longer change is read from its sums. The expected figures
are the same.
"""

import csv
import io
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core import clock
from app.stats import rollup, service
from app.stats.schemas import StatsQuery
from tests.factories import (
    Api,
    Member,
    assert_problem,
    at_local,
    booked,
    booking_action,
    close_day,
    local,
    stats,
)

ALL_DAY = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(7)]
#: Bookings far ahead and as long as a day (the daylight-saving Sundays of 2030).
FAR = {"max_advance_days": 365, "max_duration_minutes": 1440}
ENDPOINTS: list[service.Endpoint] = [
    "utilization",
    "heatmap",
    "bookings",
    "member-groups",
    "commute",
    "companies",
    "summary",
]
FIGURES = ("available_hours", "booked_hours", "used_hours", "utilization", "occupancy")


def figures(available: float, booked: float, used: float) -> dict[str, float]:
    """The five figures from hours, ratios as the service computes them."""
    return {
        "available_hours": available,
        "booked_hours": booked,
        "used_hours": used,
        "utilization": booked / available if available else 0.0,
        "occupancy": used / available if available else 0.0,
    }


def only_figures(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in FIGURES}


async def book_to_midnight(
    api: Api, member: Member, desk: dict[str, Any], day: str, opens: str, next_day: str
) -> None:
    """A booking from ``opens`` on ``day`` to the following local midnight."""
    response = await api.book(member, desk["id"], local(day, opens), local(next_day, "00:00"))
    assert response.status_code == 201, response.text


def set_clock(day: str, hhmm: str) -> None:
    clock.set_now(at_local(day, hhmm))


def min_group_size(app: FastAPI, k: int) -> None:
    """Run the app with another k for k-anonymity."""
    app.state.settings = app.state.settings.model_copy(update={"stats_min_group_size": k})


async def read(api: Api, analyst: Member, endpoint: str, **params: str) -> Any:
    response = await stats(api, analyst, endpoint, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


async def read_csv(api: Api, analyst: Member, endpoint: str, **params: str) -> list[dict[str, str]]:
    response = await stats(api, analyst, endpoint, format="csv", **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.fixture(autouse=True, params=["live", "sealed"])
def rollup_mode(request: pytest.FixtureRequest, app: FastAPI, api: Api) -> str:
    if request.param == "sealed":

        async def seal(outgoing: httpx.Request) -> None:
            if outgoing.url.path.startswith("/api/v1/stats/"):
                await rollup.refresh(app.state.database, clock.now())

        api.client.event_hooks["request"].append(seal)
    return str(request.param)


@pytest.fixture
async def analyst(api: Api) -> Member:
    return await api.member("analyst")


# --- utilization --------------------------------------------------------------------------


async def test_utilization_per_day_counts_bookings_check_ins_and_closures(
    api: Api, analyst: Member
) -> None:
    location = await api.location()  # 08:00–20:00 every day
    desk1 = await api.desk(location["id"])
    desk2 = await api.desk(location["id"])
    room = await api.desk(location["id"], kind="meeting_room", capacity=6)
    first, second = await api.member(), await api.member()
    used = await booked(api, first, desk1["id"], "2030-01-08", "09:00", "12:00")
    cancelled = await booked(api, second, desk2["id"], "2030-01-08", "10:00", "11:30")
    await booked(api, second, room["id"], "2030-01-08", "13:00", "14:00")
    await booked(api, first, desk1["id"], "2030-01-09", "14:00", "18:00")  # nobody comes
    await booking_action(api, second, cancelled, "cancel")
    assert (await close_day(api, location["id"], "2030-01-10")).status_code == 201
    set_clock("2030-01-08", "09:00")
    await booking_action(api, first, used, "check-in")
    set_clock("2030-01-08", "11:00")
    await booking_action(api, first, used, "check-out")
    set_clock("2030-01-11", "08:00")

    body = await read(api, analyst, "utilization", **{"from": "2030-01-08", "to": "2030-01-10"})

    assert body == {
        "periods": [
            {"start": "2030-01-08", "end": "2030-01-08", **figures(36, 4, 2)},
            {"start": "2030-01-09", "end": "2030-01-09", **figures(36, 4, 0)},
            {"start": "2030-01-10", "end": "2030-01-10", **figures(0, 0, 0)},
        ],
        "total": {"start": "2030-01-08", "end": "2030-01-10", **figures(72, 8, 2)},
    }
    desks_only = await read(
        api, analyst, "utilization", **{"from": "2030-01-08", "to": "2030-01-10", "kind": "desk"}
    )
    assert [only_figures(period) for period in desks_only["periods"]] == [
        figures(24, 3, 2),
        figures(24, 4, 0),
        figures(0, 0, 0),
    ]
    rooms = await read(
        api,
        analyst,
        "utilization",
        **{"from": "2030-01-08", "to": "2030-01-08", "kind": "meeting_room"},
    )
    assert only_figures(rooms["total"]) == figures(12, 1, 0)


async def test_a_booking_is_split_between_the_local_days_it_spans(
    api: Api, analyst: Member
) -> None:
    location = await api.location(opening_hours=ALL_DAY, booking_rules=FAR)
    desk = await api.desk(location["id"])
    member = await api.member()
    await book_to_midnight(api, member, desk, "2030-01-08", "22:00", "2030-01-09")  # 21–23 UTC
    operator = await api.operator()
    # In Helsinki (UTC+2) the same two hours run from 23:00 to 01:00 across midnight.
    moved = await api.client.patch(
        f"/api/v1/locations/{location['id']}",
        json={"timezone": "Europe/Helsinki"},
        headers=operator.headers,
    )
    assert moved.status_code == 200, moved.text
    set_clock("2030-01-10", "08:00")

    tuesday = await read(api, analyst, "utilization", **{"from": "2030-01-08", "to": "2030-01-08"})
    both = await read(api, analyst, "utilization", **{"from": "2030-01-08", "to": "2030-01-09"})
    wednesday = await read(api, analyst, "bookings", **{"from": "2030-01-09", "to": "2030-01-09"})
    tuesday_bookings = await read(
        api, analyst, "bookings", **{"from": "2030-01-08", "to": "2030-01-08"}
    )

    assert only_figures(tuesday["total"]) == figures(24, 1, 0)
    assert [only_figures(period) for period in both["periods"]] == [
        figures(24, 1, 0),
        figures(24, 1, 0),
    ]
    assert only_figures(both["total"]) == figures(48, 2, 0)
    # Counts take the bookings whose start falls in the range.
    assert tuesday_bookings["total"] == 1
    assert wednesday["total"] == 0


@pytest.mark.parametrize(
    ("day", "opens", "closes", "available", "booked_hours"),
    [
        ("2030-03-31", "01:00", "04:00", 23, 2),  # clocks go forward at 02:00
        ("2030-10-27", "01:30", "03:30", 25, 3),  # clocks go back at 03:00
    ],
)
async def test_daylight_saving_days_have_their_real_length(
    api: Api,
    analyst: Member,
    day: str,
    opens: str,
    closes: str,
    available: int,
    booked_hours: int,
) -> None:
    location = await api.location(opening_hours=ALL_DAY, booking_rules=FAR)
    desk = await api.desk(location["id"])
    member = await api.member()
    await booked(api, member, desk["id"], day, opens, closes)
    set_clock("2030-11-01", "08:00")

    body = await read(api, analyst, "utilization", **{"from": day, "to": day})

    assert body["periods"] == [{"start": day, "end": day, **figures(available, booked_hours, 0)}]


async def test_heatmap_on_daylight_saving_sundays(api: Api, analyst: Member) -> None:
    location = await api.location(opening_hours=ALL_DAY, booking_rules=FAR)
    desk = await api.desk(location["id"])
    member = await api.member()
    await booked(api, member, desk["id"], "2030-03-31", "01:00", "04:00")
    await booked(api, member, desk["id"], "2030-10-27", "01:30", "03:30")
    set_clock("2030-11-01", "08:00")

    spring = await read(api, analyst, "heatmap", **{"from": "2030-03-31", "to": "2030-03-31"})
    autumn = await read(api, analyst, "heatmap", **{"from": "2030-10-27", "to": "2030-10-27"})

    sunday = [cell for cell in spring["cells"] if cell["weekday"] == 6]
    assert [cell["available_hours"] for cell in sunday] == [1.0] * 2 + [0.0] + [1.0] * 21
    assert [cell["booked_hours"] for cell in sunday[:5]] == [0.0, 1.0, 0.0, 1.0, 0.0]
    sunday = [cell for cell in autumn["cells"] if cell["weekday"] == 6]
    assert [cell["available_hours"] for cell in sunday] == [1.0] * 2 + [2.0] + [1.0] * 21
    assert [cell["booked_hours"] for cell in sunday[:5]] == [0.0, 0.5, 2.0, 0.5, 0.0]
    assert sum(cell["available_hours"] for cell in autumn["cells"]) == 25


async def test_weeks_start_on_monday_and_months_on_the_first_local_day(
    api: Api, analyst: Member
) -> None:
    location = await api.location(opening_hours=ALL_DAY, booking_rules=FAR)
    desk = await api.desk(location["id"])
    member = await api.member()
    # Each starts at local midnight, which is still the previous day in UTC.
    await booked(api, member, desk["id"], "2030-01-14", "00:00", "01:00")  # a Monday
    await book_to_midnight(api, member, desk, "2030-01-31", "23:00", "2030-02-01")
    await booked(api, member, desk["id"], "2030-02-01", "00:00", "02:00")
    set_clock("2030-02-20", "08:00")
    span = {"from": "2030-01-03", "to": "2030-02-12"}  # Thursday to Tuesday

    weeks = await read(api, analyst, "utilization", granularity="week", **span)
    months = await read(api, analyst, "utilization", granularity="month", **span)

    assert [
        (p["start"], p["end"], p["available_hours"], p["booked_hours"]) for p in weeks["periods"]
    ] == [
        ("2030-01-03", "2030-01-06", 96.0, 0.0),
        ("2030-01-07", "2030-01-13", 168.0, 0.0),
        ("2030-01-14", "2030-01-20", 168.0, 1.0),
        ("2030-01-21", "2030-01-27", 168.0, 0.0),
        ("2030-01-28", "2030-02-03", 168.0, 3.0),
        ("2030-02-04", "2030-02-10", 168.0, 0.0),
        ("2030-02-11", "2030-02-12", 48.0, 0.0),
    ]
    assert months["periods"] == [
        {"start": "2030-01-03", "end": "2030-01-31", **figures(696, 2, 0)},
        {"start": "2030-02-01", "end": "2030-02-12", **figures(288, 2, 0)},
    ]
    assert months["total"] == {"start": "2030-01-03", "end": "2030-02-12", **figures(984, 4, 0)}


async def test_each_location_counts_its_own_local_days(api: Api, analyst: Member) -> None:
    berlin = await api.location()
    london = await api.location(timezone="Europe/London")
    await api.desk(berlin["id"])
    london_desk = await api.desk(london["id"])
    member = await api.member()
    # 08:00 in London is 09:00 in Berlin: the booking belongs to London's Tuesday.
    response = await api.book(
        member, london_desk["id"], "2030-01-08T08:00:00+00:00", "2030-01-08T10:00:00Z"
    )
    assert response.status_code == 201, response.text
    set_clock("2030-01-09", "08:00")
    tuesday = {"from": "2030-01-08", "to": "2030-01-08"}

    everywhere = await read(api, analyst, "utilization", **tuesday)
    only_london = await read(api, analyst, "utilization", location_id=london["id"], **tuesday)
    only_berlin = await read(api, analyst, "utilization", location_id=berlin["id"], **tuesday)

    assert only_figures(everywhere["total"]) == figures(24, 2, 0)
    assert only_figures(only_london["total"]) == figures(12, 2, 0)
    assert only_figures(only_berlin["total"]) == figures(12, 0, 0)


# --- heatmap ------------------------------------------------------------------------------


async def test_heatmap_splits_bookings_and_check_ins_into_local_hours(
    api: Api, analyst: Member
) -> None:
    location = await api.location()  # 08:00–20:00 every day
    desk = await api.desk(location["id"])
    member = await api.member()
    visit = await booked(api, member, desk["id"], "2030-01-15", "09:30", "11:00")  # Tuesday
    await booked(api, member, desk["id"], "2030-01-20", "19:00", "20:00")  # Sunday
    set_clock("2030-01-15", "09:45")
    await booking_action(api, member, visit, "check-in")
    set_clock("2030-01-15", "10:30")
    await booking_action(api, member, visit, "check-out")
    set_clock("2030-01-21", "08:00")

    body = await read(api, analyst, "heatmap", **{"from": "2030-01-14", "to": "2030-01-20"})

    cells = {(cell["weekday"], cell["hour"]): only_figures(cell) for cell in body["cells"]}
    assert [(cell["weekday"], cell["hour"]) for cell in body["cells"]] == [
        (weekday, hour) for weekday in range(7) for hour in range(24)
    ]
    assert cells[(1, 9)] == figures(1, 0.5, 0.25)
    assert cells[(1, 10)] == figures(1, 1, 0.5)
    assert cells[(6, 19)] == figures(1, 1, 0)
    assert cells[(0, 7)] == figures(0, 0, 0)
    assert cells[(3, 8)] == figures(1, 0, 0)
    assert sum(cell["available_hours"] for cell in body["cells"]) == 7 * 12
    assert sum(cell["booked_hours"] for cell in body["cells"]) == 2.5
    assert sum(cell["used_hours"] for cell in body["cells"]) == 0.75


# --- bookings -----------------------------------------------------------------------------


async def test_booking_counts_rates_lead_time_and_duration(api: Api, analyst: Member) -> None:
    location = await api.location()
    desk1 = await api.desk(location["id"])
    desk2 = await api.desk(location["id"])
    first, second = await api.member(), await api.member()
    # Made Monday 08:00.
    completed = await booked(api, first, desk1["id"], "2030-01-08", "09:00", "10:00")  # 25 h ahead
    await booked(api, first, desk1["id"], "2030-01-08", "11:00", "13:00")  # 27 h, a no-show
    cancelled = await booked(api, second, desk2["id"], "2030-01-08", "09:00", "12:00")  # 25 h
    await booking_action(api, second, cancelled, "cancel")
    set_clock("2030-01-07", "20:00")
    running = await booked(api, second, desk2["id"], "2030-01-09", "10:00", "14:00")  # 38 h
    await booked(api, first, desk1["id"], "2030-01-10", "09:00", "10:30")  # 61 h, still ahead
    set_clock("2030-01-08", "09:00")
    await booking_action(api, first, completed, "check-in")
    set_clock("2030-01-08", "09:30")
    await booking_action(api, first, completed, "check-out")
    set_clock("2030-01-09", "10:00")
    await booking_action(api, second, running, "check-in")
    set_clock("2030-01-09", "11:00")

    body = await read(api, analyst, "bookings", **{"from": "2030-01-08", "to": "2030-01-10"})
    later = await read(api, analyst, "bookings", **{"from": "2030-01-09", "to": "2030-01-10"})
    empty = await read(api, analyst, "bookings", **{"from": "2030-02-01", "to": "2030-02-01"})

    assert body == {
        "total": 5,
        "by_status": {
            "confirmed": 1,
            "checked_in": 1,
            "completed": 1,
            "cancelled": 1,
            "no_show": 1,
        },
        "no_show_rate": 1 / 3,  # of the three begun bookings not cancelled
        "cancellation_rate": 1 / 5,
        "median_lead_time_hours": 27.0,  # 25, 25, 27, 38, 61
        "mean_duration_hours": 8.5 / 4,  # 1, 2, 4 and 1.5 hours; the cancelled one left out
    }
    assert later["median_lead_time_hours"] == 49.5  # 38 and 61
    assert later["total"] == 2
    assert later["no_show_rate"] == 0.0
    assert empty == {
        "total": 0,
        "by_status": dict.fromkeys(
            ("confirmed", "checked_in", "completed", "cancelled", "no_show"), 0
        ),
        "no_show_rate": 0.0,
        "cancellation_rate": 0.0,
        "median_lead_time_hours": None,
        "mean_duration_hours": None,
    }


# --- member groups and k-anonymity --------------------------------------------------------


async def _members_with_bookings(api: Api, groups: list[list[str]]) -> list[Member]:
    """One member per entry, each booking one hour of Tuesday 2030-01-08 at one desk."""
    location = await api.location()
    desk = await api.desk(location["id"])
    members = []
    for index, member_groups in enumerate(groups):
        member = await api.member(groups=member_groups)
        await booked(
            api, member, desk["id"], "2030-01-08", f"{8 + index:02d}:00", f"{9 + index:02d}:00"
        )
        members.append(member)
    return members


def _group_rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["group"]: row for row in body["groups"]}


async def test_member_groups_suppress_the_smallest_rows(api: Api, analyst: Member) -> None:
    # k = 5: freelancer 6 members, parent 5, senior 4 (k − 1).
    await _members_with_bookings(
        api,
        [["freelancer", "parent", "senior"]] * 4 + [["freelancer", "parent"], ["freelancer"]],
    )
    set_clock("2030-01-09", "08:00")

    body = await read(api, analyst, "member-groups", **{"from": "2030-01-08", "to": "2030-01-08"})

    rows = _group_rows(body)
    assert [row["group"] for row in body["groups"]] == sorted(rows)
    assert len(rows) == 9
    assert rows["freelancer"] == {
        "group": "freelancer",
        "members": 6,
        "bookings": 6,
        "booked_hours": 6.0,
        "suppressed": False,
    }
    hidden = {"members": None, "bookings": None, "booked_hours": None, "suppressed": True}
    assert rows["senior"] == {"group": "senior", **hidden}  # fewer than k members
    # The only suppressed row could be recovered from a total, so the next-smallest goes too.
    assert rows["parent"] == {"group": "parent", **hidden}
    assert rows["student"] == {
        "group": "student",
        "members": 0,
        "bookings": 0,
        "booked_hours": 0.0,
        "suppressed": False,
    }


async def test_k_members_are_published_and_two_small_rows_hide_each_other(
    api: Api, analyst: Member
) -> None:
    # freelancer exactly k = 5, senior 4 and student 2: two rows suppressed, nothing more.
    members = await _members_with_bookings(
        api,
        [["freelancer", "senior"]] * 4 + [["freelancer"], ["student"], ["student"]],
    )
    set_clock("2030-01-09", "08:00")

    rows = _group_rows(
        await read(api, analyst, "member-groups", **{"from": "2030-01-08", "to": "2030-01-08"})
    )

    assert rows["freelancer"]["members"] == 5
    assert rows["freelancer"]["suppressed"] is False
    assert rows["senior"]["suppressed"] is True
    assert rows["student"]["suppressed"] is True
    assert rows["student"]["members"] is None
    assert len(members) == 7


async def test_member_groups_leave_out_cancelled_bookings_and_count_each_group(
    app: FastAPI, api: Api, analyst: Member
) -> None:
    min_group_size(app, 1)
    location = await api.location()
    desk = await api.desk(location["id"])
    parent = await api.member(groups=["parent", "employee"])
    other = await api.member(groups=["employee"])
    await booked(api, parent, desk["id"], "2030-01-08", "09:00", "11:30")
    await booked(api, parent, desk["id"], "2030-01-09", "09:00", "10:00")
    dropped = await booked(api, other, desk["id"], "2030-01-08", "12:00", "13:00")
    await booking_action(api, other, dropped, "cancel")
    set_clock("2030-01-10", "08:00")

    rows = _group_rows(
        await read(api, analyst, "member-groups", **{"from": "2030-01-08", "to": "2030-01-09"})
    )

    for group in ("parent", "employee"):
        assert rows[group] == {
            "group": group,
            "members": 1,
            "bookings": 2,
            "booked_hours": 3.5,
            "suppressed": False,
        }


# --- commute ------------------------------------------------------------------------------


async def _commuters(api: Api) -> dict[str, Member]:
    """Four members who check in; the car driver twice on Tuesday and once on Wednesday."""
    location = await api.location()
    desks = [await api.desk(location["id"]) for _ in range(4)]
    members = {
        "car": await api.member(commute_mode="car", commute_km=10, home_municipality="Velten"),
        "public_transport": await api.member(
            commute_mode="public_transport", commute_km=20, home_municipality="Hennigsdorf"
        ),
        "bike": await api.member(commute_mode="bike", commute_km=5, home_municipality="Velten"),
        "unknown": await api.member(home_municipality="Oranienburg"),
    }
    plan = [
        ("car", 0, "2030-01-08", "09:00", "10:00", True),
        ("car", 0, "2030-01-08", "14:00", "15:00", True),  # same day: still one visit
        ("car", 0, "2030-01-09", "09:00", "10:00", True),
        ("public_transport", 1, "2030-01-08", "09:00", "10:00", True),
        ("public_transport", 1, "2030-01-09", "09:00", "10:00", False),  # never came
        ("bike", 2, "2030-01-09", "11:00", "12:00", True),
        ("unknown", 3, "2030-01-08", "09:00", "10:00", True),
    ]
    visits = []
    for name, desk, day, opens, closes, comes in plan:
        booking = await booked(api, members[name], desks[desk]["id"], day, opens, closes)
        if comes:
            visits.append((day, opens, name, booking))
    for day, opens, name, booking in sorted(visits, key=lambda visit: (visit[0], visit[1])):
        set_clock(day, opens)
        await booking_action(api, members[name], booking, "check-in")
    set_clock("2030-01-10", "08:00")
    return members


async def test_commute_counts_visits_kilometres_and_co2(
    app: FastAPI, api: Api, analyst: Member
) -> None:
    min_group_size(app, 1)
    await _commuters(api)

    body = await read(api, analyst, "commute", **{"from": "2030-01-08", "to": "2030-01-09"})

    # 2 × 10 km × 2 visits by car, 2 × 20 km × 1 visit by public transport.
    car, public = 0.166 * 40, 0.055 * 40
    assert body["visits"] == 5
    assert body["km_avoided"] == 80.0
    assert body["co2_kg_avoided"] == round(car + public, 6)

    def row(members: int, visits: int, km: float, co2: float) -> dict[str, Any]:
        return {
            "members": members,
            "visits": visits,
            "km_avoided": km,
            "co2_kg_avoided": round(co2, 6),
            "suppressed": False,
        }

    assert body["by_mode"] == [
        {"mode": "car", **row(1, 2, 40.0, car)},
        {"mode": "public_transport", **row(1, 1, 40.0, public)},
        {"mode": "bike", **row(1, 1, 0.0, 0.0)},
        {"mode": "foot", **row(0, 0, 0.0, 0.0)},
        {"mode": "other", **row(0, 0, 0.0, 0.0)},
        {"mode": "unknown", **row(1, 1, 0.0, 0.0)},
    ]
    assert body["by_municipality"] == [
        {"municipality": "Hennigsdorf", **row(1, 1, 40.0, public)},
        {"municipality": "Oranienburg", **row(1, 1, 0.0, 0.0)},
        {"municipality": "Velten", **row(2, 3, 40.0, car)},
    ]


async def test_commute_breakdowns_are_k_anonymous_and_totals_published(
    api: Api, analyst: Member
) -> None:
    await _commuters(api)

    body = await read(api, analyst, "commute", **{"from": "2030-01-08", "to": "2030-01-08"})

    assert (body["visits"], body["km_avoided"]) == (3, 60.0)
    hidden = {
        "members": None,
        "visits": None,
        "km_avoided": None,
        "co2_kg_avoided": None,
        "suppressed": True,
    }
    modes = {row.pop("mode"): row for row in body["by_mode"]}
    assert modes["car"] == hidden
    assert modes["public_transport"] == hidden
    assert modes["bike"]["members"] == 0  # the bike rider came on Wednesday only
    assert modes["bike"]["suppressed"] is False
    # Free text: the suppressed municipalities are folded into one row without their names.
    assert body["by_municipality"] == [{"municipality": None, **hidden}]


async def test_suppressed_municipalities_are_folded_into_one_nameless_row(
    app: FastAPI, api: Api, analyst: Member
) -> None:
    await _commuters(api)
    min_group_size(app, 2)
    span = {"from": "2030-01-08", "to": "2030-01-09"}

    body = await read(api, analyst, "commute", **span)
    rows = await read_csv(api, analyst, "commute", **span)

    # Velten has two members (car, bike); Hennigsdorf and Oranienburg one each.
    assert body["by_municipality"] == [
        {
            "municipality": "Velten",
            "members": 2,
            "visits": 3,
            "km_avoided": 40.0,
            "co2_kg_avoided": round(0.166 * 40, 6),
            "suppressed": False,
        },
        {
            "municipality": None,
            "members": None,
            "visits": None,
            "km_avoided": None,
            "co2_kg_avoided": None,
            "suppressed": True,
        },
    ]
    places = [row for row in rows if row["breakdown"] == "municipality"]
    assert [(row["value"], row["members"], row["suppressed"]) for row in places] == [
        ("Velten", "2", "false"),
        ("", "", "true"),
    ]
    assert "Hennigsdorf" not in str([body, rows])
    assert "Oranienburg" not in str([body, rows])


async def test_erased_members_still_count(app: FastAPI, api: Api, analyst: Member) -> None:
    min_group_size(app, 1)
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member(
        groups=["senior"], commute_mode="car", commute_km=12, home_municipality="Kremmen"
    )
    visit = await booked(api, member, desk["id"], "2030-01-08", "09:00", "10:00")
    set_clock("2030-01-08", "09:00")
    await booking_action(api, member, visit, "check-in")
    set_clock("2030-01-08", "10:30")
    erased = await api.client.delete("/api/v1/me", headers=member.headers)
    assert erased.status_code == 204, erased.text
    set_clock("2030-01-09", "08:00")
    tuesday = {"from": "2030-01-08", "to": "2030-01-08"}

    groups = _group_rows(await read(api, analyst, "member-groups", **tuesday))
    commute = await read(api, analyst, "commute", **tuesday)

    assert groups["senior"]["members"] == 1
    assert groups["senior"]["booked_hours"] == 1.0
    assert commute["visits"] == 1
    assert commute["by_municipality"][0]["municipality"] == "Kremmen"
    # The anonymous profile keeps the commute rounded to 5 km: 2 × 10 km.
    assert commute["km_avoided"] == 20.0


# --- companies ----------------------------------------------------------------------------


async def _company_with_employees(api: Api, seats: int, employees: int) -> tuple[str, list[Member]]:
    operator = await api.operator()
    admin = await api.member()
    created = await api.client.post(
        "/api/v1/companies",
        json={
            "name": "Havelwerk GmbH",
            "contact_email": "info@havelwerk.example",
            "seats_requested": seats,
        },
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    company_id = created.json()["id"]
    approved = await api.client.patch(
        f"/api/v1/companies/{company_id}",
        json={"status": "active", "seats": seats},
        headers=operator.headers,
    )
    assert approved.status_code == 200, approved.text
    staff = []
    for _ in range(employees):
        employee = await api.member()
        invited = await api.client.post(
            f"/api/v1/companies/{company_id}/invitations",
            json={"email": employee.email},
            headers=admin.headers,
        )
        assert invited.status_code == 201, invited.text
        accepted = await api.client.post(
            "/api/v1/invitations/accept",
            json={"token": invited.json()["token"]},
            headers=employee.headers,
        )
        assert accepted.status_code == 200, accepted.text
        staff.append(employee)
    return company_id, staff


async def test_companies_peak_seats_seat_days_and_utilization(api: Api, analyst: Member) -> None:
    location = await api.location()
    desks = [await api.desk(location["id"]) for _ in range(3)]
    company_id, (first, second) = await _company_with_employees(api, seats=2, employees=2)
    pending = await api.client.post(
        "/api/v1/companies",
        json={"name": "Angermühle eG", "contact_email": "a@example.org", "seats_requested": 3},
        headers=(await api.member()).headers,
    )
    assert pending.status_code == 201
    seat = await booked(api, first, desks[0]["id"], "2030-01-08", "09:00", "12:00")
    assert seat["company_id"] == company_id
    await booked(api, second, desks[1]["id"], "2030-01-08", "10:00", "11:00")  # 2 at once
    await booked(api, first, desks[0]["id"], "2030-01-09", "09:00", "10:00")
    await booked(api, second, desks[1]["id"], "2030-01-09", "10:00", "11:00")  # back to back
    dropped = await booked(api, second, desks[2]["id"], "2030-01-09", "12:00", "16:00")
    await booking_action(api, second, dropped, "cancel")
    assert (await close_day(api, location["id"], "2030-01-10")).status_code == 201
    set_clock("2030-01-11", "08:00")

    body = await read(api, analyst, "companies", **{"from": "2030-01-08", "to": "2030-01-10"})

    assert body == {
        "companies": [
            {
                "company_id": pending.json()["id"],
                "name": "Angermühle eG",
                "seats": 0,
                "booked_hours": 0.0,
                "peak_concurrent_seats": 0,
                "seat_days_used": 0,
                "seat_utilization": 0.0,
            },
            {
                "company_id": company_id,
                "name": "Havelwerk GmbH",
                "seats": 2,
                "booked_hours": 6.0,
                "peak_concurrent_seats": 2,
                "seat_days_used": 3,  # Tuesday 2 + Wednesday 1
                "seat_utilization": 3 / (2 * 2),  # Thursday is closed
            },
        ]
    }


# --- summary ------------------------------------------------------------------------------


async def test_summary_repeats_the_headline_figures(
    app: FastAPI, api: Api, analyst: Member
) -> None:
    min_group_size(app, 1)
    await _commuters(api)
    span = {"from": "2030-01-08", "to": "2030-01-09"}

    body = await read(api, analyst, "summary", **span)

    utilization = await read(api, analyst, "utilization", **span)
    commute = await read(api, analyst, "commute", **span)
    assert body["start"] == "2030-01-08"
    assert body["end"] == "2030-01-09"
    assert body["utilization"] == only_figures(utilization["total"])
    assert body["utilization"] == figures(4 * 24, 7, 6)  # six check-ins of an hour each
    assert body["bookings"] == await read(api, analyst, "bookings", **span)
    assert body["members_with_bookings"] == 4
    assert body["commute"] == {
        "visits": commute["visits"],
        "km_avoided": commute["km_avoided"],
        "co2_kg_avoided": commute["co2_kg_avoided"],
    }
    assert body["companies"] == {
        "companies": 0,
        "seats": 0,
        "booked_hours": 0.0,
        "seat_days_used": 0,
        "seat_utilization": 0.0,
    }


# --- CSV ----------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


async def test_csv_answers_match_the_json(app: FastAPI, api: Api, analyst: Member) -> None:
    min_group_size(app, 1)
    await _commuters(api)
    span = {"from": "2030-01-08", "to": "2030-01-09"}

    utilization = await read(api, analyst, "utilization", **span)
    rows = await read_csv(api, analyst, "utilization", **span)
    assert list(rows[0]) == ["start", "end", *FIGURES]
    assert [
        {"start": row["start"], "end": row["end"], **{n: float(row[n]) for n in FIGURES}}
        for row in rows
    ] == utilization["periods"]

    heatmap = await read(api, analyst, "heatmap", **span)
    rows = await read_csv(api, analyst, "heatmap", **span)
    assert len(rows) == 168
    assert [
        {
            "weekday": int(row["weekday"]),
            "hour": int(row["hour"]),
            **{n: float(row[n]) for n in FIGURES},
        }
        for row in rows
    ] == heatmap["cells"]

    bookings = await read(api, analyst, "bookings", **span)
    (row,) = await read_csv(api, analyst, "bookings", **span)
    assert int(row["total"]) == bookings["total"]
    assert {name: int(row[name]) for name in bookings["by_status"]} == bookings["by_status"]
    for name in (
        "no_show_rate",
        "cancellation_rate",
        "median_lead_time_hours",
        "mean_duration_hours",
    ):
        assert _number(row[name]) == bookings[name]

    groups = await read(api, analyst, "member-groups", **span)
    rows = await read_csv(api, analyst, "member-groups", **span)
    assert [
        {
            "group": row["group"],
            "members": int(row["members"]),
            "bookings": int(row["bookings"]),
            "booked_hours": float(row["booked_hours"]),
            "suppressed": row["suppressed"] == "true",
        }
        for row in rows
    ] == groups["groups"]

    commute = await read(api, analyst, "commute", **span)
    rows = await read_csv(api, analyst, "commute", **span)
    assert rows[0]["breakdown"] == "total"
    assert int(rows[0]["visits"]) == commute["visits"]
    assert float(rows[0]["co2_kg_avoided"]) == commute["co2_kg_avoided"]
    assert [
        (row["value"], int(row["members"]), int(row["visits"]), float(row["km_avoided"]))
        for row in rows
        if row["breakdown"] == "mode"
    ] == [
        (mode["mode"], mode["members"], mode["visits"], mode["km_avoided"])
        for mode in commute["by_mode"]
    ]
    assert [row["value"] for row in rows if row["breakdown"] == "municipality"] == [
        row["municipality"] for row in commute["by_municipality"]
    ]

    summary = await read(api, analyst, "summary", **span)
    (row,) = await read_csv(api, analyst, "summary", **span)
    assert float(row["utilization_booked_hours"]) == summary["utilization"]["booked_hours"]
    assert int(row["bookings_by_status_completed"]) == summary["bookings"]["by_status"]["completed"]
    assert int(row["commute_visits"]) == summary["commute"]["visits"]

    rows = await read_csv(api, analyst, "companies", **span)
    assert rows == []


async def test_csv_is_chosen_by_the_accept_header(api: Api, analyst: Member) -> None:
    await api.location()
    span = {"from": "2030-01-08", "to": "2030-01-08"}

    for accept, media_type in [
        ("text/csv", "text/csv"),
        ("text/csv;q=0.9, application/json", "application/json"),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
    ]:
        response = await api.client.get(
            "/api/v1/stats/bookings", params=span, headers={**analyst.headers, "Accept": accept}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type), accept
    response = await api.client.get(
        "/api/v1/stats/utilization",
        params={**span, "format": "json"},
        headers={**analyst.headers, "Accept": "text/csv"},
    )
    assert response.headers["content-type"].startswith("application/json")
    text = (await stats(api, analyst, "utilization", format="csv", **span)).text
    assert text.splitlines() == [
        "start,end,available_hours,booked_hours,used_hours,utilization,occupancy",
        "2030-01-08,2030-01-08,0.0,0.0,0.0,0.0,0.0",
    ]


# --- access and parameters ----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_only_analysts_and_operators_read_statistics(api: Api, endpoint: str) -> None:
    span = {"from": "2030-01-08", "to": "2030-01-14"}
    member = await api.member()
    analyst = await api.member("analyst")

    assert_problem(await stats(api, None, endpoint, **span), 401, "not-authenticated")
    assert_problem(await stats(api, member, endpoint, **span), 403, "forbidden")
    assert (await stats(api, analyst, endpoint, **span)).status_code == 200
    assert (await stats(api, await api.operator(), endpoint, **span)).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2030-01-09", "to": "2030-01-08"},  # to before from
        {"from": "2030-02-30", "to": "2030-03-01"},  # no such day
        {"from": "2030-01-01", "to": "2033-01-01"},  # over three years
        {"from": "2030-1-1", "to": "2030-01-02"},
        {"from": "1999-12-31", "to": "2000-01-01"},
        {"to": "2030-01-02"},
        {"from": "2030-01-01", "to": "2030-01-02", "location_id": "nope"},
        {"from": "2030-01-01", "to": "2030-01-02", "format": "xml"},
    ],
)
async def test_bad_ranges_answer_422(api: Api, analyst: Member, params: dict[str, str]) -> None:
    assert_problem(await stats(api, analyst, "utilization", **params), 422, "validation-error")


async def test_granularity_and_kind_are_checked(api: Api, analyst: Member) -> None:
    span = {"from": "2030-01-01", "to": "2030-01-02"}
    for extra in ({"granularity": "year"}, {"kind": "sofa"}):
        assert_problem(
            await stats(api, analyst, "utilization", **span, **extra), 422, "validation-error"
        )


async def test_three_years_are_allowed_and_unknown_locations_are_404(
    api: Api, analyst: Member
) -> None:
    await api.location()
    longest = await stats(
        api,
        analyst,
        "utilization",
        **{"from": "2030-01-01", "to": "2032-12-31"},
        granularity="month",
    )
    assert longest.status_code == 200, longest.text
    assert len(longest.json()["periods"]) == 36
    assert_problem(
        await stats(
            api,
            analyst,
            "bookings",
            **{"from": "2030-01-01", "to": "2030-01-02"},
            location_id="00000000-0000-0000-0000-000000000000",
        ),
        404,
        "not-found",
    )


async def test_no_locations_still_lists_every_period_and_cell(api: Api, analyst: Member) -> None:
    span = {"from": "2030-01-01", "to": "2030-01-03"}

    utilization = await read(api, analyst, "utilization", **span)
    heatmap = await read(api, analyst, "heatmap", **span)

    assert [period["start"] for period in utilization["periods"]] == [
        "2030-01-01",
        "2030-01-02",
        "2030-01-03",
    ]
    assert only_figures(utilization["total"]) == figures(0, 0, 0)
    assert len(heatmap["cells"]) == 168


# --- the statements, for the benchmark ----------------------------------------------------


async def test_the_benchmark_can_run_each_endpoints_statements_raw(
    app: FastAPI, api: Api, analyst: Member, backend: str
) -> None:
    min_group_size(app, 1)
    await _commuters(api)
    query = StatsQuery(first_day=date(2030, 1, 8), last_day=date(2030, 1, 9), location_id=None)
    json = await read(api, analyst, "utilization", **{"from": "2030-01-08", "to": "2030-01-09"})

    async with app.state.database.read_sessions() as session:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        for endpoint in ENDPOINTS:
            statements = await service.statements(
                session, endpoint, query, settings=app.state.settings
            )
            rows: list[Any] = []
            for statement in statements:
                sql, parameters = service.raw_sql(statement, connection.dialect)
                if backend == "postgresql":
                    rows = list(await driver.fetch(sql, *parameters))
                else:
                    cursor = await driver.execute(sql, parameters)
                    rows = list(await cursor.fetchall())
            assert rows or endpoint in ("companies", "summary"), endpoint
            if endpoint == "utilization":
                assert [int(row[2]) / 3600 for row in rows] == [
                    period["booked_hours"] for period in json["periods"]
                ]
