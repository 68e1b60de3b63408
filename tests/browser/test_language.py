"""The language switch: it changes the page, is remembered, and follows a member to another
browser (their stored ``language``)."""

from playwright.sync_api import Browser, expect

from tests.browser.flows import PASSWORD, registered_member
from tests.browser.support import Visit


def test_switching_to_english_sticks_and_follows_the_member(visit: Visit, browser: Browser) -> None:
    email = registered_member(visit.site)
    page = visit.page
    visit.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "de")  # German by default
    page.get_by_label("E-Mail", exact=True).fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platz buchen")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a desk")
    page.get_by_role("link", name="My bookings").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My bookings")

    # Another browser (no cookie, a German Accept-Language): English once signed in.
    other = browser.new_context(locale="de-DE")
    try:
        tab = other.new_page()
        tab.goto(visit.site.url("/login"))
        expect(tab.locator("html")).to_have_attribute("lang", "de")
        tab.get_by_label("E-Mail", exact=True).fill(email)
        tab.get_by_label("Passwort", exact=True).fill(PASSWORD)
        tab.get_by_role("button", name="Anmelden").click()
        expect(tab.locator("html")).to_have_attribute("lang", "en")
        expect(tab.get_by_role("heading", level=1)).to_have_text("Book a desk")
    finally:
        other.close()
