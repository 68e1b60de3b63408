"""Booking on pages: a location's day (``/book``), the member's bookings (``/bookings``) and
the check-in a desk's QR code opens (``/check-in/{desk_id}``).

Every action is the API's service (:mod:`app.bookings.service`): its rules, its refusals
(shown as readable messages in the page's language) and its locks. Times on these pages are
the location's wall clock, ``HH:MM``.
"""

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.bookings import repository as booking_repository
from app.bookings import service as booking_service
from app.bookings.schemas import BookingCreate
from app.core import clock, i18n
from app.core.db import DbSession
from app.core.enums import BookingStatus, DeskKind
from app.core.errors import AppError, NotFound
from app.desks import repository as desk_repository
from app.locations import repository as location_repository
from app.locations.hours import MINUTES_PER_DAY, local_date, local_instant
from app.models import Booking, Desk, Location
from app.web import forms, labels
from app.web.pages import MemberPageDep, Page, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_CLOCK_TIME = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)")
#: How many past bookings ``/bookings`` lists (the latest).
PAST_SHOWN = 30


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _minute_of_day(value: str) -> int | None:
    """``"10:30"`` → 630; ``"24:00"`` → 1440; anything else None."""
    found = _CLOCK_TIME.fullmatch(value.strip())
    if found is None:
        return None
    minutes = int(found.group(1)) * 60 + int(found.group(2))
    return minutes if minutes <= MINUTES_PER_DAY else None


def _interval(booking: Booking, timezone: str) -> str:
    return f"{i18n.format_time(booking.start, timezone)}–{i18n.format_time(booking.end, timezone)}"


@dataclass(frozen=True)
class DeskDay:
    """A desk on the day shown: what it is and when it is taken."""

    desk: Desk
    kind: str
    busy: list[str]


@dataclass(frozen=True)
class BookForm:
    """What the visitor sent (shown again after a refusal)."""

    desk_id: str = ""
    start: str = ""
    end: str = ""


async def _locations(session: DbSession) -> list[Location]:
    return list((await session.scalars(location_repository.all_locations())).all())


async def _book_page(
    page: Page,
    session: DbSession,
    *,
    location_id: str | None,
    day_text: str | None,
    form: BookForm | None = None,
    error: str | None = None,
    errors: forms.Messages | None = None,
    status_code: int = 200,
) -> Response:
    locations = await _locations(session)
    chosen = _uuid(location_id)
    location = next((item for item in locations if item.id == chosen), None)
    if location is None and location_id:
        raise NotFound(page.gettext("No such location."))
    location = location or (locations[0] if locations else None)
    context: dict[str, object] = {
        "locations": locations,
        "location": location,
        "form": form or BookForm(),
        "error": error,
        "errors": errors or forms.Messages(),
        "idempotency_key": secrets.token_urlsafe(16),
    }
    if location is None:
        return page.render("book.html", context, status_code=status_code)
    today = local_date(clock.now(), location.timezone)
    day = _day(day_text)
    if day_text and day is None:
        context["errors"] = forms.Messages(
            date=page.gettext("Enter the date as a calendar date, for example {example}.").format(
                example=today.isoformat()
            )
        )
    day = day or today
    closed, intervals, bookings = await booking_service.location_schedule(
        session, location=location, day=day
    )
    desks = sorted(
        await session.scalars(desk_repository.search(location_id=location.id, active_only=True)),
        key=_reading_order,
    )
    timezone = location.timezone
    context |= {
        "day": day,
        "day_name": i18n.format_day(day, page.locale),
        "previous_day": (day - timedelta(days=1)).isoformat(),
        "next_day": (day + timedelta(days=1)).isoformat(),
        "today": today,
        "closed": closed,
        "opening": [
            f"{i18n.format_time(opens, timezone)}–{i18n.format_time(closes, timezone)}"
            for opens, closes in intervals
        ],
        "desks": [
            DeskDay(
                desk=desk,
                kind=page.gettext(labels.DESK_KINDS[desk.kind]),
                busy=[_interval(b, timezone) for b in bookings if b.desk_id == desk.id],
            )
            for desk in desks
        ],
        "desk_options": [
            (str(desk.id), f"{desk.name} ({page.gettext(labels.DESK_KINDS[desk.kind])})")
            for desk in desks
        ],
    }
    return page.render("book.html", context, status_code=status_code)


