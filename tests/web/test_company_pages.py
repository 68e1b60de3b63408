"""The company page (DESIGN §5, §7, §10): registering a company, its status, seats and
employees for its admins, invitations (held while pending), removal of employees and the
usage of the last 30 days as a chart with its table — all through the API's services."""

import re
from datetime import timedelta
from html import unescape
from typing import Any

import httpx
import pytest

from app.core import clock
from tests.companies.support import (
    COMPANIES,
    accept,
    active_company,
    employee,
    invite,
    register_company,
    set_company,
    usage,
)
from tests.companies.test_invitations_api import FakeSmtp, smtp  # noqa: F401 - the fixture
from tests.conftest import NOW
from tests.factories import Api, Member, booked
from tests.web.support import alerts, csrf_token, sign_in

#: NOW is Monday 2030-01-07 08:00 in Berlin.
TOMORROW = "2030-01-08"


async def _post(
    client: httpx.AsyncClient, action: str, data: dict[str, Any] | None = None
) -> httpx.Response:
    page = await client.get("/company")
    assert page.status_code == 200, page.text
    return await client.post(action, data={"csrf_token": csrf_token(page), **(data or {})})


async def _admin(api: Api, client: httpx.AsyncClient, **overrides: Any) -> Member:
    admin = await api.member(**overrides)
    await sign_in(client, admin.email)
    return admin


def _text(page: httpx.Response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


async def test_a_visitor_without_a_session_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    answer = await client.get("/company")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fcompany"


async def test_a_member_registers_a_company_that_waits_for_approval(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    form = await client.get("/company")
    assert "Unternehmen anmelden" in form.text

    answer = await _post(
        client,
        "/company",
        {
            "name": "Velten Keramik GmbH",
            "contact_email": "Info@Keramik.example",
            "seats_requested": "4",
        },
    )

    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert 'role="status"' in page.text
    text = _text(page)
    assert "Velten Keramik GmbH" in text
    assert "Status wartet auf Freigabe" in text
    assert (
        "Einladungen werden gespeichert und verschickt, sobald das Unternehmen freigegeben ist"
        in text
    )
    assert "Unternehmen anmelden" not in text
    listed = (await api.client.get(COMPANIES, headers=admin.headers)).json()["items"]
    assert [(c["name"], c["status"], c["seats"], c["seats_requested"]) for c in listed] == [
        ("Velten Keramik GmbH", "pending", 0, 4)
    ]
    assert listed[0]["contact_email"] == "info@keramik.example"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("de", "Geben Sie die Plätze als ganze Zahl von 0 bis 10000 an."),
        ("en", "Enter the seats as a whole number from 0 to 10000."),
    ],
)
async def test_a_refused_registration_keeps_the_entries(
    api: Api, client: httpx.AsyncClient, lang: str, message: str
) -> None:
    admin = await _admin(api, client)
    await client.get(f"/company?lang={lang}")

    answer = await _post(
        client,
        "/company",
        {"name": "Oranienburg IT", "contact_email": "a@b.example", "seats_requested": "2.5"},
    )

    assert answer.status_code == 422
    assert message in alerts(answer)
    assert 'value="Oranienburg IT"' in answer.text
    assert (await api.client.get(COMPANIES, headers=admin.headers)).json()["total"] == 0


