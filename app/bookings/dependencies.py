import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.auth.dependencies import CurrentMember
from app.bookings import repository
from app.core.db import DbSession
from app.core.errors import NotFound
from app.models import Booking


async def _readable_booking(
    booking_id: uuid.UUID, request: Request, session: DbSession, caller: CurrentMember
) -> Booking:
    """The booking if the caller may read it; 404 otherwise, so nobody learns others' ids.

    For a state change (any method but GET) the row is locked on PostgreSQL, so two
    transitions of one booking cannot interleave; a plain read never waits behind one.
    """
    locking = request.method != "GET"
    booking = await repository.get_readable(session, caller, booking_id, for_update=locking)
    if booking is None:
        raise NotFound("No such booking.")
    return booking


ReadableBooking = Annotated[Booking, Depends(_readable_booking)]
