"""Hostile and careless input (DESIGN §7): every input is validated before it reaches the
database or the clock — 422 ``validation-error``, never 500, and nothing is stored."""

import unicodedata
from typing import Any

import pytest

from app.core.middleware import MAX_HEADER_BYTES
from tests.companies.support import COMPANIES, register_company
from tests.factories import PASSWORD, Api, Member, assert_problem, local

DAY = "2030-01-08"


async def _desk(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    location = await api.location()
    return location, await api.desk(location["id"])


async def _bookings_of(api: Api) -> int:
    operator = await api.operator()
    response = await api.client.get("/api/v1/bookings", headers=operator.headers)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


# --- header size ---------------------------------------------------------------------------


async def test_headers_over_16_kib_are_refused(api: Api) -> None:
    response = await api.client.get("/api/v1/locations", headers={"X-Padding": "x" * 20 * 1024})

    assert_problem(response, 431, "header-fields-too-large")
    assert "x-request-id" in response.headers


async def test_headers_under_16_kib_are_served(api: Api) -> None:
    padding = "x" * (MAX_HEADER_BYTES - 1024)

    response = await api.client.get("/api/v1/locations", headers={"X-Padding": padding})

    assert response.status_code == 200, response.text


# --- NUL characters ---------------------------------------------------------------------


async def test_a_nul_in_a_public_desk_filter_is_refused(api: Api) -> None:
    await _desk(api)

    response = await api.client.get("/api/v1/desks", params={"feature": "\x00"})

    assert_problem(response, 422, "validation-error")


async def test_a_nul_in_an_availability_filter_is_refused(api: Api) -> None:
    location, _ = await _desk(api)
    params = {
        "location_id": location["id"],
        "start": local(DAY, "09:00"),
        "end": local(DAY, "10:00"),
        "feature": "quiet\x00",
    }

    response = await api.client.get("/api/v1/availability", params=params)

    assert_problem(response, 422, "validation-error")


async def test_a_nul_in_the_member_search_is_refused(api: Api) -> None:
    operator = await api.operator()

    response = await api.client.get(
        "/api/v1/members", params={"q": "\x00"}, headers=operator.headers
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    "params",
    [{"action": "booking.created\x00"}, {"unknown": "\x00"}, {"\x00": "x"}],
    ids=["declared", "undeclared", "name"],
)
async def test_a_nul_in_any_query_parameter_is_refused(api: Api, params: dict[str, str]) -> None:
    operator = await api.operator()

    response = await api.client.get("/api/v1/audit-events", params=params, headers=operator.headers)

    assert_problem(response, 422, "validation-error")


async def test_a_nul_in_a_path_parameter_is_refused(api: Api) -> None:
    response = await api.client.get("/api/v1/calendar/abc%00def.ics")

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("field", ["username", "password"])
async def test_a_nul_in_the_sign_in_form_is_refused(api: Api, field: str) -> None:
    member = await api.member()
    form = {"username": member.email, "password": PASSWORD}
    form[field] += "\x00"

    response = await api.client.post("/api/v1/auth/token", data=form)

    assert_problem(response, 422, "validation-error")


# --- instants and dates that cannot be converted ------------------------------------------


@pytest.mark.parametrize(
    "start",
    [
        "0001-01-01T00:00:00+01:00",  # overflows on the way to UTC
        "9999-12-31T23:59:59-01:00",
        "1999-12-31T09:00:00+01:00",  # before the years the service accepts
        "1894089600",  # epoch seconds: 2030-01-08 09:00 in Berlin
        "2030-01-08",  # a date is not an instant
    ],
)
async def test_a_booking_start_out_of_range_or_not_iso_is_refused(api: Api, start: str) -> None:
    _, desk = await _desk(api)
    member = await api.member()

    response = await api.book(member, desk["id"], start, local(DAY, "12:00"))

    assert_problem(response, 422, "validation-error")
    assert await _bookings_of(api) == 0


@pytest.mark.parametrize(
    "bound", [("from", "0001-01-01T00:00:00+01:00"), ("to", "9999-12-31T23:59:59-01:00")]
)
async def test_a_bookings_filter_out_of_range_is_refused(api: Api, bound: tuple[str, str]) -> None:
    member = await api.member()

    response = await api.client.get(
        "/api/v1/bookings", params=dict([bound]), headers=member.headers
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59-01:00"),
        ("0001-01-01T00:00:00+01:00", "2030-01-08T10:00:00+01:00"),
        ("1894089600", "1894093200"),  # epoch seconds: 2030-01-08 09:00–10:00 in Berlin
    ],
)
async def test_availability_out_of_range_is_refused(api: Api, start: str, end: str) -> None:
    location, _ = await _desk(api)

    response = await api.client.get(
        "/api/v1/availability",
        params={"location_id": location["id"], "start": start, "end": end},
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1893456000", "2030-01-08T00:00"])
async def test_a_schedule_date_out_of_range_is_refused(api: Api, day: str) -> None:
    _, desk = await _desk(api)

    response = await api.client.get(f"/api/v1/desks/{desk['id']}/schedule", params={"date": day})

    assert_problem(response, 422, "validation-error")


async def test_a_closure_date_out_of_range_is_refused(api: Api) -> None:
    location = await api.location()
    operator = await api.operator()

    response = await api.client.post(
        f"/api/v1/locations/{location['id']}/closures",
        json={"date": "9999-12-31", "reason": "Betriebsferien"},
        headers=operator.headers,
    )

    assert_problem(response, 422, "validation-error")


# --- integers -----------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["50.0", "5e1", "+5", " 5", "٥", "0x10", "1_0"])
async def test_a_query_integer_is_ascii_digits_only(api: Api, limit: str) -> None:
    response = await api.client.get("/api/v1/locations", params={"limit": limit})

    assert_problem(response, 422, "validation-error")


async def test_query_integers_in_digits_still_work(api: Api) -> None:
    response = await api.client.get("/api/v1/locations", params={"limit": "7", "offset": "0"})

    assert response.status_code == 200, response.text
    assert response.json()["limit"] == 7


@pytest.mark.parametrize("seats", [3.0, "3", True])
async def test_a_json_integer_is_a_json_integer(api: Api, seats: object) -> None:
    admin = await api.member()

    response = await api.client.post(
        COMPANIES,
        json={"name": "Havelland GmbH", "contact_email": "a@example.org", "seats_requested": seats},
        headers=admin.headers,
    )

    assert_problem(response, 422, "validation-error")


# --- names and passwords --------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "   "},
        {"full_name": "\u3000\t"},  # ideographic space and a tab
        {"full_name": "Erika\u0007Mustermann"},  # BEL
        {"full_name": "Erika\nMustermann"},
        {"full_name": "Erika\u2028Mustermann"},  # line separator
        {"full_name": "\u001b[31mErika"},  # a terminal escape
        {"home_municipality": " "},
        {"home_municipality": "Oranienburg\u0008"},
        {"password": " " * 12},
        {"password": "\t\n" * 6},
    ],
)
async def test_registration_refuses_blank_or_control_characters(
    api: Api, overrides: dict[str, str]
) -> None:
    response = await api.register(**overrides)

    assert_problem(response, 422, "validation-error")
    operator = await api.operator()
    members = await api.client.get("/api/v1/members", headers=operator.headers)
    assert members.json()["total"] == 1  # the operator alone


