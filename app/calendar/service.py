"""The member's secret calendar feed: token handling and the iCalendar rendering (RFC 5545)."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository as booking_repository
from app.core import clock
from app.core.config import Settings
from app.models import Booking, CalendarFeed, Desk, Location, Member

PRODUCT_ID = "-//OHV Coworking//Pilot bookings//DE"


def _token(settings: Settings, nonce: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), f"calendar:{nonce}".encode(), "sha256")
    return urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def feed_token(session: AsyncSession, *, settings: Settings, member: Member) -> str:
    """The member's feed token, created on first use."""
    feed = await session.get(CalendarFeed, member.id)
    if feed is None:
        return await rotate(session, settings=settings, member=member)
    return _token(settings, feed.nonce)


async def rotate(session: AsyncSession, *, settings: Settings, member: Member) -> str:
    """A new token; the old URL stops working at once."""
    nonce = secrets.token_urlsafe(32)
    token = _token(settings, nonce)
    feed = await session.get(CalendarFeed, member.id)
    if feed is None:
        session.add(CalendarFeed(member_id=member.id, nonce=nonce, token_hash=_hash(token)))
    else:
        feed.nonce, feed.token_hash, feed.created_at = nonce, _hash(token), clock.now()
    await session.flush()
    return token


async def revoke(session: AsyncSession, *, member: Member) -> None:
    feed = await session.get(CalendarFeed, member.id)
    if feed is not None:
        await session.delete(feed)
        await session.flush()


async def member_for_token(session: AsyncSession, token: str) -> Member | None:
    """The active member whose feed this token opens, if any."""
    statement = (
        select(Member)
        .join(CalendarFeed, CalendarFeed.member_id == Member.id)
        .where(CalendarFeed.token_hash == _hash(token), Member.active.is_(True))
    )
    return (await session.scalars(statement)).one_or_none()


async def render(session: AsyncSession, *, member: Member) -> bytes:
    """The member's active bookings (confirmed or checked in, not yet over) as iCalendar."""
    now = clock.now()
    statement = (
        select(Booking, Desk, Location)
        .join(Desk, Desk.id == Booking.desk_id)
        .join(Location, Location.id == Desk.location_id)
        .where(
            Booking.member_id == member.id,
            Booking.end > now,
            booking_repository.holds_desk(now),
        )
        .order_by(Booking.start, Booking.id)
    )
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Coworking O-H-V")
    for booking, desk, location in (await session.execute(statement)).all():
        calendar.add_component(_event(booking, desk, location, now))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def _event(booking: Booking, desk: Desk, location: Location, stamp: datetime) -> Event:
    zone = ZoneInfo(location.timezone)
    event = Event()
    event.add("uid", f"{booking.id}@ohv-coworking")
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.start.astimezone(zone))
    event.add("dtend", booking.end.astimezone(zone))
    event.add("summary", f"{desk.name} – {location.name}")
    event.add("location", location.address)
    event.add("status", "CONFIRMED")
    if booking.note:
        event.add("description", booking.note)
    return event