@pytest.mark.usefixtures("smtp")
async def test_a_pending_companys_invitation_is_stored_and_not_mailed(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    company = await register_company(api, admin)
    invited = await api.member(email="mia@example.org")

    answer = await _post(
        client, f"/company/{company['id']}/invitations", {"email": "Mia@Example.org"}
    )

    assert answer.status_code == 200
    [notice] = re.findall(r'role="status">(.*?)</div>', answer.text, re.S)
    assert "Einladung für mia@example.org gespeichert" in notice
    assert "sobald Ihr Unternehmen aktiv ist" in notice
    token = notice.rsplit(": ", 1)[1].strip()
    assert FakeSmtp.sent == []
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert [(i["email"], i["mail_status"]) for i in listed.json()["items"]] == [
        ("mia@example.org", "held")
    ]
    # The code shown is the invitation's token: the invitee joins with it.
    assert (await accept(api, invited, unescape(token))).status_code == 200


@pytest.mark.usefixtures("smtp")
async def test_an_active_companys_invitation_is_mailed(api: Api, client: httpx.AsyncClient) -> None:
    admin = await _admin(api, client)
    company = await active_company(api, admin, seats=2)

    answer = await _post(
        client, f"/company/{company['id']}/invitations", {"email": "ben@example.org"}
    )

    assert answer.status_code == 200
    assert "Einladung für ben@example.org erstellt und verschickt" in _text(answer)
    [(_, _, message)] = FakeSmtp.sent
    assert message["To"] == "ben@example.org"
    token = re.findall(r"gültig bis [^:]+: ([A-Za-z0-9_-]+)", _text(answer))[0]
    assert token in message.get_content()


async def test_a_suspended_companys_admin_reads_that_invitations_wait(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    company = await active_company(api, admin, seats=2)
    await set_company(api, company["id"], status="suspended")

    page = await client.get("/company?lang=en")

    text = _text(page)
    assert "Status suspended" in text
    assert "invitations are stored and mailed once the company is active again" in text
    answer = await _post(
        client, f"/company/{company['id']}/invitations", {"email": "c@example.org"}
    )
    assert "It will be mailed once your company is active" in _text(answer)


async def test_an_invitation_needs_an_email_address(api: Api, client: httpx.AsyncClient) -> None:
    admin = await _admin(api, client)
    company = await register_company(api, admin)

    answer = await _post(client, f"/company/{company['id']}/invitations", {"email": "kein-at"})

    assert answer.status_code == 422
    assert (
        "Geben Sie die E-Mail-Adresse der einzuladenden Person ein, zum Beispiel name@example.org."
        in alerts(answer)
    )
    assert 'value="kein-at"' in answer.text
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert listed.json()["total"] == 0


async def test_the_51st_invitation_of_a_day_is_refused(api: Api, client: httpx.AsyncClient) -> None:
    admin = await _admin(api, client)
    company = await register_company(api, admin)
    for number in range(50):
        assert (
            await invite(api, admin, company["id"], f"p{number}@example.org")
        ).status_code == 201

    answer = await _post(
        client, f"/company/{company['id']}/invitations", {"email": "p50@example.org"}
    )

    assert answer.status_code == 429
    assert "retry-after" in answer.headers
    assert "Das Unternehmen hat in den letzten 24 Stunden 50 Einladungen verschickt." in " ".join(
        alerts(answer)
    )


async def test_admins_see_their_employees_and_remove_one(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    company = await active_company(api, admin, seats=2)
    worker = await employee(api, admin, company["id"], full_name="Ada Lovelace")
    location = await api.location()
    desk = await api.desk(location["id"])
    future = await booked(api, worker, desk["id"], TOMORROW, "09:00", "11:00")
    assert future["company_id"] == company["id"]

    page = await client.get("/company")
    text = _text(page)
    assert f"Ada Lovelace {worker.email} 07.01.2030" in text

    answer = await _post(client, f"/company/{company['id']}/employees/{worker.id}/remove")

    assert answer.status_code == 303
    after = await client.get(answer.headers["location"])
    assert "Die beschäftigte Person wurde entfernt" in _text(after)
    assert "Ada Lovelace" not in after.text
    employees = await api.client.get(
        f"{COMPANIES}/{company['id']}/employees", headers=admin.headers
    )
    assert employees.json()["total"] == 0
    mine = await api.client.get("/api/v1/me/bookings", headers=worker.headers)
    assert [b["company_id"] for b in mine.json()["items"]] == [None]


async def test_another_companys_id_is_not_found(api: Api, client: httpx.AsyncClient) -> None:
    other_admin = await api.member()
    other = await register_company(api, other_admin, name="Andere GmbH")
    outsider = await employee(api, other_admin, other["id"])
    await _admin(api, client)

    for action in (
        f"/company/{other['id']}/invitations",
        f"/company/{other['id']}/employees/{outsider.id}/remove",
        "/company/not-a-uuid/invitations",
        "/company/not-a-uuid/employees/not-a-uuid/remove",
    ):
        answer = await _post(client, action, {"email": "x@example.org"})
        assert answer.status_code == 404, action
        assert "Dieses Unternehmen gibt es nicht." in alerts(answer)
    listed = await api.client.get(
        f"{COMPANIES}/{other['id']}/invitations", headers=other_admin.headers
    )
    assert listed.json()["total"] == 1  # the outsider's own, accepted
    employees = await api.client.get(
        f"{COMPANIES}/{other['id']}/employees", headers=other_admin.headers
    )
    assert employees.json()["total"] == 1


async def test_removing_someone_who_is_no_employee_is_not_found(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    company = await register_company(api, admin)
    stranger = await api.member()

    answer = await _post(client, f"/company/{company['id']}/employees/{stranger.id}/remove")

    assert answer.status_code == 404


async def test_an_employee_sees_their_company_but_not_their_colleagues(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=3)
    await employee(api, admin, company["id"], full_name="Kollegin Eins")
    worker = await employee(api, admin, company["id"])
    await sign_in(client, worker.email)

    page = await client.get("/company")

    assert page.status_code == 200
    text = _text(page)
    assert "Havelland Software GmbH" in text
    assert "Sie sind bei diesem Unternehmen beschäftigt (Status: aktiv)" in text
    assert "Kollegin Eins" not in text
    assert "Einladen" not in text
    # An employee's attempt at an admin's action: the API's 403, as a page.
    answer = await _post(
        client, f"/company/{company['id']}/invitations", {"email": "x@example.org"}
    )
    assert answer.status_code == 403
    assert alerts(answer)


async def test_a_post_without_the_csrf_token_is_refused(
    api: Api, client: httpx.AsyncClient
) -> None:
    admin = await _admin(api, client)
    company = await register_company(api, admin)

    answer = await client.post(
        f"/company/{company['id']}/invitations", data={"email": "x@example.org"}
    )
    registered = await client.post(
        "/company", data={"name": "X", "contact_email": "x@example.org", "seats_requested": "1"}
    )

    assert (answer.status_code, registered.status_code) == (403, 403)
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert listed.json()["total"] == 0
    assert (await api.client.get(COMPANIES, headers=admin.headers)).json()["total"] == 1


def _table_rows(page: httpx.Response) -> dict[str, tuple[str, str]]:
    """Date → (booked hours, peak seats) as the usage table shows them."""
    rows = re.findall(
        r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', page.text
    )
    return {day: (hours, peak) for day, hours, peak in rows}


@pytest.mark.parametrize(
    ("lang", "day", "hours"), [("de", "08.01.2030", "3,5"), ("en", "Jan 8, 2030", "3.5")]
)
async def test_the_usage_chart_and_table_show_the_apis_figures(
    api: Api, client: httpx.AsyncClient, lang: str, day: str, hours: str
) -> None:
    admin = await _admin(api, client)
    company = await active_company(api, admin, seats=2)
    ada = await employee(api, admin, company["id"])
    ben = await employee(api, admin, company["id"])
    location = await api.location()
    first, second = await api.desk(location["id"]), await api.desk(location["id"])
    await booked(api, ada, first["id"], TOMORROW, "10:00", "12:00")
    await booked(api, ben, second["id"], TOMORROW, "11:00", "12:30")
    await booked(api, ben, second["id"], "2030-01-09", "09:00", "10:00")
    clock.set_now(NOW + timedelta(days=3))  # Thursday 10 January: the bookings lie behind

    page = await client.get(f"/company?lang={lang}")

    figures = (await usage(api, admin, company["id"], "2029-12-12", "2030-01-10")).json()
    rows = _table_rows(page)
    assert len(rows) == 30 == len(figures["days"])
    assert rows[day] == (hours, "2")
    by_day = {entry["date"]: entry for entry in figures["days"]}
    assert (
        by_day["2030-01-08"]["booked_hours"],
        by_day["2030-01-08"]["peak_concurrent_seats"],
    ) == (3.5, 2)
    assert (
        sum(float(h.replace(",", ".")) for h, _ in rows.values())
        == figures["total"]["booked_hours"]
    )
    assert sorted(int(peak) for _, peak in rows.values())[-2:] == [1, 2]
    # The chart: a titled, described image that scales, one bar a day, heights in proportion.
    [svg] = re.findall(r"<svg.*?</svg>", page.text, re.S)
    assert 'role="img"' in svg
    assert 'width="100%"' in svg
    assert 'viewBox="0 0 360' in svg
    labelled = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg)
    assert labelled is not None
    assert f'<title id="{labelled.group(1)}">' in svg
    assert f'<desc id="{labelled.group(2)}">' in svg
    heights = [
        float(h) for h in re.findall(r'<rect class="chart__bar"[^>]*height="([0-9.]+)"', svg)
    ]
    assert len(heights) == 30
    assert heights[-3] == pytest.approx(heights[-2] * 3.5, rel=1e-3)
    assert heights.count(0) == 28
    assert day in svg  # the date axis is labelled in the page's language
