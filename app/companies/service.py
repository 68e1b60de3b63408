"""Companies: registration, approval, invitations, employees, seats and usage.

Abuse limits: a member registers at most :data:`MAX_PENDING_COMPANIES` companies that are
still pending (counted under the member's row lock); a company sends at most
:data:`INVITATIONS_PER_DAY` invitations in 24 hours (counted under the company's row lock);
and no invitation mail goes out while a company is not active — an unapproved company
cannot send mail in the service's name. Its invitations are held (the token kept until the
mail goes out) and mailed when an operator activates it (:func:`release_held_invitations`).

The seat rule: while a company is ``active``, each workplace booking of one of its employees
carries ``company_id`` and at no instant may the company hold more such bookings than
``seats``. :func:`claim_seat` runs inside the booking transaction and first locks the company
row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises
writers), so two concurrent bookings — in any number of app processes — cannot both take the
last seat. Pending and suspended companies grant no seats: their employees book privately.
"""

import hashlib
import math
import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.companies import repository
from app.companies.schemas import (
    CompanyCreate,
    CompanyUpdate,
    CompanyUsage,
    UsageDay,
    UsageTotal,
)
from app.core import clock, enums
from app.core.db import raise_for_integrity
from app.core.enums import CompanyRole, CompanyStatus, Role
from app.core.errors import (
    CompanySeatsExhausted,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ValidationFailed,
)
from app.core.notifications import Message
from app.core.schemas import normalise_email
from app.members import repository as member_repository
from app.models import Company, CompanyMember, Invitation, Member, MemberGroup

INVITATION_LIFETIME = timedelta(days=14)
INVITATIONS_PER_DAY = 50
INVITATION_WINDOW = timedelta(hours=24)
MAX_PENDING_COMPANIES = 3
OPERATOR_FIELDS = frozenset({"status", "seats"})
# Audited values; the contact email may be a person's address and stays out of the trail.
AUDITED_FIELDS = ("name", "seats_requested", "status", "seats")
UNUSABLE_INVITATION = "The invitation token is invalid, already used or expired."


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(session: AsyncSession, *, member: Member, data: CompanyCreate) -> Company:
    """Register a company: pending, no seats; the caller becomes its admin. 409 when the
    caller already admins :data:`MAX_PENDING_COMPANIES` pending companies (counted under the
    member's row lock, so concurrent registrations cannot pass it together)."""
    await member_repository.lock(session, member.id)
    if await repository.pending_administered(session, member.id) >= MAX_PENDING_COMPANIES:
        raise Conflict(
            "You have registered {count} companies that are still pending; wait until an "
            "operator has decided on them.",
            count=MAX_PENDING_COMPANIES,
        )
    company = Company(
        name=data.name,
        contact_email=data.contact_email,  # normalised by the schema's Email type
        seats_requested=data.seats_requested,
        status=CompanyStatus.PENDING,
        seats=0,
        created_at=clock.now(),
    )
    session.add(company)
    await session.flush()
    session.add(
        CompanyMember(
            company_id=company.id,
            member_id=member.id,
            company_role=CompanyRole.ADMIN,
            joined_at=clock.now(),
        )
    )
    await session.flush()
    await audit.record(
        session,
        actor=member,
        action="company.created",
        target_type="company",
        target_id=company.id,
        after=audit.snapshot(company, AUDITED_FIELDS),
    )
    return company


async def update(
    session: AsyncSession, *, actor: Member, company: Company, changes: CompanyUpdate
) -> Company:
    """Operators change anything; a company admin only the contact fields (403 otherwise)."""
    values = changes.model_dump(exclude_unset=True)
    refused = sorted(OPERATOR_FIELDS & values.keys())
    if refused and actor.role != Role.OPERATOR:
        raise Forbidden(f"Only operators may change {' and '.join(refused)}.")
    async with audit.update(
        session,
        actor=actor,
        target=company,
        action="company.updated",
        target_type="company",
        audited=AUDITED_FIELDS,
    ) as applied:
        applied.update(values)
    return company


