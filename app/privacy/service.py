"""The member's data rights: export everything held (GDPR Art. 15/20) and erasure (Art. 17).

Erasure keeps the member row as an anonymous statistics profile — groups, home municipality,
commute km rounded to 5 km and commute mode — so past bookings still count in every statistic,
while email, name, postcode, password hash, tokens and the calendar feed go. Future bookings
are cancelled so their desks are free again. The email can register again at once.
"""

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.bookings import repository as booking_repository
from app.bookings import service as booking_service
from app.core import clock
from app.core.enums import BookingStatus, Role
from app.core.errors import Conflict
from app.members import repository as member_repository
from app.models import (
    Booking,
    CalendarFeed,
    Company,
    CompanyMember,
    ExpressionOfInterest,
    Invitation,
    Member,
    Membership,
    RefreshToken,
    SurveyContact,
)

COMMUTE_KM_STEP = 5


def _rounded_km(km: float | None) -> float | None:
    return None if km is None else float(round(km / COMMUTE_KM_STEP) * COMMUTE_KM_STEP)


async def export(session: AsyncSession, *, member: Member) -> dict[str, Any]:
    """Everything the service holds about the member, as plain JSON-ready data."""
    now = clock.now()
    bookings = (
        await session.scalars(
            select(Booking).where(Booking.member_id == member.id).order_by(Booking.start)
        )
    ).all()
    feed = await session.get(CalendarFeed, member.id)
    memberships = (
        await session.scalars(
            select(Membership)
            .where(Membership.member_id == member.id)
            .order_by(Membership.starts_on, Membership.id)
        )
    ).all()
    companies = (
        await session.execute(
            select(CompanyMember, Company.name)
            .join(Company, Company.id == CompanyMember.company_id)
            .where(CompanyMember.member_id == member.id)
            .order_by(CompanyMember.joined_at)
        )
    ).all()
    survey_consents = (
        await session.scalars(
            select(SurveyContact).where(func.lower(SurveyContact.email) == member.email)
        )
    ).all()
    interests = (
        await session.scalars(
            select(ExpressionOfInterest).where(
                func.lower(ExpressionOfInterest.email) == member.email
            )
        )
    ).all()
    return {
        "exported_at": now,
        "profile": {
            "id": member.id,
            "email": member.email,
            "full_name": member.full_name,
            "groups": member.groups,
            "verified_groups": member.verified_groups,
            "role": member.role,
            "home_municipality": member.home_municipality,
            "home_postcode": member.home_postcode,
            "commute_km": member.commute_km,
            "commute_mode": member.commute_mode,
            "active": member.active,
            "created_at": member.created_at,
        },
        "bookings": [
            {
                "id": booking.id,
                "desk_id": booking.desk_id,
                "company_id": booking.company_id,
                "start": booking.start,
                "end": booking.end,
                "status": booking_service.current_status(booking, now),
                "created_at": booking.created_at,
                "checked_in_at": booking.checked_in_at,
                "checked_out_at": booking.checked_out_at,
                "cancelled_at": booking.cancelled_at,
                "note": booking.note,
            }
            for booking in bookings
        ],
        "memberships": [
            {
                "id": membership.id,
                "plan_id": membership.plan_id,
                "starts_on": membership.starts_on,
                "ends_on": membership.ends_on,
                "price_cents": membership.price_cents,
                "created_at": membership.created_at,
            }
            for membership in memberships
        ],
        "companies": [
            {
                "company_id": link.company_id,
                "name": name,
                "company_role": link.company_role,
                "joined_at": link.joined_at,
            }
            for link, name in companies
        ],
        "consent_records": [
            *(
                {
                    "kind": "survey_contact",
                    "email": contact.email,
                    "consented_at": contact.consented_at,
                    "text_version": contact.consent_text_version,
                }
                for contact in survey_consents
            ),
            *(
                {
                    "kind": "expression_of_interest",
                    "id": entry.id,
                    "email": entry.email,
                    "consented_at": entry.consented_at,
                    "text_version": entry.consent_text_version,
                }
                for entry in interests
            ),
        ],
        "calendar_feed": {"active": feed is not None, "created_at": feed and feed.created_at},
    }


async def erase(session: AsyncSession, *, member: Member, actor: Member) -> int:
    """Erase the member's personal data; returns how many future bookings were cancelled."""
    last_operator = member.role == Role.OPERATOR and member.active
    if last_operator and await member_repository.count_active_operators(session) <= 1:
        raise Conflict("The last active operator cannot be erased.")
    # The lock a booking of the member takes: bookings racing the erasure are either stored
    # before it, and cancelled below, or wait for it and are refused.
    await member_repository.lock(session, member.id)
    now = clock.now()
    cancelled = await session.execute(
        update(Booking)
        .where(
            Booking.member_id == member.id,
            Booking.start >= now,
            booking_repository.holds_desk(now),
        )
        .values(status=BookingStatus.CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(RefreshToken).where(RefreshToken.member_id == member.id))
    await session.execute(delete(CalendarFeed).where(CalendarFeed.member_id == member.id))
    # Company links go (a removed employee books privately), and so does every consented
    # contact record and open invitation under the member's email.
    await session.execute(delete(CompanyMember).where(CompanyMember.member_id == member.id))
    if member.email is not None:
        await session.execute(
            delete(Invitation).where(
                Invitation.email == member.email, Invitation.accepted_at.is_(None)
            )
        )
        await session.execute(
            delete(SurveyContact).where(func.lower(SurveyContact.email) == member.email)
        )
        await session.execute(
            delete(ExpressionOfInterest).where(
                func.lower(ExpressionOfInterest.email) == member.email
            )
        )
    member.email = None
    member.full_name = None
    member.home_postcode = None
    member.password_hash = None
    member.commute_km = _rounded_km(member.commute_km)
    member.active = False
    member.erased_at = now
    count = int(cancelled.rowcount or 0)  # type: ignore[attr-defined]
    await audit.record(
        session,
        actor=actor,
        action="member.erased",
        target_type="member",
        target_id=member.id,
        after={"cancelled_future_bookings": count},
    )
    return count
