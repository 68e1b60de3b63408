import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import OperatorOnly
from app.core.db import DbSession
from app.core.errors import NotFound
from app.members import repository
from app.models import Member


async def _member_or_404(member_id: uuid.UUID, session: DbSession, _: OperatorOnly) -> Member:
    member = await repository.get(session, member_id)
    if member is None:
        raise NotFound("No such member.")
    return member


ValidMember = Annotated[Member, Depends(_member_or_404)]