async def invite(
    session: AsyncSession, *, actor: Member, company: Company, email: str
) -> tuple[Invitation, str]:
    """A single-use invitation bound to ``email``, valid 14 days; returns it and its token
    (stored only as its SHA-256 hash). Its mail is ``sent`` while the company is active,
    otherwise ``held`` with the token until :func:`release_held_invitations`. 429 when the
    company has sent :data:`INVITATIONS_PER_DAY` in the last 24 hours (counted under the
    company's row lock, so concurrent invitations cannot pass it together)."""
    now = clock.now()
    locked = await repository.lock(session, company.id)
    assert locked is not None  # the caller holds the row; a company is never deleted
    oldest = await repository.nth_latest_invitation_since(
        session, company.id, since=now - INVITATION_WINDOW, n=INVITATIONS_PER_DAY
    )
    if oldest is not None:
        retry = math.ceil((oldest + INVITATION_WINDOW - now).total_seconds())
        raise RateLimited(
            "The company has sent {count} invitations in the last 24 hours.",
            count=INVITATIONS_PER_DAY,
            retry_after=max(retry, 1),
        )
    token = secrets.token_urlsafe(32)
    held = locked.status != CompanyStatus.ACTIVE
    invitation = Invitation(
        company_id=company.id,
        email=normalise_email(email),
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        mail_status="held" if held else "sent",
        held_token=token if held else None,
    )
    session.add(invitation)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="company.invitation_created",
        target_type="company",
        target_id=company.id,
        after={
            "invitation_id": invitation.id,
            "expires_at": invitation.expires_at,
            "mail_status": invitation.mail_status,
        },
    )
    return invitation, token


async def release_held_invitations(
    session: AsyncSession, *, company: Company
) -> list[tuple[Invitation, str]]:
    """Once the company is active: its held invitations that can still be accepted, with
    their tokens, to be mailed now (marked ``sent``, the token no longer stored); held ones
    that can no longer be used are dropped. Nothing while the company is not active."""
    if company.status != CompanyStatus.ACTIVE:
        return []
    now = clock.now()
    released: list[tuple[Invitation, str]] = []
    for invitation in await repository.held_invitations(session, company.id):
        token = invitation.held_token
        assert token is not None  # a CHECK constraint: held means the token is kept
        _stop_holding(invitation, sent=invitation_status(invitation, now) == "pending")
        if invitation.mail_status == "sent":
            released.append((invitation, token))
    await session.flush()
    return released


def _stop_holding(invitation: Invitation, *, sent: bool) -> None:
    if invitation.mail_status == "held":
        invitation.mail_status = "sent" if sent else "dropped"
        invitation.held_token = None


def invitation_message(
    *, company: Company, email: str, token: str, expires_at: datetime, base_url: str
) -> Message:
    """The invitation mail; its links start with ``base_url`` (app.core.urls)."""
    base = base_url.rstrip("/")
    return Message(
        kind="company.invitation",
        to=email,
        subject=f"Einladung: {company.name} im Coworking O-H-V",
        body=(
            f"{company.name} lädt Sie ein, als Beschäftigte/r im Coworking-Pilot O-H-V "
            "auf Firmenplätzen zu buchen.\n\n"
            f"Ihr Einladungscode (gültig bis {expires_at:%d.%m.%Y %H:%M} UTC):\n{token}\n\n"
            f'Neu registrieren: {base}/api/v1/auth/register mit "invitation_token".\n'
            f'Schon registriert: {base}/api/v1/invitations/accept mit {{"token": ...}}.\n'
        ),
    )


def fresh_invitation_mail(
    *, company: Company, invitation: Invitation, token: str, base_url: str
) -> Message | None:
    """The mail of an invitation just made by :func:`invite`, or None while it is held (the
    company is not active: :func:`release_held_invitations` mails it later)."""
    if invitation.mail_status != "sent":
        return None
    return invitation_message(
        company=company,
        email=invitation.email,
        token=token,
        expires_at=invitation.expires_at,
        base_url=base_url,
    )


def invitation_status(
    invitation: Invitation, now: datetime
) -> Literal["pending", "accepted", "expired"]:
    """Of an invitation that was not withdrawn (withdrawn ones are never listed)."""
    if invitation.accepted_at is not None:
        return "accepted"
    return "expired" if invitation.expires_at <= now else "pending"


async def _usable_invitation(session: AsyncSession, token: str) -> Invitation:
    invitation = await repository.invitation_by_hash(session, hash_token(token))
    if (
        invitation is None
        or invitation.revoked_at is not None
        or invitation_status(invitation, clock.now()) != "pending"
    ):
        raise ValidationFailed(UNUSABLE_INVITATION)
    return invitation


async def invitation_for_registration(
    session: AsyncSession, *, token: str, email: str
) -> Invitation:
    """The invitation a new account may accept; 422 for any problem, so nothing is created."""
    invitation = await _usable_invitation(session, token)
    if invitation.email != normalise_email(email):
        raise ValidationFailed("The invitation was sent to another email address.")
    return invitation


