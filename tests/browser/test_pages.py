"""Every page in German and English, on a 360 px wide phone: axe-core finds no serious or
critical violation, nothing needs sideways scrolling, ``<html lang>`` is the page's language,
and (the ``visit`` fixture) nothing is loaded from another origin."""

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.browser.flows import signed_in_member
from tests.browser.support import Visit, describe

LANGUAGES = ["de", "en"]
PHONE: ViewportSize = {"width": 360, "height": 740}
#: Pages anybody sees.
PUBLIC_PAGES = ["/", "/login", "/register", "/survey", "/interest"]


def _check(visit: Visit, path: str, lang: str, *, before: Callable[[], None] | None = None) -> str:
    """What is wrong with the page at ``path`` in ``lang`` ("" when nothing)."""
    separator = "&" if "?" in path else "?"
    visit.goto(f"{path}{separator}lang={lang}")
    if before is not None:
        before()
    problems = []
    if (found := visit.page.get_attribute("html", "lang")) != lang:
        problems.append(f"<html lang> is {found!r}")
    if overflow := visit.horizontal_overflow():
        problems.append(f"{overflow} px wider than a 360 px phone")
    if violations := visit.axe_violations():
        problems.append(describe(violations))
    return f"{path} ({lang}): " + "; ".join(problems) if problems else ""


def _report(problems: list[str]) -> None:
    found = [problem for problem in problems if problem]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_public_pages_are_accessible_on_a_phone(visit: Visit, lang: str) -> None:
    visit.page.set_viewport_size(PHONE)
    problems = [_check(visit, path, lang) for path in PUBLIC_PAGES]

    def refused_registration() -> None:  # the error summary and the fields' messages
        visit.page.locator("form[action='/register'] button[type=submit]").click()
        expect(visit.page.get_by_role("alert").first).to_be_visible()

    problems.append(_check(visit, "/register", lang, before=refused_registration))

    def refused(form: str) -> Callable[[], None]:  # sent empty: every message at once
        def send() -> None:
            visit.page.locator(f"form[action='{form}'] button[type=submit]").click()
            expect(visit.page.get_by_role("alert").first).to_be_visible()

        return send

    problems += [
        _check(visit, form, lang, before=refused(form)) for form in ("/survey", "/interest")
    ]
    _report(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_member_pages_are_accessible_on_a_phone(visit: Visit, lang: str) -> None:
    visit.page.set_viewport_size(PHONE)
    location, desks = visit.site.operator().daytime_location()
    signed_in_member(visit)
    book = f"/book?location_id={location['id']}"
    problems = [_check(visit, book, lang)]

    def booked() -> None:  # the confirmation, then a booking card with its buttons
        visit.page.locator("#start").fill("15:00")
        visit.page.locator("#end").fill("16:00")
        visit.page.locator("#book-button").click()
        expect(visit.page.get_by_role("status")).to_be_visible()

    problems.append(_check(visit, book, lang, before=booked))

    def refused() -> None:  # the same slot again: the refusal and the kept values
        booked_again = visit.page
        booked_again.locator("#start").fill("15:30")
        booked_again.locator("#end").fill("15:00")
        booked_again.locator("#book-button").click()
        expect(booked_again.get_by_role("alert").first).to_be_visible()

    problems.append(_check(visit, book, lang, before=refused))
    problems.append(_check(visit, "/bookings", lang))
    problems.append(_check(visit, f"/check-in/{desks[1]['id']}", lang))  # nothing to check in
    problems.append(_check(visit, f"/check-in/{uuid.uuid4()}", lang))  # the 404 page
    problems.append(_check(visit, f"{book}&date=2026-02-30", lang))  # not a date
    problems.append(_check(visit, "/company", lang))  # no company yet: the registration form

    def company_registered() -> None:  # a pending company with its facts, invitations, chart
        visit.page.locator("#name").fill("Bäckerei Beispiel")
        visit.page.locator("#contact_email").fill("backstube@example.org")
        visit.page.locator("#seats_requested").fill("2")
        visit.page.locator("form[action='/company'] button[type=submit]").click()
        expect(visit.page.get_by_role("heading", name="Bäckerei Beispiel")).to_be_visible()

    problems.append(_check(visit, "/company", lang, before=company_registered))
    _report(problems)
