"""Invitations: single use, 14 days, bound to the invited email; registration with a token."""

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import ClassVar

import pytest
from fastapi import FastAPI

from app.core import clock
from tests.companies.support import (
    COMPANIES,
    accept,
    active_company,
    invite,
    register_company,
    set_company,
    token_for,
)
from tests.conftest import NOW
from tests.factories import PASSWORD, Api, assert_problem


async def test_invitation_works_until_it_expires_after_14_days(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    late, later = await api.member(), await api.member()
    late_token = await token_for(api, admin, company["id"], late.email)
    later_token = await token_for(api, admin, company["id"], later.email)

    clock.set_now(NOW + timedelta(days=14) - timedelta(seconds=1))
    assert (await accept(api, late, late_token)).status_code == 200
    clock.set_now(NOW + timedelta(days=14))
    assert_problem(await accept(api, later, later_token), 422, "validation-error")

    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert sorted(item["status"] for item in listed.json()["items"]) == ["accepted", "expired"]
    assert late_token not in listed.text


async def test_invitation_is_single_use(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    member = await api.member()
    token = await token_for(api, admin, company["id"], member.email)
    assert (await accept(api, member, token)).status_code == 200

    assert_problem(await accept(api, member, token), 422, "validation-error")
    assert_problem(await accept(api, member, "not-a-token"), 422, "validation-error")
    employees = await api.client.get(
        f"{COMPANIES}/{company['id']}/employees", headers=admin.headers
    )
    assert employees.json()["total"] == 1


async def test_invitation_for_another_email_is_refused_and_stays_usable(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    invited, other = await api.member(), await api.member()
    token = await token_for(api, admin, company["id"], invited.email.upper())

    assert_problem(await accept(api, other, token), 403, "forbidden")
    assert (await accept(api, invited, token)).status_code == 200


async def test_member_works_for_at_most_one_company(api: Api) -> None:
    first = await register_company(api, admin_one := await api.member())
    second = await register_company(api, admin_two := await api.member())
    member = await api.member()
    assert (
        await accept(api, member, await token_for(api, admin_one, first["id"], member.email))
    ).status_code == 200

    again = await token_for(api, admin_two, second["id"], member.email)
    assert_problem(await accept(api, member, again), 409, "conflict")
    same = await token_for(api, admin_one, first["id"], member.email)
    assert_problem(await accept(api, member, same), 409, "conflict")


async def test_admin_withdraws_an_invitation(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    member = await api.member()
    created = await invite(api, admin, company["id"], member.email)
    path = f"{COMPANIES}/{company['id']}/invitations/{created.json()['id']}"

    assert (await api.client.delete(path, headers=admin.headers)).status_code == 204
    assert_problem(await accept(api, member, created.json()["token"]), 422, "validation-error")
    assert_problem(await api.client.delete(path, headers=admin.headers), 404, "not-found")


async def test_registration_with_an_invitation_makes_an_employee(api: Api) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    token = await token_for(api, admin, company["id"], "neu@example.org")

    registered = await api.register(
        email="Neu@Example.org", groups=["parent"], invitation_token=token
    )

    assert registered.status_code == 201, registered.text
    assert registered.json()["groups"] == ["employee", "parent"]
    employees = await api.client.get(
        f"{COMPANIES}/{company['id']}/employees", headers=admin.headers
    )
    assert [item["id"] for item in employees.json()["items"]] == [registered.json()["id"]]


@pytest.mark.parametrize("problem", ["unknown", "wrong-email", "expired", "used"])
async def test_registration_with_a_bad_token_creates_no_account(api: Api, problem: str) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    email = "kandidat@example.org"
    token = await token_for(
        api, admin, company["id"], "jemand@example.org" if problem == "wrong-email" else email
    )
    if problem == "unknown":
        token = token[:-4] + "abcd"
    if problem == "expired":
        clock.set_now(NOW + timedelta(days=15))
    if problem == "used":
        first = await api.register(email=email, invitation_token=token)
        assert first.status_code == 201
        email = "zweite@example.org"

    refused = await api.register(email=email, invitation_token=token)

    assert_problem(refused, 422, "validation-error")
    assert (await api.login(email, PASSWORD)).status_code == 401
    assert (await api.register(email=email)).status_code == 201


async def test_invitation_mail_is_logged_without_token_or_email_when_smtp_is_off(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    capsys.readouterr()

    created = await invite(api, admin, company["id"], "geheim@example.org")

    logged = capsys.readouterr().err
    assert '"event": "notification_not_sent"' in logged
    assert '"kind": "company.invitation"' in logged
    assert created.json()["token"] not in logged
    assert "geheim" not in logged


class FakeSmtp:
    sent: ClassVar[list[tuple[str, int, EmailMessage]]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port = host, port

    def __enter__(self) -> "FakeSmtp":
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def starttls(self, context: object) -> None:
        return None

    def login(self, user: str, password: str) -> None:
        return None

    def send_message(self, message: EmailMessage) -> None:
        self.sent.append((self.host, self.port, message))


@pytest.fixture
def smtp(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """SMTP configured; messages reach :class:`FakeSmtp` (see :func:`_mailed`)."""
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp)
    FakeSmtp.sent.clear()
    app.state.settings.smtp_host = "mail.example.test"


def _mailed() -> list[EmailMessage]:
    return [message for _, _, message in FakeSmtp.sent]


@pytest.mark.usefixtures("smtp")
async def test_invitation_is_mailed_when_smtp_is_configured(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin, name="Velten Keramik")
    await set_company(api, company["id"], status="active", seats=1)

    created = await invite(api, admin, company["id"], "Mia@Example.org")

    assert created.json()["mail_status"] == "sent"
    ((host, port, message),) = FakeSmtp.sent
    assert (host, port, message["To"]) == ("mail.example.test", 587, "mia@example.org")
    assert "Velten Keramik" in message["Subject"]
    assert created.json()["token"] in message.get_content()


@pytest.mark.usefixtures("smtp")
async def test_a_pending_company_mails_no_invitation_until_an_operator_activates_it(
    api: Api,
) -> None:
    admin = await api.member()
    company = await register_company(api, admin, name="Gefälschte Bank AG")
    waiting = await invite(api, admin, company["id"], "wartet@example.org")
    withdrawn = await invite(api, admin, company["id"], "zurueck@example.org")
    early = await api.member(email="frueh@example.org")
    early_token = await token_for(api, admin, company["id"], early.email)
    assert (waiting.status_code, withdrawn.status_code) == (201, 201)
    assert _mailed() == []

    # The tokens work meanwhile; a used or withdrawn one is never mailed.
    assert (await accept(api, early, early_token)).status_code == 200
    path = f"{COMPANIES}/{company['id']}/invitations/{withdrawn.json()['id']}"
    assert (await api.client.delete(path, headers=admin.headers)).status_code == 204
    clock.set_now(NOW + timedelta(days=1))
    assert (await invite(api, admin, company["id"], "spaet@example.org")).status_code == 201
    assert _mailed() == []

    await set_company(api, company["id"], status="active", seats=2)

    mailed = {message["To"]: message.get_content() for message in _mailed()}
    assert sorted(mailed) == ["spaet@example.org", "wartet@example.org"]
    assert waiting.json()["token"] in mailed["wartet@example.org"]
    assert waiting.json()["mail_status"] == "held"
    listed = await api.client.get(f"{COMPANIES}/{company['id']}/invitations", headers=admin.headers)
    assert {item["email"]: item["mail_status"] for item in listed.json()["items"]} == {
        "wartet@example.org": "sent",
        "frueh@example.org": "dropped",
        "spaet@example.org": "sent",
    }
    await set_company(api, company["id"], seats=3)
    assert len(_mailed()) == 2


@pytest.mark.usefixtures("smtp")
async def test_held_invitations_that_expired_are_not_mailed_on_activation(api: Api) -> None:
    admin = await api.member()
    company = await register_company(api, admin)
    await set_company(api, company["id"], status="suspended")
    assert (await invite(api, admin, company["id"], "alt@example.org")).status_code == 201

    clock.set_now(NOW + timedelta(days=14))
    await set_company(api, company["id"], status="active", seats=1)

    assert _mailed() == []


@pytest.mark.usefixtures("smtp")
async def test_invitation_links_come_from_the_public_base_url_whatever_the_host(
    api: Api, app: FastAPI
) -> None:
    admin = await api.member()
    company = await active_company(api, admin, seats=1)
    hostile = {**admin.headers, "Host": "evil.example"}
    path = f"{COMPANIES}/{company['id']}/invitations"

    app.state.settings.public_base_url = None
    await api.client.post(path, json={"email": "a@example.org"}, headers=hostile)
    app.state.settings.public_base_url = "https://coworking.example.org"
    await api.client.post(path, json={"email": "b@example.org"}, headers=hostile)

    by_host, configured = (message.get_content() for message in _mailed())
    # Only without the setting (development, tests) does the request decide the links.
    assert "http://evil.example/api/v1/auth/register" in by_host
    assert "https://coworking.example.org/api/v1/auth/register" in configured
    assert "https://coworking.example.org/api/v1/invitations/accept" in configured
    assert "evil.example" not in configured
