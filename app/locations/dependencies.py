import uuid
from typing import Annotated

from fastapi import Depends

from app.core.db import DbSession
from app.core.errors import NotFound
from app.locations import repository
from app.models import Location


async def _location_or_404(location_id: uuid.UUID, session: DbSession) -> Location:
    location = await repository.get(session, location_id)
    if location is None:
        raise NotFound("No such location.")
    return location


ValidLocation = Annotated[Location, Depends(_location_or_404)]