async def join(session: AsyncSession, *, invitation: Invitation, member: Member) -> CompanyMember:
    """Make ``member`` an employee through ``invitation`` (single use; adds group ``employee``)."""
    now = clock.now()
    if await repository.employer_of(session, member.id) is not None:
        raise Conflict("You are already the employee of a company; a member works for one.")
    employment = CompanyMember(
        company_id=invitation.company_id,
        member_id=member.id,
        company_role=CompanyRole.EMPLOYEE,
        joined_at=now,
    )
    session.add(employment)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:  # a concurrent acceptance of another (or this) invitation
        employed = Conflict("You are already the employee of a company.")
        raise_for_integrity(
            error, {"ix_company_members_one_employer": employed, "pk_company_members": employed}
        )
    invitation.accepted_at = now
    invitation.accepted_by_id = member.id
    _stop_holding(invitation, sent=False)  # accepted before its mail went out
    if enums.MemberGroup.EMPLOYEE not in member.groups:
        rows = [*member.group_rows, MemberGroup(group=enums.MemberGroup.EMPLOYEE)]
        member.group_rows = sorted(rows, key=lambda row: row.group)
    await session.flush()
    return employment


async def accept(
    session: AsyncSession, *, member: Member, token: str
) -> tuple[Company, CompanyMember]:
    """A signed-in member accepts an invitation sent to their own email."""
    invitation = await _usable_invitation(session, token)
    if invitation.email != normalise_email(member.email or ""):
        raise Forbidden("This invitation was sent to another email address.")
    employment = await join(session, invitation=invitation, member=member)
    company = await repository.get(session, invitation.company_id)
    assert company is not None  # a foreign key
    return company, employment


async def revoke_invitation(
    session: AsyncSession, *, actor: Member, company: Company, invitation_id: uuid.UUID
) -> None:
    invitation = await repository.get_invitation(session, company.id, invitation_id)
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.accepted_at is not None:
        raise Conflict("The invitation was accepted; remove the employee instead.")
    # Kept, not deleted: a withdrawn invitation still counts for the company's daily limit.
    invitation.revoked_at = clock.now()
    _stop_holding(invitation, sent=False)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="company.invitation_revoked",
        target_type="company",
        target_id=company.id,
        before={"invitation_id": invitation_id},
    )


async def remove_employee(
    session: AsyncSession, *, actor: Member, company: Company, member_id: uuid.UUID
) -> int:
    """The member stops being an employee; their bookings that have not started become
    private (they no longer use the company's seats). Returns how many changed."""
    # The lock a booking of the member takes: bookings racing the removal are either stored
    # before it, and made private below, or wait for it and book privately.
    await member_repository.lock(session, member_id)
    employment = await repository.employment(session, company.id, member_id)
    if employment is None:
        raise NotFound("No such employee.")
    await session.delete(employment)
    moved = await repository.privatise_future_bookings(
        session, company_id=company.id, member_id=member_id, now=clock.now()
    )
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="company.employee_removed",
        target_type="company",
        target_id=company.id,
        before={"member_id": member_id},
        after={"future_bookings_made_private": moved},
    )
    return moved


async def claim_seat(
    session: AsyncSession,
    *,
    employer_id: uuid.UUID | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> uuid.UUID | None:
    """The company whose seat a new workplace booking takes, or ``None`` for a private
    booking; 409 ``company-seats-exhausted`` when every seat is held at some instant of
    ``[start, end)``. Call inside the booking transaction: it locks the company row.

    ``employer_id`` is the company the booking member is an employee of
    (:data:`repository.EMPLOYER`): the booking reads it with its other checks, in one
    statement, so the common case — no employer — costs no statement here.
    """
    if employer_id is None:
        return None
    company = await repository.lock(session, employer_id)
    if company is None or company.status != CompanyStatus.ACTIVE:
        return None
    held = await repository.peak_seats(
        session, company_id=company.id, start=start, end=end, now=now
    )
    if held + 1 > company.seats:
        raise CompanySeatsExhausted(
            "All {seats} seats of your company are taken for part of this time.",
            seats=company.seats,
        )
    return company.id


async def usage(
    session: AsyncSession, *, company: Company, first: date, last: date
) -> CompanyUsage:
    """Aggregate seat usage per local day, ``first`` to ``last`` inclusive; every day listed."""
    by_day = await repository.usage_by_day(session, company_id=company.id, first=first, last=last)
    seats = company.seats
    days: list[UsageDay] = []
    day = first
    while day <= last:
        seconds, peak = by_day.get(day, (0.0, 0))
        days.append(
            UsageDay(
                date=day,
                seats=seats,
                booked_hours=round(seconds / 3600, 4),
                peak_concurrent_seats=peak,
                seat_utilization=_ratio(peak, seats),
            )
        )
        day += timedelta(days=1)
    seat_days = sum(d.peak_concurrent_seats for d in days)
    total = UsageTotal(
        booked_hours=round(sum(seconds for seconds, _ in by_day.values()) / 3600, 4),
        peak_concurrent_seats=max((d.peak_concurrent_seats for d in days), default=0),
        seat_days_used=seat_days,
        seat_utilization=_ratio(seat_days, seats * len(days)),
    )
    return CompanyUsage(
        company_id=company.id, from_=first, to=last, seats=seats, days=days, total=total
    )


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0
