"""Swagger UI and ReDoc run in a browser without any other origin (the ``visit`` fixture
fails the test on any request that leaves the site)."""

from playwright.sync_api import expect

from tests.browser.support import Visit


def test_swagger_ui_shows_the_api_and_can_authorize(visit: Visit) -> None:
    visit.goto("/docs")
    page = visit.page
    expect(page.get_by_role("button", name="Authorize")).to_be_visible(timeout=15_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/bookings").first).to_be_visible()


def test_redoc_shows_the_api(visit: Visit) -> None:
    visit.goto("/redoc")
    expect(visit.page.get_by_role("heading", name="OHV Coworking API")).to_be_visible(
        timeout=15_000
    )