def _reading_order(desk: Desk) -> tuple[bool, list[int | str]]:
    """Workplaces before rooms, and "Platz 2" before "Platz 10" (numbers by value)."""
    parts = re.split(r"(\d+)", desk.name.casefold())
    return desk.kind != DeskKind.DESK, [int(p) if p.isdigit() else p for p in parts]


@router.get("/book")
async def book_page(
    page: MemberPageDep,
    session: DbSession,
    location_id: str | None = None,
    date: str | None = None,
) -> Response:
    """The location's desks and rooms on a local day, with their busy times, and the form."""
    return await _book_page(page, session, location_id=location_id, day_text=date)


@router.post("/book")
async def book(request: Request, page: MemberPageDep, session: DbSession) -> Response:
    """The API's booking from local times of the chosen day; the outcome on /bookings, a
    refusal on this page. The form's one-time key makes a second press the same booking."""
    posted = await request.form()
    location_id, day_text = forms.text(posted, "location_id"), forms.text(posted, "date")
    sent = BookForm(
        desk_id=forms.text(posted, "desk_id"),
        start=forms.text(posted, "start"),
        end=forms.text(posted, "end"),
    )
    location = await location_repository.get(session, _uuid(location_id) or uuid.uuid4())
    day = _day(day_text)
    if location is None or day is None:
        raise NotFound(page.gettext("No such location."))
    desk_id = _uuid(sent.desk_id)
    start, end = _minute_of_day(sent.start), _minute_of_day(sent.end)
    if end == 0:
        end = MINUTES_PER_DAY  # "00:00" as the end of the day: the next midnight
    problems = forms.Messages()
    if desk_id is None:
        problems["desk_id"] = page.gettext("Choose a desk or room.")
    if start is None:
        problems["start"] = page.gettext("Enter the start as a time, for example 09:00.")
    if end is None:
        problems["end"] = page.gettext("Enter the end as a time, for example 12:30.")
    if problems or desk_id is None or start is None or end is None:
        return await _book_page(
            page,
            session,
            location_id=location_id,
            day_text=day_text,
            form=sent,
            errors=problems,
            status_code=422,
        )
    zone = ZoneInfo(location.timezone)
    key = forms.optional_text(posted, "idempotency_key")
    try:
        data = BookingCreate(
            desk_id=desk_id,
            start=local_instant(zone, day, start),
            end=local_instant(zone, day, end),
        )
        booking = await booking_service.create(
            session, member=page.member, data=data, idempotency_key=key
        )
    except ValidationError:
        message = page.gettext("The booking could not be made with these entries.")
        return await _book_page(
            page,
            session,
            location_id=location_id,
            day_text=day_text,
            form=sent,
            error=message,
            status_code=422,
        )
    except AppError as error:
        return await _book_page(
            page,
            session,
            location_id=location_id,
            day_text=day_text,
            form=sent,
            error=page.problem(error, timezone=location.timezone),
            status_code=error.status,
        )
    return page.redirect(f"/bookings?done=booked&booking={booking.id}")


@dataclass(frozen=True)
class BookingRow:
    """A booking as ``/bookings`` lists it, with the actions open to it now."""

    booking: Booking
    day: str
    interval: str
    place: str
    status: str
    can_cancel: bool
    can_check_in: bool
    can_check_out: bool


