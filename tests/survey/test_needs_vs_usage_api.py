"""Stated needs beside measured usage: shares per group and municipality, km avoided."""

import csv
import io
from datetime import datetime
from typing import Any

import pytest

from app.core import clock
from tests.conftest import NOW
from tests.factories import Api, Member, assert_problem, booked, local
from tests.survey.support import NEEDS_VS_USAGE, app_with, submit

TUESDAY, WEDNESDAY, THURSDAY = "2030-01-08", "2030-01-09", "2030-01-10"
RANGE = {"from": "2030-01-07", "to": "2030-01-09"}


def at(day: str, hhmm: str) -> None:
    clock.set_now(datetime.fromisoformat(local(day, hhmm)))


async def check_in(api: Api, member: Member, booking: dict[str, Any]) -> None:
    response = await api.client.post(
        f"/api/v1/bookings/{booking['id']}/check-in", headers=member.headers
    )
    assert response.status_code == 200, response.text


async def _pilot(api: Api) -> None:
    """Four survey answers (today) and three members with bookings on Tuesday/Wednesday."""
    await submit(
        api,
        groups=["parent"],
        home_municipality="Oranienburg",
        commute_km=10,
        commute_mode="car",
        coworking_days_per_week=2,
    )
    await submit(
        api,
        groups=["employee"],
        home_municipality="Oranienburg",
        commute_km=20,
        commute_mode="public_transport",
        coworking_days_per_week=3,
    )
    await submit(
        api,
        groups=["freelancer"],
        home_municipality="Velten",
        commute_km=30,
        commute_mode="bike",
        coworking_days_per_week=5,
    )
    await submit(
        api,
        groups=["employee", "parent"],
        home_municipality="Hennigsdorf",
        commute_km=15,
        commute_mode="car",
        coworking_days_per_week=1,
    )
    location = await api.location()
    desk_1 = await api.desk(location["id"])
    desk_2 = await api.desk(location["id"])
    ada = await api.member(
        groups=["parent", "employee"],
        home_municipality="Oranienburg",
        commute_km=10,
        commute_mode="car",
    )
    bert = await api.member(
        groups=["employee"],
        home_municipality="oranienburg",
        commute_km=20,
        commute_mode="public_transport",
    )
    cleo = await api.member(
        groups=["freelancer"], home_municipality="Velten", commute_km=30, commute_mode="bike"
    )
    await api.member(
        groups=["freelancer"], home_municipality="Velten", commute_km=5, commute_mode="car"
    )
    ada_tuesday = await booked(api, ada, desk_1["id"], TUESDAY, "09:00", "12:00")
    ada_afternoon = await booked(api, ada, desk_2["id"], TUESDAY, "14:00", "15:00")
    ada_wednesday = await booked(api, ada, desk_1["id"], WEDNESDAY, "10:00", "12:00")
    bert_tuesday = await booked(api, bert, desk_2["id"], TUESDAY, "09:00", "11:00")
    await booked(api, cleo, desk_1["id"], TUESDAY, "13:00", "17:00")  # never checked in
    await booked(api, cleo, desk_1["id"], THURSDAY, "09:00", "17:00")  # after the range
    bert_cancelled = await booked(api, bert, desk_2["id"], WEDNESDAY, "14:00", "15:00")
    cancel = await api.client.post(
        f"/api/v1/bookings/{bert_cancelled['id']}/cancel", headers=bert.headers
    )
    assert cancel.status_code == 200, cancel.text

    at(TUESDAY, "08:50")
    await check_in(api, ada, ada_tuesday)
    await check_in(api, bert, bert_tuesday)
    at(TUESDAY, "13:55")
    await check_in(api, ada, ada_afternoon)
    at(WEDNESDAY, "09:50")
    await check_in(api, ada, ada_wednesday)
    clock.set_now(NOW)


def _row(
    survey: int | None,
    survey_share: float | None,
    members: int | None,
    member_share: float | None,
    hours: float | None,
    hours_share: float | None,
) -> dict[str, Any]:
    return {
        "survey_responses": survey,
        "survey_share": None if survey_share is None else pytest.approx(survey_share),
        "survey_suppressed": survey is None,
        "members": members,
        "member_share": None if member_share is None else pytest.approx(member_share),
        "booked_hours": hours,
        "booked_hours_share": None if hours_share is None else pytest.approx(hours_share),
        "usage_suppressed": members is None,
    }


ZERO = _row(0, 0.0, 0, 0.0, 0.0, 0.0)


