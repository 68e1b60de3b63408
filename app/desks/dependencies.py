import uuid
from typing import Annotated

from fastapi import Depends

from app.core.db import DbSession
from app.core.errors import NotFound
from app.desks import repository
from app.models import Desk


async def _desk_or_404(desk_id: uuid.UUID, session: DbSession) -> Desk:
    desk = await repository.get(session, desk_id)
    if desk is None:
        raise NotFound("No such desk.")
    return desk


ValidDesk = Annotated[Desk, Depends(_desk_or_404)]
