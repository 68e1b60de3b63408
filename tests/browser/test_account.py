"""Signing up, in and out in a real browser, in German and English."""

from playwright.sync_api import expect

from tests.browser.flows import new_email, register, sign_in
from tests.browser.support import Visit


def test_registering_signs_in_and_leads_to_booking(visit: Visit) -> None:
    register(visit, new_email())
    expect(visit.page).to_have_url(visit.site.url("/book"))
    expect(visit.page.get_by_role("button", name="Abmelden")).to_be_visible()


def test_a_refused_registration_says_why_on_the_fields(visit: Visit) -> None:
    page = visit.page
    visit.goto("/register?lang=en")
    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("at least 10 characters")
    expect(summary).to_contain_text("Choose at least one group")
    # The summary links to the field; what was typed stays.
    summary.get_by_role("link", name="Choose a password of at least 10 characters.").click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    expect(page.get_by_label("Email", exact=True)).to_have_value("not an address")


def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_the_session(
    visit: Visit,
) -> None:
    email = new_email()
    register(visit, email, lang="en")
    visit.page.get_by_role("button", name="Sign out").click()
    expect(visit.page).to_have_url(visit.site.url("/"))
    expect(visit.page.get_by_role("link", name="Sign in")).to_be_visible()

    sign_in(visit, email, "a wrong password")
    expect(visit.page.get_by_role("alert")).to_contain_text("not right")
    sign_in(visit, email, next_path="/profile")
    expect(visit.page).to_have_url(visit.site.url("/profile"))


def test_sign_in_never_sends_the_visitor_to_another_site(visit: Visit) -> None:
    email = new_email()
    register(visit, email)
    visit.page.get_by_role("button", name="Abmelden").click()
    sign_in(visit, email, next_path="//elsewhere.example/phish")
    expect(visit.page).to_have_url(visit.site.url("/book"))
