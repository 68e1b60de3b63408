"""The one ``from``/``to`` range of local dates, as the statistics, the survey summary and a
company's usage take it: both inclusive, 2000–2099, ``to`` before the same day three years
after ``from`` (29 February + 3 years = 1 March), ASCII digits ``YYYY-MM-DD`` only."""

from collections.abc import Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI

from tests.companies.support import COMPANIES, active_company
from tests.factories import Api, assert_problem
from tests.survey.support import SUMMARY

#: ``(api, from, to)`` → the answer of one endpoint, as a caller allowed to read it
Ask = Callable[[Api, str, str], Awaitable[httpx.Response]]


async def _stats(api: Api, first: str, last: str) -> httpx.Response:
    analyst = await api.member("analyst")
    return await api.client.get(
        "/api/v1/stats/utilization",
        params={"from": first, "to": last, "granularity": "month"},
        headers=analyst.headers,
    )


async def _survey(api: Api, first: str, last: str) -> httpx.Response:
    analyst = await api.member("analyst")
    return await api.client.get(
        SUMMARY, params={"from": first, "to": last}, headers=analyst.headers
    )


async def _company_usage(api: Api, first: str, last: str) -> httpx.Response:
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    return await api.client.get(
        f"{COMPANIES}/{company['id']}/usage",
        params={"from": first, "to": last},
        headers=admin.headers,
    )


ENDPOINTS = pytest.mark.parametrize(
    "ask", [_stats, _survey, _company_usage], ids=["stats", "survey", "company-usage"]
)


@ENDPOINTS
@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2030-01-01", "2030-01-01"),  # one day
        ("2030-01-01", "2032-12-31"),  # the longest range: the day before three years later
        ("2028-02-29", "2031-02-28"),  # 29 February + 3 years = 1 March, so 28 February is in
        ("2000-01-01", "2002-12-31"),  # the first day allowed
        ("2097-01-01", "2099-12-31"),  # the last day allowed
    ],
)
async def test_ranges_within_three_years_are_accepted(
    api: Api, ask: Ask, first: str, last: str
) -> None:
    response = await ask(api, first, last)

    assert response.status_code == 200, response.text


@ENDPOINTS
@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2030-01-02", "2030-01-01"),  # to before from
        ("2030-01-01", "2033-01-01"),  # the same day three years later
        ("2028-02-29", "2031-03-01"),  # 29 February + 3 years = 1 March
        ("1999-12-31", "2000-01-01"),  # before 2000
        ("2099-12-31", "2100-01-01"),  # after 2099
        ("2030-02-30", "2030-03-01"),  # no such day
        ("2030-1-1", "2030-01-02"),  # not zero-padded
        ("٢٠٣٠-٠١-٠١", "2030-01-02"),  # Arabic-Indic digits
        ("２０３０-０１-０１", "2030-01-02"),  # fullwidth digits
        ("2030-01-01", "1893456000"),  # epoch seconds
        ("2030-01-01T00:00:00", "2030-01-02"),  # an instant is not a date
        ("20300101", "2030-01-02"),  # ISO basic format
    ],
)
async def test_ranges_out_of_the_rule_answer_422(api: Api, ask: Ask, first: str, last: str) -> None:
    response = await ask(api, first, last)

    assert_problem(response, 422, "validation-error")


def test_the_three_endpoints_document_the_same_rule(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    described = {
        path: {
            parameter["name"]: parameter.get("description", "")
            for parameter in paths[path]["get"]["parameters"]
            if parameter["name"] in {"from", "to"}
        }
        for path in (
            "/api/v1/stats/utilization",
            "/api/v1/survey/summary",
            "/api/v1/companies/{company_id}/usage",
        )
    }

    for path, parameters in described.items():
        assert "inclusive" in parameters["from"], path
        assert "2000–2099" in parameters["from"], path
        assert "three years" in parameters["to"], path
        assert "29 February" in parameters["to"], path
