import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import OptionalMember
from app.core.db import DbSession
from app.core.enums import Role
from app.core.errors import NotFound
from app.models import Plan
from app.plans import repository


async def _plan_or_404(plan_id: uuid.UUID, session: DbSession, caller: OptionalMember) -> Plan:
    plan = await repository.get(session, plan_id)
    # Retired plans are the operators' business.
    if plan is None or (not plan.active and (caller is None or caller.role != Role.OPERATOR)):
        raise NotFound("No such plan.")
    return plan


ValidPlan = Annotated[Plan, Depends(_plan_or_404)]