def _row(page: Page, booking: Booking, desk: Desk, location: Location, now: datetime) -> BookingRow:
    status = booking_service.current_status(booking, now)
    opens, closes = booking_service.check_in_window(booking)
    timezone = location.timezone
    return BookingRow(
        booking=booking,
        day=i18n.format_day(local_date(booking.start, timezone), page.locale),
        interval=_interval(booking, timezone),
        place=f"{desk.name}, {location.name}",
        status=page.gettext(labels.BOOKING_STATUSES[status]),
        can_cancel=status == BookingStatus.CONFIRMED and now < booking.start,
        can_check_in=status == BookingStatus.CONFIRMED and opens <= now <= closes,
        can_check_out=status == BookingStatus.CHECKED_IN,
    )


_DONE = {
    "booked": i18n.N_("Booked: {place}, {day}, {interval}."),
    "cancelled": i18n.N_("Cancelled: {place}, {day}, {interval}."),
    "checked_in": i18n.N_("Checked in: {place}, {interval}. Have a good day!"),
    "checked_out": i18n.N_("Checked out: {place}. See you soon!"),
}


async def _rows(page: Page, session: DbSession, bookings: list[Booking]) -> list[BookingRow]:
    desks = {desk.id: desk for desk in await _desks(session, {b.desk_id for b in bookings})}
    locations = {location.id: location for location in await _locations(session)}
    now = clock.now()
    return [
        _row(page, b, desks[b.desk_id], locations[desks[b.desk_id].location_id], now)
        for b in bookings
    ]


async def _desks(session: DbSession, ids: set[uuid.UUID]) -> list[Desk]:
    if not ids:
        return []
    return list((await session.scalars(desk_repository.search().where(Desk.id.in_(ids)))).all())