async def test_names_are_stored_trimmed(api: Api) -> None:
    response = await api.register(full_name="  Erika Mustermann \n")

    assert response.status_code == 201, response.text
    assert response.json()["full_name"] == "Erika Mustermann"


async def test_a_profile_change_refuses_a_blank_name(api: Api) -> None:
    member = await api.member()

    response = await api.client.patch(
        "/api/v1/me", json={"full_name": " \t "}, headers=member.headers
    )

    assert_problem(response, 422, "validation-error")
    assert (await api.client.get("/api/v1/me", headers=member.headers)).json()["full_name"] == (
        "Test Member"
    )


@pytest.mark.parametrize("name", ["   ", "Havelland\u0000GmbH", "Havelland\x1fGmbH"])
async def test_a_company_name_must_be_a_name(api: Api, name: str) -> None:
    admin = await api.member()

    response = await api.client.post(
        COMPANIES,
        json={"name": name, "contact_email": "a@example.org", "seats_requested": 1},
        headers=admin.headers,
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/locations", {"name": " "}),
        ("/api/v1/locations", {"municipality": "\u00a0"}),
        ("/api/v1/locations", {"name": "Standort\rOranienburg"}),
        ("/api/v1/desks", {"name": "\t"}),
        ("/api/v1/desks", {"name": "Platz\u00851"}),  # NEL, a C1 control character
    ],
)
async def test_location_and_desk_names_must_be_names(
    api: Api, path: str, body: dict[str, str]
) -> None:
    operator = await api.operator()
    location = await api.location()
    valid: dict[str, Any] = (
        {
            "name": "Standort Havel",
            "municipality": "Oranienburg",
            "address": "Bernauer Straße 1",
            "timezone": "Europe/Berlin",
            "opening_hours": [],
        }
        if path.endswith("locations")
        else {"location_id": location["id"], "name": "Platz 1", "kind": "desk", "features": []}
    )

    response = await api.client.post(path, json={**valid, **body}, headers=operator.headers)

    assert_problem(response, 422, "validation-error")


