"""Expressions of interest: public with consent; operators list, mark, export and erase."""

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core import clock
from tests.conftest import NOW
from tests.factories import Api, assert_problem
from tests.survey.support import INTEREST

FIELDS = {
    "id",
    "kind",
    "name",
    "organisation",
    "email",
    "message",
    "offers",
    "needs",
    "consented_at",
    "consent_text_version",
    "created_at",
    "contacted",
    "contacted_at",
}


def entry(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "company",
        "name": "Erika Muster",
        "organisation": "Muster GmbH",
        "email": "Erika@Muster.example",
        "message": "We would like three seats.",
        "offers": "A workshop on funding",
        "needs": "Parking",
        "consent": True,
    }
    body.update(overrides)
    return body


async def register(api: Api, **overrides: Any) -> dict[str, Any]:
    response = await api.client.post(INTEREST, json=entry(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_interest_is_registered_with_its_consent(api: Api) -> None:
    body = await register(api)

    assert set(body) == FIELDS
    assert body["kind"] == "company"
    assert body["email"] == "erika@muster.example"
    assert body["organisation"] == "Muster GmbH"
    assert datetime.fromisoformat(body["consented_at"]) == NOW
    assert body["consent_text_version"] == "interest-contact-v1"
    assert body["contacted"] is False
    assert body["contacted_at"] is None


async def test_only_name_email_kind_and_consent_are_needed(api: Api) -> None:
    body = await register(
        api, kind="person", organisation=None, message=None, offers=None, needs=None
    )

    assert body["organisation"] is None
    assert body["kind"] == "person"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("consent", False),
        ("consent", None),
        ("consent", 1),
        ("consent", "true"),
        ("kind", "investor"),
        ("kind", None),
        ("name", ""),
        ("name", "x" * 201),
        ("email", "nobody"),
        ("email", None),
        ("organisation", "x" * 201),
        ("message", "x" * 2001),
        ("offers", 5),
        ("needs", ["parking"]),
        ("phone", "0123"),
    ],
)
async def test_invalid_entries_are_refused(api: Api, field: str, value: Any) -> None:
    response = await api.client.post(INTEREST, json=entry(**{field: value}))

    assert_problem(response, 422, "validation-error")


async def test_consent_must_be_given(api: Api) -> None:
    body = entry()
    del body["consent"]

    assert_problem(await api.client.post(INTEREST, json=body), 422, "validation-error")


async def test_operators_list_and_filter_newest_first(api: Api) -> None:
    first = await register(api, kind="person")
    clock.set_now(NOW + timedelta(minutes=1))
    second = await register(api, kind="company")
    clock.set_now(NOW + timedelta(minutes=2))
    third = await register(api, kind="partner")
    operator = await api.operator()
    await api.client.patch(
        f"{INTEREST}/{second['id']}", json={"contacted": True}, headers=operator.headers
    )

    everything = await api.client.get(INTEREST, headers=operator.headers)
    companies = await api.client.get(INTEREST, params={"kind": "company"}, headers=operator.headers)
    open_ones = await api.client.get(
        INTEREST, params={"contacted": "false"}, headers=operator.headers
    )
    page = await api.client.get(
        INTEREST, params={"limit": 1, "offset": 1}, headers=operator.headers
    )

    assert everything.status_code == 200, everything.text
    assert [item["id"] for item in everything.json()["items"]] == [
        third["id"],
        second["id"],
        first["id"],
    ]
    assert everything.json()["total"] == 3
    assert [item["id"] for item in companies.json()["items"]] == [second["id"]]
    assert [item["id"] for item in open_ones.json()["items"]] == [third["id"], first["id"]]
    assert page.json() == {
        "items": [everything.json()["items"][1]],
        "total": 3,
        "limit": 1,
        "offset": 1,
    }


