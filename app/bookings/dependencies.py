import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import CurrentMember
from app.bookings import repository
from app.core.db import DbSession
from app.core.errors import NotFound
from app.models import Booking


async def _readable_booking(
    booking_id: uuid.UUID, session: DbSession, caller: CurrentMember
) -> Booking:
    """The booking if the caller may read it; 404 otherwise, so nobody learns others' ids.

    The row is locked on PostgreSQL: every route using this changes the booking's state.
    """
    booking = await repository.get_readable(session, caller, booking_id, for_update=True)
    if booking is None:
        raise NotFound("No such booking.")
    return booking


ReadableBooking = Annotated[Booking, Depends(_readable_booking)]
