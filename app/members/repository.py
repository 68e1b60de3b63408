"""Every query about members."""

import uuid

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from app.core.enums import Role
from app.core.schemas import normalise_email
from app.models import Member, MemberGroup


def _with_groups() -> Select[Member]:
    """Lists: the groups of a page of members in a second statement (a join would repeat each
    member once per group and break ``LIMIT``)."""
    return select(Member).options(selectinload(Member.group_rows))


def _one_with_groups() -> Select[Member]:
    """One member: the groups joined in, one round trip (read the rows with ``.unique()``)."""
    return select(Member).options(joinedload(Member.group_rows))


# Built once: every authenticated request runs these (see app.bookings.repository).
_BY_ID = _one_with_groups().where(Member.id == bindparam("member_id"))
_BY_EMAIL = _one_with_groups().where(Member.email == bindparam("email"))


async def get(session: AsyncSession, member_id: uuid.UUID) -> Member | None:
    return (await session.scalars(_BY_ID, {"member_id": member_id})).unique().one_or_none()


async def get_by_email(session: AsyncSession, email: str) -> Member | None:
    values = {"email": normalise_email(email)}
    return (await session.scalars(_BY_EMAIL, values)).unique().one_or_none()


async def lock(session: AsyncSession, member_id: uuid.UUID) -> None:
    """Lock the member's row until the transaction ends, as a booking of the member locks it
    (PostgreSQL; SQLite serialises writes anyway). One such request of a member at a time, so
    a count of theirs is exact; and a change of what the member's bookings may be (erasure,
    an employee's removal) takes it first, so bookings racing it either are stored before it
    and seen by it, or come after it and see the change."""
    await session.execute(select(Member.id).where(Member.id == member_id).with_for_update())


def search(*, q: str | None, group: str | None, role: str | None) -> Select[Member]:
    """Members matching the operator's filters, ordered by creation then id."""
    statement = _with_groups()
    if q:
        # In the form emails are stored in; autoescape: a % or _ is matched literally
        text = normalise_email(q)
        statement = statement.where(
            or_(
                func.lower(Member.full_name).contains(text, autoescape=True),
                Member.email.contains(text, autoescape=True),
            )
        )
    if group:
        statement = statement.where(
            Member.id.in_(select(MemberGroup.member_id).where(MemberGroup.group == group))
        )
    if role:
        statement = statement.where(Member.role == role)
    return statement.order_by(Member.created_at, Member.id)


async def count_active_operators(session: AsyncSession) -> int:
    """Active operators, their rows locked so two demotions cannot both pass the check."""
    statement = (
        select(Member.id)
        .where(Member.role == Role.OPERATOR, Member.active.is_(True))
        .with_for_update()
    )
    return len((await session.scalars(statement)).all())