async def test_marking_contacted_records_the_time_and_can_be_undone(api: Api) -> None:
    created = await register(api)
    operator = await api.operator()
    url = f"{INTEREST}/{created['id']}"
    contacted_at = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
    clock.set_now(contacted_at)

    marked = await api.client.patch(url, json={"contacted": True}, headers=operator.headers)
    clock.set_now(contacted_at + timedelta(days=1))
    again = await api.client.patch(url, json={"contacted": True}, headers=operator.headers)
    cleared = await api.client.patch(url, json={"contacted": False}, headers=operator.headers)

    assert marked.status_code == 200, marked.text
    assert marked.json()["contacted"] is True
    assert datetime.fromisoformat(marked.json()["contacted_at"]) == contacted_at
    assert datetime.fromisoformat(again.json()["contacted_at"]) == contacted_at
    assert cleared.json()["contacted"] is False
    assert cleared.json()["contacted_at"] is None
    audit = await api.client.get(
        "/api/v1/audit-events", params={"action": "interest.updated"}, headers=operator.headers
    )
    assert audit.json()["total"] == 3
    assert "erika" not in audit.text.lower()


@pytest.mark.parametrize("body", [{"contacted": 1}, {"contacted": None}, {}, {"name": "x"}])
async def test_marking_is_validated(api: Api, body: dict[str, Any]) -> None:
    created = await register(api)
    operator = await api.operator()

    response = await api.client.patch(
        f"{INTEREST}/{created['id']}", json=body, headers=operator.headers
    )

    assert_problem(response, 422, "validation-error")


async def test_erasure_deletes_the_entry(api: Api) -> None:
    created = await register(api)
    kept = await register(api, name="Other Person", email="other@example.org")
    operator = await api.operator()

    response = await api.client.delete(f"{INTEREST}/{created['id']}", headers=operator.headers)
    again = await api.client.delete(f"{INTEREST}/{created['id']}", headers=operator.headers)

    assert response.status_code == 204
    assert_problem(again, 404, "not-found")
    listed = (await api.client.get(INTEREST, headers=operator.headers)).json()
    assert [item["id"] for item in listed["items"]] == [kept["id"]]
    export = await api.client.get(INTEREST, params={"format": "csv"}, headers=operator.headers)
    assert "erika" not in export.text.lower()


@pytest.mark.parametrize("ask", ["accept", "format"])
async def test_csv_export_lists_every_matching_entry(api: Api, ask: str) -> None:
    await register(api, kind="person", name="=cmd|' /C calc'!A0")
    clock.set_now(NOW + timedelta(minutes=1))
    company = await register(api, kind="company")
    operator = await api.operator()
    params = {"kind": "company", "limit": "1"}
    headers = dict(operator.headers)
    if ask == "accept":
        headers["Accept"] = "text/csv"
    else:
        params["format"] = "csv"

    response = await api.client.get(INTEREST, params=params, headers=headers)
    everything = await api.client.get(INTEREST, params={"format": "csv"}, headers=operator.headers)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert rows[0]["id"] == company["id"]
    assert rows[0]["email"] == "erika@muster.example"
    assert rows[0]["contacted_at"] == ""
    assert datetime.fromisoformat(rows[0]["created_at"]) == NOW + timedelta(minutes=1)
    names = [row["name"] for row in csv.DictReader(io.StringIO(everything.text))]
    assert names == ["Erika Muster", "'=cmd|' /C calc'!A0"]


async def test_only_operators_handle_entries(api: Api) -> None:
    created = await register(api)
    url = f"{INTEREST}/{created['id']}"
    for role in ("member", "analyst"):
        caller = await api.member(role)
        assert_problem(await api.client.get(INTEREST, headers=caller.headers), 403, "forbidden")
        patched = await api.client.patch(url, json={"contacted": True}, headers=caller.headers)
        assert_problem(patched, 403, "forbidden")
        assert_problem(await api.client.delete(url, headers=caller.headers), 403, "forbidden")
    assert_problem(await api.client.get(INTEREST), 401, "not-authenticated")
    assert_problem(await api.client.delete(url), 401, "not-authenticated")


async def test_an_unknown_entry_is_not_found(api: Api) -> None:
    operator = await api.operator()
    url = f"{INTEREST}/00000000-0000-4000-8000-000000000000"

    patched = await api.client.patch(url, json={"contacted": True}, headers=operator.headers)

    assert_problem(patched, 404, "not-found")
    assert_problem(await api.client.delete(url, headers=operator.headers), 404, "not-found")


async def test_nul_characters_are_refused(api: Api) -> None:
    response = await api.client.post(INTEREST, json=entry(message="hello\x00"))

    assert "message" in assert_problem(response, 422, "validation-error")["detail"]
