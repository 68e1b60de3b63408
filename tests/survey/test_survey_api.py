"""The needs survey: anonymous answers, strict validation, consent, the k-anonymous summary
and its CSV export."""

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.core import clock
from app.models import SurveyContact, SurveyResponse
from tests.conftest import NOW
from tests.factories import Api, assert_problem
from tests.survey.support import RESPONSES, SUMMARY, answer, app_with, submit

# --- submission ---------------------------------------------------------------------------


async def test_an_anonymous_answer_is_stored_without_an_account(api: Api, app: FastAPI) -> None:
    response = await api.client.post(RESPONSES, json=answer())

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "submitted_at"}
    assert datetime.fromisoformat(body["submitted_at"]) == NOW
    async with app.state.database.read_sessions() as session:
        stored = await session.get(SurveyResponse, uuid.UUID(body["id"]))
        contacts = (await session.scalars(select(SurveyContact))).all()
    assert stored is not None
    assert stored.home_municipality == "Oranienburg"
    assert stored.commute_km == 20
    assert contacts == []


@pytest.mark.parametrize("consent", [False, None])
async def test_a_contact_email_needs_consent(api: Api, app: FastAPI, consent: bool | None) -> None:
    body = answer(contact_email="resident@example.org")
    if consent is not None:
        body["contact_consent"] = consent

    response = await api.client.post(RESPONSES, json=body)

    assert_problem(response, 422, "validation-error")
    async with app.state.database.read_sessions() as session:
        assert (await session.scalars(select(SurveyResponse))).all() == []


async def test_a_consented_contact_is_kept_with_time_and_text_version(
    api: Api, app: FastAPI
) -> None:
    body = await submit(api, contact_email="Resident@Example.org", contact_consent=True)

    async with app.state.database.read_sessions() as session:
        contact = (await session.scalars(select(SurveyContact))).one()
    assert str(contact.response_id) == body["id"]
    assert contact.email == "resident@example.org"
    assert contact.consented_at == NOW
    assert contact.consent_text_version == "survey-contact-v1"


async def test_consent_without_an_email_stores_no_contact(api: Api, app: FastAPI) -> None:
    await submit(api, contact_consent=True)

    async with app.state.database.read_sessions() as session:
        assert (await session.scalars(select(SurveyContact))).all() == []


INVALID_FIELDS: list[tuple[str, Any]] = [
    ("home_municipality", ""),
    ("home_municipality", "   "),
    ("home_municipality", "x" * 101),
    ("home_municipality", 16515),
    ("home_municipality", None),
    ("groups", []),
    ("groups", ["astronaut"]),
    ("groups", "employee"),
    ("groups", [1]),
    ("commute_km", -1),
    ("commute_km", 300.5),
    ("commute_km", 1e308),
    ("commute_km", True),
    ("commute_km", "12"),
    ("commute_km", None),
    ("commute_minutes", -1),
    ("commute_minutes", 301),
    ("commute_minutes", 12.5),
    ("commute_minutes", False),
    ("commute_minutes", "30"),
    ("commute_mode", "plane"),
    ("commute_mode", None),
    ("commute_days_per_week", -1),
    ("commute_days_per_week", 8),
    ("commute_days_per_week", 2.5),
    ("commute_days_per_week", True),
    ("coworking_days_per_week", -1),
    ("coworking_days_per_week", 8),
    ("coworking_days_per_week", False),
    ("needs", ["spa"]),
    ("needs", "quiet_space"),
    ("needs", [True]),
    ("needs", None),
    ("needs_other", "x" * 501),
    ("needs_other", 5),
    ("price_per_day_eur", -0.01),
    ("price_per_day_eur", 100.01),
    ("price_per_day_eur", True),
    ("price_per_day_eur", "10"),
    ("cooperation_interest", 1),
    ("cooperation_interest", "true"),
    ("cooperation_interest", None),
    ("wants_trial", 0),
    ("wants_trial", "yes"),
    ("contact_email", "not-an-email"),
    ("contact_email", 5),
    ("contact_consent", 1),
    ("contact_consent", "true"),
    ("favourite_colour", "blue"),
]


@pytest.mark.parametrize(("field", "value"), INVALID_FIELDS)
async def test_invalid_fields_are_refused(api: Api, field: str, value: Any) -> None:
    body = answer(**{field: value})
    if field == "contact_email":
        body["contact_consent"] = True

    response = await api.client.post(RESPONSES, json=body)

    problem = assert_problem(response, 422, "validation-error")
    assert any(field in error["loc"] for error in problem["errors"]), problem


