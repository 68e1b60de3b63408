"""The needs survey on a page (DESIGN §5, §10): no account, the API's schema, service and rate
limit, its consent text in the page's language; the answers read back through the API."""

import csv
import io
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.models import SurveyContact
from app.survey.schemas import SURVEY_CONSENT_TEXT
from tests.factories import Api
from tests.survey.support import SUMMARY, app_with
from tests.web.support import alerts, csrf_token

FORM: dict[str, Any] = {
    "home_municipality": "velten",
    "groups": ["parent", "employee"],
    "commute_km": "32,5",
    "commute_minutes": "45",
    "commute_mode": "public_transport",
    "commute_days_per_week": "5",
    "coworking_days_per_week": "2",
    "needs": ["childcare", "fast_internet"],
    "needs_other": "Eine Teeküche",
    "price_per_day_eur": "12",
    "cooperation_interest": "no",
    "wants_trial": "yes",
}


async def _post(
    client: httpx.AsyncClient, data: dict[str, Any], lang: str = "de"
) -> httpx.Response:
    form = await client.get(f"/survey?lang={lang}")
    assert form.status_code == 200
    return await client.post("/survey", data={"csrf_token": csrf_token(form), **data})


async def _answers(api: Api) -> list[dict[str, str]]:
    """The stored answers, as an analyst exports them."""
    analyst = await api.member(role="analyst")
    exported = await api.client.get(SUMMARY, params={"format": "csv"}, headers=analyst.headers)
    assert exported.status_code == 200
    return list(csv.DictReader(io.StringIO(exported.text)))


async def _contacts(app: FastAPI) -> list[SurveyContact]:
    async with app.state.database.read_sessions() as session:
        return list((await session.scalars(select(SurveyContact))).all())


async def test_every_field_is_labelled_in_german_and_english(client: httpx.AsyncClient) -> None:
    german = await client.get("/survey?lang=de")
    for label in (
        "Wohnort",
        "Arbeitsweg (km, einfach)",
        "Arbeitsweg (Minuten, einfach)",
        "Meist unterwegs mit",
        "Kinderbetreuung",
        "Ja",
        "Nein",
        "Einwilligung",
    ):
        assert label in german.text, label
    english = await client.get("/survey?lang=en")
    for label in (
        "Home municipality",
        "Commute (minutes, one way)",
        "Childcare",
        "Price you would pay per day (EUR)",
        SURVEY_CONSENT_TEXT,
    ):
        assert label in english.text, label
    assert SURVEY_CONSENT_TEXT not in german.text
    assert 'name="csrf_token"' in german.text


async def test_an_answer_is_stored_and_thanked_for(api: Api, client: httpx.AsyncClient) -> None:
    answer = await _post(client, FORM)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/survey?done=1"
    thanks = await client.get(answer.headers["location"])
    assert 'role="status"' in thanks.text
    assert "Vielen Dank" in thanks.text
    [stored] = await _answers(api)
    assert stored["home_municipality"] == "Velten"  # the official spelling, as the API stores
    assert stored["groups"] == "employee;parent"
    assert stored["commute_km"] == "32.5"
    assert (stored["commute_minutes"], stored["commute_mode"]) == ("45", "public_transport")
    assert (stored["commute_days_per_week"], stored["coworking_days_per_week"]) == ("5", "2")
    assert stored["needs"] == "childcare;fast_internet"
    assert stored["needs_other"] == "Eine Teeküche"
    assert (stored["price_per_day_eur"], stored["wants_trial"]) == ("12.0", "true")
    assert stored["cooperation_interest"] == "false"


async def test_a_contact_email_with_consent_is_kept_with_the_texts_version(
    api: Api, app: FastAPI, client: httpx.AsyncClient
) -> None:
    data = {**FORM, "contact_email": "Anwohnerin@Example.org", "contact_consent": "yes"}

    assert (await _post(client, data)).status_code == 303

    [contact] = await _contacts(app)
    assert (contact.email, contact.consent_text_version) == (
        "anwohnerin@example.org",
        "survey-contact-v1",
    )
    assert len(await _answers(api)) == 1


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("de", "Ihre E-Mail-Adresse können wir nur mit Ihrer Einwilligung speichern"),
        ("en", "We can only keep your email address with your consent"),
    ],
)
async def test_a_contact_email_without_consent_is_refused_on_the_consent_field(
    api: Api, app: FastAPI, client: httpx.AsyncClient, lang: str, message: str
) -> None:
    answer = await _post(client, {**FORM, "contact_email": "a@example.org"}, lang=lang)

    assert answer.status_code == 422
    assert any(message in alert for alert in alerts(answer))
    assert 'id="contact_consent-error"' in answer.text
    assert 'value="a@example.org"' in answer.text  # what was typed stays
    assert 'value="velten"' in answer.text
    assert await _answers(api) == []
    assert await _contacts(app) == []


async def test_missing_and_invalid_answers_are_shown_on_their_fields(
    api: Api, client: httpx.AsyncClient
) -> None:
    data = {**FORM, "commute_km": "weit", "commute_days_per_week": "8", "groups": []}
    del data["wants_trial"]

    answer = await _post(client, data)

    assert answer.status_code == 422
    shown = " ".join(alerts(answer))
    assert "Entfernung in km als Zahl von 0 bis 300" in shown
    assert "ganze Zahl von Tagen von 0 bis 7" in shown
    assert "mindestens eine Gruppe" in shown
    assert "Ja oder Nein" in shown
    assert 'value="weit"' in answer.text
    assert await _answers(api) == []


async def test_a_post_without_the_csrf_token_is_refused(
    api: Api, client: httpx.AsyncClient
) -> None:
    await client.get("/survey")
    answer = await client.post("/survey", data=FORM)

    assert answer.status_code == 403
    assert any("abgelaufen" in alert for alert in alerts(answer))
    assert await _answers(api) == []


async def test_the_page_shares_the_apis_rate_limit(app: FastAPI, database_url: str) -> None:
    async with app_with(database_url, rate_limit_public_forms="2/hour") as (_, limited):
        page = await limited.client.get("/survey")
        token = csrf_token(page)
        api_answer = await limited.client.post(
            "/api/v1/survey/responses", json={"home_municipality": "x"}
        )
        assert api_answer.status_code == 422
        first = await limited.client.post("/survey", data={"csrf_token": token, **FORM})
        assert first.status_code == 303
        refused = await limited.client.post("/survey", data={"csrf_token": token, **FORM})
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert any("Zu viele" in alert for alert in alerts(refused))
