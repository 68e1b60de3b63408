import uuid
from typing import Any

from fastapi import APIRouter, status

from app.auth.dependencies import CurrentMember, OperatorOnly
from app.core.db import DbSession
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.members import repository as member_repository
from app.privacy import service

router = APIRouter(tags=["privacy"])


@router.get(
    "/me/export",
    summary="Everything held about you (GDPR Art. 15/20)",
    responses=problem_responses(NotAuthenticated),
)
async def export_me(member: CurrentMember, session: DbSession) -> dict[str, Any]:
    """Your profile, all your bookings, memberships, company links and consent records as one
    JSON document."""
    return await service.export(session, member=member)


@router.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase your account (GDPR Art. 17)",
    responses=problem_responses(NotAuthenticated, Conflict),
)
async def erase_me(member: CurrentMember, session: DbSession) -> None:
    """Email, name, postcode, password, tokens and calendar feed go; future bookings are
    cancelled; past bookings stay linked to an anonymous statistics profile (groups, home
    municipality, commute km rounded to 5 km, mode) so the statistics stay exact. The email
    can register again. The last active operator cannot erase themselves (409)."""
    await service.erase(session, member=member, actor=member)


@router.delete(
    "/members/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase a member (operator)",
    tags=["members"],
    responses=problem_responses(NotAuthenticated, Forbidden, NotFound, Conflict, ValidationFailed),
)
async def erase_member(member_id: uuid.UUID, actor: OperatorOnly, session: DbSession) -> None:
    """As `DELETE /me`, on behalf of the member; recorded in the audit trail."""
    member = await member_repository.get(session, member_id)
    if member is None or member.erased_at is not None:
        raise NotFound("No such member.")
    await service.erase(session, member=member, actor=actor)