async def _bookings_page(
    page: Page,
    session: DbSession,
    *,
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    member = page.member
    now = clock.now()
    mine = booking_repository.search(
        booking_repository.readable_by(member), now=now, member_id=member.id
    )
    upcoming = list((await session.scalars(mine.where(Booking.end > now))).all())
    upcoming = [
        b
        for b in upcoming
        if booking_service.current_status(b, now)
        in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
    ]
    upcoming_ids = {b.id for b in upcoming}
    past_query = (
        mine.where(Booking.start <= now).order_by(None).order_by(Booking.start.desc()).limit(60)
    )
    past = [b for b in (await session.scalars(past_query)).all() if b.id not in upcoming_ids]
    return page.render(
        "bookings.html",
        {
            "upcoming": await _rows(page, session, upcoming),
            "past": await _rows(page, session, past[:PAST_SHOWN]),
            "notice": notice,
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/bookings")
async def bookings_page(
    page: MemberPageDep, session: DbSession, done: str | None = None, booking: str | None = None
) -> Response:
    """Upcoming bookings with their actions, then the latest past ones; ``done`` and
    ``booking`` name what the previous form did (the outcome of a booking or an action)."""
    notice = None
    found = await _own_booking(page, session, booking) if booking else None
    if found is not None and done in _DONE:
        [row] = await _rows(page, session, [found])
        notice = page.gettext(_DONE[done]).format(
            place=row.place, day=row.day, interval=row.interval
        )
    return await _bookings_page(page, session, notice=notice)


async def _own_booking(page: Page, session: DbSession, booking_id: str | None) -> Booking | None:
    parsed = _uuid(booking_id)
    if parsed is None:
        return None
    found = await booking_repository.get_readable(session, page.member, parsed)
    return found if found is not None and found.member_id == page.member.id else None


async def _act(page: Page, session: DbSession, booking_id: str, action: str) -> Response:
    """One of the member's booking actions through its service; 404 for a booking that is
    not theirs (the API's answer too: others' bookings do not exist for them)."""
    booking = await _own_booking(page, session, booking_id)
    if booking is None:
        raise NotFound(page.gettext("No such booking."))
    service = {
        "cancelled": booking_service.cancel,
        "checked_in": booking_service.check_in,
        "checked_out": booking_service.check_out,
    }[action]
    try:
        await service(session, booking=booking, caller=page.member)
    except AppError as error:
        desk = await desk_repository.get(session, booking.desk_id)
        location = await location_repository.get(session, desk.location_id) if desk else None
        timezone = location.timezone if location else None
        message = page.problem(error, **({"timezone": timezone} if timezone else {}))
        return await _bookings_page(page, session, error=message, status_code=error.status)
    return page.redirect(f"/bookings?done={action}&booking={booking.id}")


@router.post("/bookings/{booking_id}/cancel")
async def cancel(page: MemberPageDep, session: DbSession, booking_id: str) -> Response:
    return await _act(page, session, booking_id, "cancelled")


@router.post("/bookings/{booking_id}/check-in")
async def check_in(page: MemberPageDep, session: DbSession, booking_id: str) -> Response:
    return await _act(page, session, booking_id, "checked_in")


@router.post("/bookings/{booking_id}/check-out")
async def check_out(page: MemberPageDep, session: DbSession, booking_id: str) -> Response:
    return await _act(page, session, booking_id, "checked_out")


async def _desk_check_in(
    page: Page, session: DbSession, desk_id: str, *, confirm: bool
) -> Response:
    """The member's booking of the desk whose check-in window is open, checked in (or, with
    ``confirm``, a button that does it); else why not."""
    parsed = _uuid(desk_id)
    desk = await desk_repository.get(session, parsed) if parsed else None
    if desk is None:
        raise NotFound(page.gettext("No such desk."))
    location = await location_repository.get(session, desk.location_id)
    assert location is not None
    now = clock.now()
    timezone = location.timezone
    zone = ZoneInfo(timezone)
    today = local_date(now, timezone)
    todays = booking_repository.search(
        booking_repository.readable_by(page.member),
        now=now,
        member_id=page.member.id,
        desk_id=desk.id,
        start=local_instant(zone, today, 0),
        end=local_instant(zone, today + timedelta(days=1), 0),
    )
    bookings = list((await session.scalars(todays)).all())
    context: dict[str, object] = {
        "desk": desk,
        "location": location,
        "book_url": f"/book?location_id={location.id}&date={today.isoformat()}",
        "notice": None,
        "error": None,
        "confirm": None,
    }
    checked_in = [
        b for b in bookings if booking_service.current_status(b, now) == BookingStatus.CHECKED_IN
    ]
    confirmed = [
        b for b in bookings if booking_service.current_status(b, now) == BookingStatus.CONFIRMED
    ]
    if checked_in:
        context["notice"] = page.gettext("You are checked in: {place}, {interval}.").format(
            place=desk.name, interval=_interval(checked_in[0], timezone)
        )
    elif not confirmed:
        context["error"] = page.gettext("You have no booking of {desk} today.").format(
            desk=desk.name
        )
    else:
        opened = [b for b in confirmed if booking_service.check_in_window(b)[0] <= now]
        booking = opened[0] if opened else confirmed[0]
        if confirm:
            context["confirm"] = booking
            context["confirm_interval"] = _interval(booking, timezone)
            return page.render("check_in.html", context)
        try:
            await booking_service.check_in(session, booking=booking, caller=page.member)
        except AppError as error:
            context["error"] = page.problem(error, timezone=timezone)
            return page.render("check_in.html", context, status_code=error.status)
        context["notice"] = page.gettext(_DONE["checked_in"]).format(
            place=desk.name, interval=_interval(booking, timezone)
        )
    return page.render("check_in.html", context)


@router.get("/check-in/{desk_id}")
async def desk_check_in_page(
    request: Request, page: MemberPageDep, session: DbSession, desk_id: str
) -> Response:
    """What a desk's QR code opens: checks in at once. A link followed from another site
    (``Sec-Fetch-Site: cross-site``) only shows a button, so no other site can check a
    member in by a link (a scanned code opens with ``none``)."""
    cross_site = request.headers.get("sec-fetch-site") in {"cross-site", "same-site"}
    return await _desk_check_in(page, session, desk_id, confirm=cross_site)


@router.post("/check-in/{desk_id}")
async def desk_check_in(page: MemberPageDep, session: DbSession, desk_id: str) -> Response:
    return await _desk_check_in(page, session, desk_id, confirm=False)
