"""Registering interest on a page (DESIGN §5, §10): the API's schema, service, rate limit and
consent text (in the page's language); the entries read back by the operator through the API."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.interest.schemas import INTEREST_CONSENT_TEXT
from tests.factories import Api
from tests.survey.support import INTEREST, app_with
from tests.web.support import alerts, csrf_token

FORM = {
    "kind": "social_organisation",
    "name": "Grete Müller",
    "organisation": "Familienzentrum Velten e. V.",
    "email": "Grete@Example.org",
    "message": "Wir hätten Räume für einen Eltern-Kind-Platz.",
    "consent": "yes",
}


async def _post(
    client: httpx.AsyncClient, data: dict[str, Any], lang: str = "de"
) -> httpx.Response:
    form = await client.get(f"/interest?lang={lang}")
    assert form.status_code == 200
    return await client.post("/interest", data={"csrf_token": csrf_token(form), **data})


async def _entries(api: Api) -> list[dict[str, Any]]:
    operator = await api.operator()
    listed = await api.client.get(INTEREST, headers=operator.headers)
    assert listed.status_code == 200
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def test_the_form_is_labelled_with_the_consent_text(client: httpx.AsyncClient) -> None:
    german = await client.get("/interest?lang=de")
    for label in ("Wer sind Sie?", "Eine soziale Einrichtung", "Organisation", "E-Mail"):
        assert label in german.text, label
    assert (
        "Ich bin einverstanden, dass das Coworking-Pilotprojekt O-H-V diese Angaben" in german.text
    )
    english = await client.get("/interest?lang=en")
    for label in ("Who are you?", "A partner of the pilot", "Message", INTEREST_CONSENT_TEXT):
        assert label in english.text, label


async def test_an_entry_is_stored_with_its_consent_and_thanked_for(
    api: Api, client: httpx.AsyncClient
) -> None:
    answer = await _post(client, FORM)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/interest?done=1"
    thanks = await client.get(answer.headers["location"])
    assert 'role="status"' in thanks.text
    assert "Vielen Dank für Ihr Interesse" in thanks.text
    [entry] = await _entries(api)
    assert (entry["kind"], entry["name"], entry["email"]) == (
        "social_organisation",
        "Grete Müller",
        "grete@example.org",
    )
    assert entry["organisation"] == "Familienzentrum Velten e. V."
    assert entry["message"] == FORM["message"]
    assert entry["consent_text_version"] == "interest-contact-v1"


async def test_organisation_and_message_are_optional(api: Api, client: httpx.AsyncClient) -> None:
    data = {**FORM, "kind": "person", "organisation": "", "message": ""}

    assert (await _post(client, data)).status_code == 303

    [entry] = await _entries(api)
    assert (entry["organisation"], entry["message"]) == (None, None)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (
            "de",
            "Ihre Angaben können wir nur mit Ihrer Einwilligung speichern: Setzen Sie das Häkchen.",
        ),
        ("en", "We can only keep your details with your consent: tick the box."),
    ],
)
async def test_without_consent_nothing_is_stored(
    api: Api, client: httpx.AsyncClient, lang: str, message: str
) -> None:
    data = {key: value for key, value in FORM.items() if key != "consent"}

    answer = await _post(client, data, lang=lang)

    assert answer.status_code == 422
    assert message in alerts(answer)
    assert 'id="consent-error"' in answer.text
    assert 'value="Grete Müller"' in answer.text
    assert "Eltern-Kind-Platz" in answer.text
    assert 'value="social_organisation" checked' in answer.text
    assert await _entries(api) == []


async def test_missing_kind_name_and_email_are_shown_on_their_fields(
    api: Api, client: httpx.AsyncClient
) -> None:
    answer = await _post(client, {"consent": "yes", "name": " ", "email": "nein"})

    assert answer.status_code == 422
    shown = alerts(answer)
    assert "Wählen Sie aus, wer Sie sind." in shown
    assert "Geben Sie Ihren Namen ein." in shown
    assert "Geben Sie Ihre E-Mail-Adresse ein, zum Beispiel name@example.org." in shown
    assert await _entries(api) == []


async def test_a_post_without_the_csrf_token_is_refused(
    api: Api, client: httpx.AsyncClient
) -> None:
    await client.get("/interest")

    answer = await client.post("/interest", data=FORM)

    assert answer.status_code == 403
    assert await _entries(api) == []


async def test_the_page_shares_the_apis_rate_limit(app: FastAPI, database_url: str) -> None:
    async with app_with(database_url, rate_limit_public_forms="1/hour") as (_, limited):
        assert (await limited.client.post(INTEREST, json={"kind": "person"})).status_code == 422
        page = await limited.client.get("/interest?lang=en")
        refused = await limited.client.post(
            "/interest", data={"csrf_token": csrf_token(page), **FORM}
        )
    assert refused.status_code == 429
    assert any("Too many submissions from your address" in alert for alert in alerts(refused))