async def test_needs_beside_usage_are_exact(api: Api, database_url: str) -> None:
    async with app_with(database_url, stats_min_group_size=1) as (_, k1):
        await _pilot(k1)
        analyst = await k1.member("analyst")

        response = await k1.client.get(NEEDS_VS_USAGE, params=RANGE, headers=analyst.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "survey_responses": 4,
        "members": 3,
        "booked_hours": 12.0,
        "by_group": [
            {"group": "freelancer", **_row(1, 1 / 4, 1, 1 / 3, 4.0, 4 / 12)},
            {"group": "self_employed", **ZERO},
            {"group": "founder", **ZERO},
            {"group": "employee", **_row(2, 2 / 4, 2, 2 / 3, 8.0, 8 / 12)},
            {"group": "parent", **_row(2, 2 / 4, 1, 1 / 3, 6.0, 6 / 12)},
            {"group": "senior", **ZERO},
            {"group": "job_seeker", **ZERO},
            {"group": "student", **ZERO},
            {"group": "other", **ZERO},
        ],
        "by_municipality": [
            {"municipality": "Hennigsdorf", **_row(1, 1 / 4, 0, 0.0, 0.0, 0.0)},
            {"municipality": "Oranienburg", **_row(2, 2 / 4, 2, 2 / 3, 8.0, 8 / 12)},
            {"municipality": "Velten", **_row(1, 1 / 4, 1, 1 / 3, 4.0, 4 / 12)},
        ],
        "commute": {
            # 2 × 10 × 2 (car) + 2 × 20 × 3 (public transport) + 2 × 15 × 1 (car); bike: none
            "stated": {"respondents": 3, "km_avoided_per_week": 190.0},
            # Ada: Tuesday (twice, one visit) and Wednesday, 2 × 10 km; Bert: Tuesday, 2 × 20 km
            "measured": {
                "visits": 3,
                "km_avoided": 80.0,
                "km_avoided_per_week": pytest.approx(80 * 7 / 3),
            },
        },
    }


async def test_each_side_is_k_anonymous(api: Api, database_url: str) -> None:
    async with app_with(database_url, stats_min_group_size=2) as (_, k2):
        await _pilot(k2)
        analyst = await k2.member("analyst")

        response = await k2.client.get(NEEDS_VS_USAGE, params=RANGE, headers=analyst.headers)

    rows = {row["group"]: row for row in response.json()["by_group"]}
    # Survey: only freelancer (1) is below k, so employee (2, listed before parent) goes too.
    assert [rows[g]["survey_responses"] for g in ("freelancer", "employee", "parent")] == [
        None,
        None,
        2,
    ]
    assert rows["employee"]["survey_suppressed"] is True
    assert rows["employee"]["survey_share"] is None
    # Usage: freelancer (1) and parent (1) are below k; employee (2) stays.
    assert [rows[g]["members"] for g in ("freelancer", "employee", "parent")] == [None, 2, None]
    assert rows["parent"]["booked_hours"] is None
    assert rows["parent"]["usage_suppressed"] is True
    assert rows["senior"] == {"group": "senior", **ZERO}
    # Usage: Velten (1) is the only row below k (Hennigsdorf has 0), so Oranienburg goes too;
    # survey: Hennigsdorf and Velten (1 each) are hidden, Oranienburg (2) stays. No side shows
    # Hennigsdorf or Velten with a count: they are folded into one row without a name.
    assert response.json()["by_municipality"] == [
        {"municipality": "Oranienburg", **_row(2, 2 / 4, None, None, None, None)},
        {"municipality": None, **_row(None, None, None, None, None, None)},
    ]
    assert "Hennigsdorf" not in response.text
    assert "Velten" not in response.text
    assert response.json()["members"] == 3


async def test_an_empty_pilot_answers_zeros(api: Api) -> None:
    analyst = await api.member("analyst")

    response = await api.client.get(NEEDS_VS_USAGE, params=RANGE, headers=analyst.headers)

    body = response.json()
    assert body["survey_responses"] == 0
    assert body["members"] == 0
    assert body["booked_hours"] == 0.0
    assert body["by_municipality"] == []
    assert body["commute"] == {
        "stated": {"respondents": 0, "km_avoided_per_week": 0.0},
        "measured": {"visits": 0, "km_avoided": 0.0, "km_avoided_per_week": 0.0},
    }


async def test_csv_has_one_row_per_group_and_municipality(api: Api, database_url: str) -> None:
    async with app_with(database_url, stats_min_group_size=1) as (_, k1):
        await _pilot(k1)
        operator = await k1.operator()

        response = await k1.client.get(
            NEEDS_VS_USAGE, params=RANGE, headers={**operator.headers, "Accept": "text/csv"}
        )
        as_json = (
            await k1.client.get(NEEDS_VS_USAGE, params=RANGE, headers=operator.headers)
        ).json()

    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 9 + 3
    assert [row["value"] for row in rows if row["dimension"] == "municipality"] == [
        "Hennigsdorf",
        "Oranienburg",
        "Velten",
    ]
    employee = next(row for row in rows if row["value"] == "employee")
    expected = next(row for row in as_json["by_group"] if row["group"] == "employee")
    assert int(employee["members"]) == expected["members"] == 2
    assert float(employee["booked_hours"]) == expected["booked_hours"] == 8.0
    assert employee["usage_suppressed"] == "false"


async def test_only_analysts_and_operators_compare(api: Api) -> None:
    member = await api.member()

    assert_problem(await api.client.get(NEEDS_VS_USAGE), 401, "not-authenticated")
    assert_problem(await api.client.get(NEEDS_VS_USAGE, headers=member.headers), 403, "forbidden")
    bad = await api.client.get(
        NEEDS_VS_USAGE,
        params={"from": "2030-01-09", "to": "2030-01-08"},
        headers=(await api.member("analyst")).headers,
    )
    assert_problem(bad, 422, "validation-error")
