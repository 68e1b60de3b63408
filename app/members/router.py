from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import CurrentMember, OperatorOnly
from app.core.db import DbSession
from app.core.enums import MemberGroup, Role
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, Pagination, page_of, paginate
from app.members import repository, service
from app.members.dependencies import ValidMember
from app.members.schemas import (
    MemberAdminUpdate,
    MemberProfileUpdate,
    MemberRead,
)

me_router = APIRouter(
    prefix="/me",
    tags=["me"],
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)
members_router = APIRouter(
    prefix="/members",
    tags=["members"],
    responses=problem_responses(NotAuthenticated, Forbidden, ValidationFailed),
)


@me_router.get("", summary="Your profile")
async def read_me(member: CurrentMember) -> MemberRead:
    return MemberRead.model_validate(member)


@me_router.patch("", summary="Change your profile")
async def update_me(
    body: MemberProfileUpdate, member: CurrentMember, session: DbSession
) -> MemberRead:
    """Only the fields sent change. Email, role and active state are not yours to change here.
    Groups you add are not confirmed (`verified_groups`), so they lower no price; a group you
    drop loses its confirmation."""
    member = await service.update_profile(session, member=member, changes=body)
    return MemberRead.model_validate(member)


@members_router.get("", summary="List members (operator)")
async def list_members(
    session: DbSession,
    _: OperatorOnly,
    page: Pagination,
    q: Annotated[str | None, Query(max_length=200, description="Part of name or email")] = None,
    group: MemberGroup | None = None,
    role: Role | None = None,
) -> Page[MemberRead]:
    """Ordered by registration time, then id."""
    statement = repository.search(q=q, group=group, role=role)
    rows, total = await paginate(session, statement, page)
    return page_of(MemberRead, rows, total, page)


@members_router.get(
    "/{member_id}", summary="A member (operator)", responses=problem_responses(NotFound)
)
async def read_member(member: ValidMember) -> MemberRead:
    return MemberRead.model_validate(member)


@members_router.patch(
    "/{member_id}",
    summary="Change a member's role, active state or confirmed groups (operator)",
    responses=problem_responses(NotFound, Conflict),
)
async def update_member(
    body: MemberAdminUpdate, member: ValidMember, actor: OperatorOnly, session: DbSession
) -> MemberRead:
    """A deactivated member's tokens stop working at once. The last active operator cannot
    demote or deactivate themselves (409 `conflict`). `verified_groups` confirms which of the
    member's groups the operator has checked: only those get a plan's reduced price (the
    social tariff); a group that is not one of the member's answers 422. Audited."""
    member = await service.administer(session, actor=actor, member=member, changes=body)
    return MemberRead.model_validate(member)
