import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from app.auth.dependencies import OperatorOnly
from app.core.db import DbSession
from app.core.errors import Forbidden, NotAuthenticated, ValidationFailed, problem_responses
from app.core.pagination import Page, Pagination, page_of, paginate
from app.core.schemas import ResponseSchema
from app.models import AuditEvent

router = APIRouter(
    prefix="/audit-events",
    tags=["audit"],
    responses=problem_responses(NotAuthenticated, Forbidden, ValidationFailed),
)


class AuditEventRead(ResponseSchema):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    action: str
    target_type: str
    target_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("", summary="The audit trail (operator)")
async def list_audit_events(
    session: DbSession,
    _: OperatorOnly,
    page: Pagination,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
) -> Page[AuditEventRead]:
    """Every operator and company-admin change: who (`actor_id`, `actor_role`), what
    (`action`, `target_type`, `target_id`), when (`at`) and the values `before` and `after`.
    Newest first. Actions: `member.updated`, `member.erased`, `company.created`,
    `company.updated`, `company.employee_removed`, `company.invitation_created`,
    `company.invitation_revoked`, `plan.created`, `plan.updated`, `plan.deleted`,
    `location.default_plan_set`,
    `location.created`, `location.updated`, `closure.created`, `closure.deleted`,
    `desk.created`, `desk.updated`, `booking.cancelled_by_operator`."""
    statement = select(AuditEvent)
    if action is not None:
        statement = statement.where(AuditEvent.action == action)
    if target_id is not None:
        statement = statement.where(AuditEvent.target_id == target_id)
    if actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    statement = statement.order_by(AuditEvent.at.desc(), AuditEvent.id)
    rows, total = await paginate(session, statement, page)
    return page_of(AuditEventRead, rows, total, page)
