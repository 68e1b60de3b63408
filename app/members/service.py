"""Rules about members: creation, profile changes, roles and deactivation."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.companies import service as company_service
from app.core.db import raise_for_integrity
from app.core.enums import Role
from app.core.errors import Conflict, ValidationFailed
from app.core.schemas import normalise_email
from app.core.security import hash_password
from app.members import repository
from app.members.schemas import MemberAdminUpdate, MemberProfileUpdate, RegisterRequest
from app.models import Member, MemberGroup


async def create(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    profile: dict[str, Any],
    role: str = Role.MEMBER,
) -> Member:
    """A new member; 409 when the email is taken (case-insensitively)."""
    groups = profile.pop("groups")
    member = Member(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        group_rows=[MemberGroup(group=group) for group in groups],
        **profile,
    )
    if await repository.get_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.")
    session.add(member)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        taken = Conflict("An account with this email already exists.")
        raise_for_integrity(error, {"uq_members_email": taken})
    return member


async def update_profile(
    session: AsyncSession, *, member: Member, changes: MemberProfileUpdate
) -> Member:
    values = changes.model_dump(exclude_unset=True)
    if "groups" in values:
        kept = {row.group: row for row in member.group_rows}
        member.group_rows = [kept.get(g) or MemberGroup(group=g) for g in values.pop("groups")]
    for field, value in values.items():
        setattr(member, field, value)
    await session.flush()
    return member


async def administer(
    session: AsyncSession, *, actor: Member, member: Member, changes: MemberAdminUpdate
) -> Member:
    """An operator changes a member's role, active state or confirmed groups.

    The last active operator cannot demote or deactivate themselves: nobody could undo it.
    Confirmed groups (``verified_groups``, the social tariff) must be groups the member
    states (422 otherwise); a group the member later drops loses its confirmation.
    """
    values = changes.model_dump(exclude_unset=True, exclude_none=True)
    verified = values.pop("verified_groups", None)
    if verified is not None and (unknown := sorted(set(verified) - set(member.groups))):
        raise ValidationFailed(
            f"verified_groups: {', '.join(unknown)} is not one of the member's groups."
        )
    stays_operator = values.get("role", member.role) == Role.OPERATOR and values.get(
        "active", member.active
    )
    losing_operator = member.role == Role.OPERATOR and member.active and not stays_operator
    if losing_operator and await repository.count_active_operators(session) <= 1:
        raise Conflict("The last active operator cannot be demoted or deactivated.")
    # Confirmed groups enter the trail when they are changed (role and active always do).
    audited = ("role", "active", *(("verified_groups",) if verified is not None else ()))
    async with audit.update(
        session,
        actor=actor,
        target=member,
        action="member.updated",
        target_type="member",
        audited=audited,
    ) as applied:
        applied.update(values)
        if verified is not None:
            for row in member.group_rows:
                row.verified = row.group in verified
    return member


async def register(session: AsyncSession, *, request: RegisterRequest) -> Member:
    """Self-registration of a pilot member."""
    invitation = None
    if request.invitation_token is not None:
        # Checked first: a token that is invalid, used, expired or sent to another email
        # answers 422 and no account is created.
        invitation = await company_service.invitation_for_registration(
            session, token=request.invitation_token, email=request.email
        )
    profile = request.model_dump(exclude={"email", "password", "invitation_token"})
    member = await create(session, email=request.email, password=request.password, profile=profile)
    if invitation is not None:
        await company_service.join(session, invitation=invitation, member=member)
    return member