# --- emails ---------------------------------------------------------------------------------

NFC_EMAIL = unicodedata.normalize("NFC", "josé.müller@example.org")
NFD_EMAIL = unicodedata.normalize("NFD", "José.Müller@Example.org")


async def test_an_email_typed_in_nfd_signs_in(api: Api) -> None:
    assert NFD_EMAIL.lower() != NFC_EMAIL
    registered = await api.register(email=NFC_EMAIL)
    assert registered.status_code == 201, registered.text

    response = await api.login(NFD_EMAIL)

    assert response.status_code == 200, response.text


async def test_an_email_registered_in_nfd_is_stored_in_nfc_and_signs_in_either_way(
    api: Api,
) -> None:
    registered = await api.register(email=NFD_EMAIL)
    assert registered.status_code == 201, registered.text

    assert registered.json()["email"] == NFC_EMAIL
    for typed in (NFC_EMAIL, NFD_EMAIL, f"  {NFC_EMAIL.upper()} "):
        assert (await api.login(typed)).status_code == 200, typed
    assert_problem(await api.register(email=NFC_EMAIL.upper()), 409, "conflict")


async def test_the_member_search_finds_an_email_typed_in_nfd(api: Api) -> None:
    registered = await api.register(email=NFC_EMAIL)
    assert registered.status_code == 201, registered.text
    operator = await api.operator()

    response = await api.client.get(
        "/api/v1/members",
        params={"q": unicodedata.normalize("NFD", "JOSÉ.MÜ")},
        headers=operator.headers,
    )

    assert response.status_code == 200, response.text
    assert [row["email"] for row in response.json()["items"]] == [NFC_EMAIL]


async def test_an_invitation_to_an_nfd_email_is_for_the_nfc_member(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    invited = await api.client.post(
        f"{COMPANIES}/{company['id']}/invitations",
        json={"email": NFD_EMAIL},
        headers=admin.headers,
    )
    assert invited.status_code == 201, invited.text
    assert invited.json()["email"] == NFC_EMAIL

    member: Member = await api.member(email=NFC_EMAIL)
    accepted = await api.client.post(
        "/api/v1/invitations/accept",
        json={"token": invited.json()["token"]},
        headers=member.headers,
    )

    assert accepted.status_code == 200, accepted.text


async def test_a_company_contact_email_is_stored_normalised(api: Api) -> None:
    admin = await api.member()

    company = await register_company(api, admin, contact_email=f" {NFD_EMAIL} ")

    assert company["contact_email"] == NFC_EMAIL