@pytest.mark.parametrize(
    "field",
    [
        "home_municipality",
        "groups",
        "commute_km",
        "commute_minutes",
        "commute_mode",
        "commute_days_per_week",
        "coworking_days_per_week",
        "needs",
        "price_per_day_eur",
        "cooperation_interest",
        "wants_trial",
    ],
)
async def test_required_fields_are_required(api: Api, field: str) -> None:
    body = answer()
    del body[field]

    assert_problem(await api.client.post(RESPONSES, json=body), 422, "validation-error")


async def test_edges_of_the_ranges_are_accepted(api: Api) -> None:
    await submit(
        api,
        commute_km=300,
        commute_minutes=0,
        commute_days_per_week=7,
        coworking_days_per_week=0,
        price_per_day_eur=100,
        needs=[],
        needs_other="x" * 500,
        home_municipality="y" * 100,
    )


# --- summary ------------------------------------------------------------------------------


async def _summary(api: Api, caller_headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = await api.client.get(SUMMARY, params=params, headers=caller_headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


#: six answers with known figures (k = 3 in the tests that read them)
FIXTURE: list[dict[str, Any]] = [
    {
        "home_municipality": "Oranienburg",
        "groups": ["freelancer", "parent"],
        "commute_km": 4,
        "price_per_day_eur": 10,
        "needs": ["quiet_space", "childcare"],
        "wants_trial": True,
        "cooperation_interest": False,
    },
    {
        "home_municipality": "Oranienburg",
        "groups": ["employee", "parent"],
        "commute_km": 12,
        "price_per_day_eur": 15,
        "needs": ["quiet_space"],
        "wants_trial": True,
        "cooperation_interest": True,
    },
    {
        "home_municipality": "  oranienburg ",
        "groups": ["employee", "parent", "parent"],
        "commute_km": 25,
        "price_per_day_eur": 0,
        "needs": ["fast_internet", "quiet_space", "quiet_space"],
        "wants_trial": False,
        "cooperation_interest": True,
        "contact_email": "someone@example.org",
        "contact_consent": True,
    },
    {
        "home_municipality": "Velten",
        "groups": ["employee", "freelancer"],
        "commute_km": 60,
        "price_per_day_eur": 20,
        "needs": [],
        "wants_trial": False,
        "cooperation_interest": False,
    },
    {
        "home_municipality": "VELTEN",
        "groups": ["freelancer", "senior"],
        "commute_km": 300,
        "price_per_day_eur": 100,
        "needs": ["parking"],
        "wants_trial": True,
        "cooperation_interest": False,
    },
    {
        "home_municipality": "Hennigsdorf",
        "groups": ["senior", "employee"],
        "commute_km": 0,
        "price_per_day_eur": 5,
        "needs": ["quiet_space"],
        "wants_trial": False,
        "cooperation_interest": False,
    },
]


async def _submit_fixture(api: Api) -> None:
    # One answer the day before (Berlin) the range, one just after local midnight inside it.
    clock.set_now(datetime(2030, 1, 5, 22, 59, tzinfo=UTC))  # 2030-01-05 23:59 Berlin
    await submit(api, home_municipality="Kremmen")
    for index, overrides in enumerate(FIXTURE):
        # 2030-01-06 from 00:00 Berlin on, in order
        clock.set_now(datetime(2030, 1, 5, 23, index * 5, tzinfo=UTC))
        await submit(api, **overrides)
    clock.set_now(NOW)


def _bins(edges: list[float], counts: list[int]) -> list[dict[str, Any]]:
    return [
        {"from": edges[i], "to": edges[i + 1], "responses": counts[i]} for i in range(len(counts))
    ]


async def test_summary_figures_are_exact_and_k_anonymous(api: Api, database_url: str) -> None:
    async with app_with(database_url, stats_min_group_size=3) as (_, k3):
        await _submit_fixture(k3)
        analyst = await k3.member("analyst")

        body = await _summary(k3, analyst.headers, **{"from": "2030-01-06", "to": "2030-01-07"})

    assert body == {
        "responses": 6,
        "needs": [
            {"need": "quiet_space", "responses": 4, "share": pytest.approx(4 / 6)},
            {"need": "meeting_room", "responses": 0, "share": 0.0},
            {"need": "childcare", "responses": 1, "share": pytest.approx(1 / 6)},
            {"need": "accessible", "responses": 0, "share": 0.0},
            {"need": "fast_internet", "responses": 1, "share": pytest.approx(1 / 6)},
            {"need": "printer", "responses": 0, "share": 0.0},
            {"need": "community_events", "responses": 0, "share": 0.0},
            {"need": "parking", "responses": 1, "share": pytest.approx(1 / 6)},
            {"need": "public_transport_access", "responses": 0, "share": 0.0},
        ],
        # k − 1 = 2 answers (Velten) and 1 are hidden, k = 3 (Oranienburg) is shown; known
        # names are merged whatever their case. The hidden ones are folded, nameless.
        "by_municipality": [
            {"municipality": "Oranienburg", "responses": 3, "suppressed": False},
            {"municipality": None, "responses": None, "suppressed": True},
        ],
        # Only senior (2) is below k, so the next-smallest row goes too: freelancer and parent
        # both have 3, freelancer is listed first.
        "by_group": [
            {"group": "freelancer", "responses": None, "suppressed": True},
            {"group": "self_employed", "responses": 0, "suppressed": False},
            {"group": "founder", "responses": 0, "suppressed": False},
            {"group": "employee", "responses": 4, "suppressed": False},
            {"group": "parent", "responses": 3, "suppressed": False},
            {"group": "senior", "responses": None, "suppressed": True},
            {"group": "job_seeker", "responses": 0, "suppressed": False},
            {"group": "student", "responses": 0, "suppressed": False},
            {"group": "other", "responses": 0, "suppressed": False},
        ],
        "commute_km": {
            "mean": pytest.approx(401 / 6),
            "median": 18.5,
            "histogram": _bins([0, 5, 10, 20, 30, 50, 100, 300], [2, 0, 1, 1, 0, 1, 1]),
        },
        "price_per_day_eur": {
            "mean": 25.0,
            "median": 12.5,
            "histogram": _bins([0, 5, 10, 15, 20, 30, 50, 100], [1, 1, 1, 1, 1, 0, 1]),
        },
        "wants_trial": 3,
        "cooperation_interest": 2,
    }


async def test_rows_of_exactly_k_are_shown(api: Api, database_url: str) -> None:
    async with app_with(database_url, stats_min_group_size=2) as (_, k2):
        await _submit_fixture(k2)
        operator = await k2.operator()

        body = await _summary(k2, operator.headers, **{"from": "2030-01-06", "to": "2030-01-06"})

    # Hennigsdorf (1) is the only row below k = 2: the next-smallest, Velten (2), goes too,
    # and both are folded into one row without a name.
    assert body["by_municipality"] == [
        {"municipality": "Oranienburg", "responses": 3, "suppressed": False},
        {"municipality": None, "responses": None, "suppressed": True},
    ]
    assert [row["responses"] for row in body["by_group"]] == [3, 0, 0, 4, 3, 2, 0, 0, 0]


async def test_summary_counts_submissions_by_their_berlin_day(api: Api) -> None:
    await _submit_fixture(api)
    analyst = await api.member("analyst")

    day_before = await _summary(api, analyst.headers, **{"from": "2030-01-05", "to": "2030-01-05"})
    whole = await _summary(api, analyst.headers, **{"from": "2030-01-05", "to": "2030-01-06"})
    later = await _summary(api, analyst.headers, **{"from": "2030-01-07", "to": "2030-01-07"})

    assert day_before["responses"] == 1
    assert day_before["by_municipality"] == [
        {"municipality": None, "responses": None, "suppressed": True}
    ]
    assert whole["responses"] == 7
    assert later["responses"] == 0


async def test_an_empty_summary_has_zero_rows_and_no_averages(api: Api) -> None:
    analyst = await api.member("analyst")

    body = await _summary(api, analyst.headers)

    assert body["responses"] == 0
    assert body["by_municipality"] == []
    assert {row["responses"] for row in body["by_group"]} == {0}
    assert {row["share"] for row in body["needs"]} == {0.0}
    assert body["commute_km"]["mean"] is None
    assert body["commute_km"]["median"] is None
    assert {b["responses"] for b in body["price_per_day_eur"]["histogram"]} == {0}


async def test_summary_defaults_to_the_last_three_years(api: Api) -> None:
    clock.set_now(datetime(2027, 1, 8, 12, 0, tzinfo=UTC))
    await submit(api)
    clock.set_now(datetime(2027, 1, 7, 12, 0, tzinfo=UTC))
    await submit(api)
    clock.set_now(NOW)
    analyst = await api.member("analyst")

    assert (await _summary(api, analyst.headers))["responses"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2030-01-07", "to": "2030-01-06"},
        {"from": "2027-01-07", "to": "2030-01-07"},
        {"from": "2030-02-30", "to": "2030-03-01"},
        {"from": "yesterday"},
        {"from": "2030-1-7"},
        {"from": "1999-12-31", "to": "2000-01-02"},
        {"from": "2099-12-30", "to": "2100-01-01"},
        {"to": "0001-01-01"},
        {"format": "xml"},
    ],
)
async def test_summary_refuses_bad_ranges(api: Api, params: dict[str, str]) -> None:
    analyst = await api.member("analyst")

    response = await api.client.get(SUMMARY, params=params, headers=analyst.headers)

    assert_problem(response, 422, "validation-error")


async def test_a_range_of_exactly_three_years_is_accepted(api: Api) -> None:
    analyst = await api.member("analyst")

    body = await _summary(api, analyst.headers, **{"from": "2027-01-08", "to": "2030-01-07"})

    assert body["responses"] == 0


async def test_only_analysts_and_operators_read_the_summary(api: Api) -> None:
    member = await api.member()

    assert_problem(await api.client.get(SUMMARY), 401, "not-authenticated")
    assert_problem(await api.client.get(SUMMARY, headers=member.headers), 403, "forbidden")
    for caller in (await api.member("analyst"), await api.operator()):
        assert (await api.client.get(SUMMARY, headers=caller.headers)).status_code == 200


# --- CSV ------------------------------------------------------------------------------------


def _parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("ask", ["accept", "format"])
async def test_csv_exports_the_anonymous_answers_matching_the_summary(api: Api, ask: str) -> None:
    await _submit_fixture(api)
    analyst = await api.member("analyst")
    params = {"from": "2030-01-06", "to": "2030-01-06"}
    headers = dict(analyst.headers)
    if ask == "accept":
        headers["Accept"] = "text/csv"
    else:
        params["format"] = "csv"

    response = await api.client.get(SUMMARY, params=params, headers=headers)
    summary = await _summary(api, analyst.headers, **{"from": "2030-01-06", "to": "2030-01-06"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "@" not in response.text  # no contact data
    rows = _parse(response.text)
    assert list(rows[0]) == [
        "submitted_on",
        "home_municipality",
        "groups",
        "commute_km",
        "commute_minutes",
        "commute_mode",
        "commute_days_per_week",
        "coworking_days_per_week",
        "needs",
        "needs_other",
        "price_per_day_eur",
        "cooperation_interest",
        "wants_trial",
    ]
    assert len(rows) == summary["responses"] == 6
    assert {row["submitted_on"] for row in rows} == {"2030-01-06"}
    for need in summary["needs"]:
        named = sum(need["need"] in row["needs"].split(";") for row in rows)
        assert named == need["responses"], need
    assert sum(row["wants_trial"] == "true" for row in rows) == summary["wants_trial"]
    assert sorted(float(row["commute_km"]) for row in rows) == [0, 4, 12, 25, 60, 300]
    assert rows[2]["groups"] == "employee;parent"
    assert rows[2]["home_municipality"] == "Oranienburg"


async def test_csv_cells_that_look_like_formulas_are_defused(api: Api) -> None:
    await submit(api, home_municipality="=HYPERLINK(1)", needs_other="+49 stuff")
    analyst = await api.member("analyst")

    response = await api.client.get(SUMMARY, params={"format": "csv"}, headers=analyst.headers)

    row = _parse(response.text)[0]
    assert row["home_municipality"] == "'=HYPERLINK(1)"
    assert row["needs_other"] == "'+49 stuff"


async def test_csv_needs_a_privileged_role(api: Api) -> None:
    member = await api.member()

    response = await api.client.get(SUMMARY, params={"format": "csv"}, headers=member.headers)

    assert_problem(response, 403, "forbidden")


# --- demo ---------------------------------------------------------------------------------


async def test_the_demo_seeds_synthetic_answers_once(api: Api, database_url: str) -> None:
    async with app_with(database_url, seed_demo=True) as (_, first):
        analyst = await first.member("analyst")
        seeded = await _summary(first, analyst.headers)
    async with app_with(database_url, seed_demo=True) as (_, second):
        again = await _summary(second, analyst.headers)

    assert seeded["responses"] == 300
    assert again == seeded
    shown = {row["municipality"] for row in seeded["by_municipality"] if not row["suppressed"]}
    assert {"Oranienburg", "Hennigsdorf", "Velten"} <= shown
    assert seeded["commute_km"]["median"] is not None


@pytest.mark.parametrize("field", ["home_municipality", "needs_other", "contact_email"])
async def test_nul_characters_are_refused_not_stored(api: Api, field: str) -> None:
    # PostgreSQL cannot store NUL in text; it must be a 422, never a 500.
    body = answer(**{field: "Oranien\x00burg"}, contact_consent=True)

    response = await api.client.post(RESPONSES, json=body)

    assert field in assert_problem(response, 422, "validation-error")["detail"]
