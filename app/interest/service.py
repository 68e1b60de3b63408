"""Expressions of interest in the trial: stored with consent, handled by operators, erasable."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import clock
from app.interest.schemas import INTEREST_CONSENT_VERSION, InterestCreate
from app.models import ExpressionOfInterest, Member


async def register(session: AsyncSession, *, request: InterestCreate) -> ExpressionOfInterest:
    now = clock.now()
    entry = ExpressionOfInterest(
        **request.model_dump(exclude={"consent"}),
        consented_at=now,
        consent_text_version=INTEREST_CONSENT_VERSION,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def mark_contacted(
    session: AsyncSession, *, actor: Member, entry: ExpressionOfInterest, contacted: bool
) -> ExpressionOfInterest:
    """Record (or clear) when an operator contacted the entry; an unchanged flag keeps the
    time of the first contact."""
    async with audit.update(
        session,
        actor=actor,
        target=entry,
        action="interest.updated",
        target_type="interest",
        audited=("contacted_at",),
    ) as values:
        if contacted and entry.contacted_at is None:
            values["contacted_at"] = clock.now()
        elif not contacted:
            values["contacted_at"] = None
    return entry


async def erase(session: AsyncSession, *, actor: Member, entry: ExpressionOfInterest) -> None:
    """Delete the entry and every personal detail in it (the audit keeps only its id)."""
    await session.delete(entry)
    await session.flush()
    await audit.record(
        session, actor=actor, action="interest.erased", target_type="interest", target_id=entry.id
    )
