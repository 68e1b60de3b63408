"""Booking, seeing, cancelling and checking in with a real browser, as a member would: by
keyboard alone, and through the page a desk's QR code opens."""

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.flows import signed_in_member, tab_to
from tests.browser.support import Visit


def _local_now(location: dict[str, Any]) -> datetime:
    return datetime.now(ZoneInfo(location["timezone"]))


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def test_booking_by_keyboard_alone_then_seeing_and_cancelling_it(visit: Visit) -> None:
    location, _desks = visit.site.operator().daytime_location()
    signed_in_member(visit)
    page = visit.page
    visit.goto(f"/book?location_id={location['id']}&lang=en")
    # Later today (local time is about noon at this location): 15:00–16:30.
    tab_to(page, "desk_id")
    page.keyboard.type("Platz 2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("From", exact=True)).to_be_focused()
    page.keyboard.type("1500")
    tab_to(page, "end")  # a time field's hour and minute parts may each take a Tab
    page.keyboard.type("1630")
    tab_to(page, "book-button")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/bookings\?done=booked&booking="))
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Booked: Platz 2")
    expect(notice).to_contain_text("15:00–16:30")
    booking = page.locator(".booking").filter(has_text="Platz 2")
    expect(booking).to_contain_text("15:00–16:30")

    booking.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled: Platz 2")
    expect(page.get_by_text("You have no upcoming bookings.")).to_be_visible()
    expect(page.locator(".booking")).to_have_count(0)


def test_a_taken_slot_is_refused_with_the_reason_in_german(visit: Visit) -> None:
    location, _desks = visit.site.operator().daytime_location(desks=1)
    signed_in_member(visit)
    page = visit.page
    for attempt in range(2):
        visit.goto(f"/book?location_id={location['id']}&lang=de")
        page.get_by_label("Platz", exact=True).select_option(label="Platz 1 (Arbeitsplatz)")
        page.get_by_label("Von", exact=True).fill("17:00")
        page.get_by_label("Bis", exact=True).fill("18:00")
        page.get_by_role("button", name="Buchen", exact=True).click()
        if attempt == 0:
            expect(page.get_by_role("status")).to_contain_text("Gebucht: Platz 1")
    # The second try overlaps the first: refused, the reason in German, the times kept.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("alert")).not_to_contain_text("overlap")
    expect(page.get_by_label("Von", exact=True)).to_have_value("17:00")


def test_the_qr_code_page_checks_the_member_in_then_they_check_out(visit: Visit) -> None:
    location, desks = visit.site.operator().daytime_location(desks=1)
    signed_in_member(visit)
    page = visit.page
    start = _local_now(location).replace(second=0, microsecond=0) + timedelta(minutes=3)
    end = start + timedelta(hours=1)
    visit.goto(f"/book?location_id={location['id']}&lang=en")
    page.get_by_label("From", exact=True).fill(_hhmm(start))
    page.get_by_label("To", exact=True).fill(_hhmm(end))
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked: Platz 1")

    # The desk's QR code opens this page on the member's phone (a top-level navigation).
    visit.goto(f"/check-in/{desks[0]['id']}?lang=en")
    expect(page.get_by_role("status")).to_contain_text(f"Checked in: Platz 1, {_hhmm(start)}")

    page.get_by_role("main").get_by_role("link", name="My bookings").click()
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_role("status")).to_contain_text("Checked out: Platz 1")


def test_the_qr_code_page_says_why_not_when_there_is_nothing_to_check_in(visit: Visit) -> None:
    _location, desks = visit.site.operator().daytime_location(desks=1)
    visit.goto(f"/check-in/{desks[0]['id']}?lang=de")
    # Not signed in: the sign-in form first, then back to the desk's page.
    expect(visit.page.get_by_role("button", name="Anmelden")).to_be_visible()
    signed_in_member(visit)
    visit.goto(f"/check-in/{desks[0]['id']}?lang=de")
    expect(visit.page.get_by_role("alert")).to_be_visible()
    expect(visit.page.get_by_role("main").get_by_role("link", name="Platz buchen")).to_be_visible()
