"""The one statement that reads what a new booking's rules decide on.

After the member's row is locked, a booking asks: is the location closed that day, how many
upcoming bookings does the member hold there, is the desk taken, does the member hold another
workplace, is a lapsed status still to be stored, whose employee is the member, and how does
the member stand with their plan that day. Each answer is an index lookup; asked one statement
each, the round trips and SQLAlchemy's CPU per statement cost more than the lookups
(``make bench``). So they are the scalar subqueries of one statement, built once, and
:func:`app.bookings.service.create` raises in the documented order from its row. Under READ
COMMITTED one statement also reads one snapshot: the answers agree with each other.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings import repository
from app.companies import repository as company_repository
from app.core.db import execute_plain
from app.locations import repository as location_repository
from app.plans import repository as plan_repository
from app.plans.repository import DayFacts

_CHECKS = select(
    location_repository.CLOSED.label("closed"),
    repository.UPCOMING_AT_LOCATION.scalar_subquery().label("upcoming"),
    repository.DESK_TAKEN.label("desk_taken"),
    repository.WORKPLACE_HELD.label("workplace_held"),
    repository.UNSETTLED.label("unsettled"),
    company_repository.EMPLOYER.scalar_subquery().label("employer_id"),
    *plan_repository.DAY_FACTS,
)


@dataclass(frozen=True, slots=True)
class BookingChecks:
    #: the location is closed on the booking's local day
    closed: bool
    #: the member's bookings at the location that hold a desk now or later
    upcoming: int
    #: an active booking of the desk overlaps the interval
    desk_taken: bool
    #: an active workplace booking of the member overlaps the interval
    workplace_held: bool
    #: a booking of the desk or the member is lapsed but not stored so (see settle)
    unsettled: bool
    #: the company the member is an employee of
    employer_id: uuid.UUID | None
    #: the member's plan situation on the day
    day: DayFacts


async def read(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    desk_id: uuid.UUID,
    location_id: uuid.UUID,
    start: datetime,
    end: datetime,
    day: date,
    now: datetime,
) -> BookingChecks:
    values = {
        "member_id": member_id,
        "desk_id": desk_id,
        "location_id": location_id,
        "start": start,
        "end": end,
        "day": day,
        "now": now,
    }
    row = (await execute_plain(session, _CHECKS, values)).one()
    return BookingChecks(
        closed=bool(row.closed),
        upcoming=row.upcoming or 0,
        desk_taken=bool(row.desk_taken),
        workplace_held=bool(row.workplace_held),
        unsettled=bool(row.unsettled),
        employer_id=row.employer_id,
        day=DayFacts.of(row),
    )
