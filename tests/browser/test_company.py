"""A company admin in a real browser: registers the company, and once the pilot's team has
approved it, invites an employee, who then appears on the page with the usage chart."""

import re
import secrets

import httpx
from playwright.sync_api import expect

from tests.browser.flows import PASSWORD, registered_member, signed_in_member
from tests.browser.support import Visit, mail_text


def test_a_company_admin_registers_the_company_and_invites_an_employee(visit: Visit) -> None:
    signed_in_member(visit)
    page = visit.page
    name = f"Tischlerei {secrets.token_hex(3)}"
    visit.goto("/company?lang=en")
    page.get_by_label("Company name", exact=True).fill(name)
    page.get_by_label("Contact email", exact=True).fill("buero@example.org")
    page.get_by_label("Seats requested", exact=True).fill("3")
    page.get_by_role("button", name="Register company").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("has not approved your company yet")).to_be_visible()

    operator = visit.site.operator()
    companies = operator.client.get("/api/v1/companies", params={"limit": 200}).json()["items"]
    company = next(item for item in companies if item["name"] == name)
    approved = operator.client.patch(
        f"/api/v1/companies/{company['id']}", json={"status": "active", "seats": 2}
    )
    assert approved.status_code == 200, approved.text

    employee = registered_member(visit.site)
    visit.goto("/company?lang=de")
    page.get_by_label("E-Mail", exact=True).fill(employee)
    page.get_by_role("button", name="Einladen").click()
    expect(page.get_by_role("status")).to_be_visible()
    invitation = mail_text(visit.site.mailbox.wait_for(employee))

    # The employee accepts with the code from the mail (over the API: no page asks for it yet).
    token = re.search(r"\b[A-Za-z0-9_-]{43}\b", invitation)
    assert token is not None, invitation
    with httpx.Client(base_url=visit.site.base_url, timeout=15) as client:
        tokens = client.post(
            "/api/v1/auth/token", data={"username": employee, "password": PASSWORD}
        ).json()
        accepted = client.post(
            "/api/v1/invitations/accept",
            json={"token": token.group()},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert accepted.status_code == 200, accepted.text
    visit.goto("/company?lang=de")
    expect(page.get_by_role("cell", name=employee)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("^Gebuchte Stunden pro Tag"))).to_be_visible()


def test_someone_without_an_account_is_sent_to_sign_in_first(visit: Visit) -> None:
    visit.goto("/company")
    expect(visit.page).to_have_url(visit.site.url("/login?next=%2Fcompany"))
