import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import OperatorOnly
from app.core.db import DbSession
from app.core.errors import NotFound
from app.interest import repository
from app.models import ExpressionOfInterest


async def _entry(
    entry_id: uuid.UUID, session: DbSession, _operator: OperatorOnly
) -> ExpressionOfInterest:
    entry = await repository.get(session, entry_id)
    if entry is None:
        raise NotFound("No such expression of interest.")
    return entry


ValidInterest = Annotated[ExpressionOfInterest, Depends(_entry)]
