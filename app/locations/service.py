"""Rules about locations, their opening hours and closures."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.bookings import service as booking_service
from app.core.db import raise_for_integrity
from app.core.errors import Conflict, ValidationFailed
from app.locations import repository
from app.locations.hours import local_instant
from app.locations.schemas import BookingRules, ClosureCreate, LocationCreate, LocationUpdate
from app.models import Closure, Location, Member
from app.stats import rollup

LOCATION_FIELDS = ("name", "municipality", "address", "timezone", "opening_hours", "booking_rules")


async def create(session: AsyncSession, *, actor: Member, data: LocationCreate) -> Location:
    location = Location(**data.model_dump())
    session.add(location)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="location.created",
        target_type="location",
        target_id=location.id,
        after=audit.snapshot(location, LOCATION_FIELDS),
    )
    return location


async def update(
    session: AsyncSession, *, actor: Member, location: Location, changes: LocationUpdate
) -> Location:
    """Changes apply to new bookings; existing bookings keep their times and check-in deadline.

    Only the fields sent change, within `booking_rules` too.
    """
    async with audit.update(
        session,
        actor=actor,
        target=location,
        action="location.updated",
        target_type="location",
        audited=LOCATION_FIELDS,
    ) as values:
        values.update(changes.model_dump(exclude_unset=True))
        if "booking_rules" in values:
            values["booking_rules"] = _merged_rules(location.booking_rules, values["booking_rules"])
        if values.get("timezone", location.timezone) != location.timezone:
            # Statistics take local days in the zone of now: the location's rollup no longer holds.
            await rollup.forget(session, location.id)
    return location


def _merged_rules(stored: dict[str, int], sent: dict[str, int]) -> dict[str, int]:
    try:
        return BookingRules(**{**stored, **sent}).model_dump()
    except ValidationError as error:
        raise ValidationFailed(f"booking_rules: {error.errors()[0]['msg']}") from error


async def close_day(
    session: AsyncSession, *, actor: Member, location: Location, data: ClosureCreate
) -> tuple[Closure, int]:
    """Close the location for a local day; its confirmed bookings that have not started are
    cancelled, bookings under way or checked in stay.

    Returns the closure and how many bookings it cancelled. The location's lock comes first:
    a booking racing the closure either waits for it and then sees the closure, or is
    committed before it and cancelled.
    """
    await repository.lock(session, location.id)
    closure = Closure(location_id=location.id, date=data.date, reason=data.reason)
    session.add(closure)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        closed = Conflict(f"The location is already closed on {data.date}.")
        raise_for_integrity(error, {"uq_closures_location_id_date": closed})
    zone = ZoneInfo(location.timezone)
    cancelled = await booking_service.cancel_at_location(
        session,
        location_id=location.id,
        start=local_instant(zone, data.date, 0),
        end=local_instant(zone, data.date + timedelta(days=1), 0),
    )
    await audit.record(
        session,
        actor=actor,
        action="closure.created",
        target_type="location",
        target_id=location.id,
        after={"date": data.date, "reason": data.reason, "cancelled_bookings": cancelled},
    )
    return closure, cancelled


async def reopen_day(session: AsyncSession, *, actor: Member, closure: Closure) -> None:
    """Remove a closure; bookings it cancelled stay cancelled."""
    await session.delete(closure)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="closure.deleted",
        target_type="location",
        target_id=closure.location_id,
        before={"date": closure.date, "reason": closure.reason},
    )
