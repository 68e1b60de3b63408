import uuid

from fastapi import APIRouter, BackgroundTasks, status

from app.auth.dependencies import CurrentMember
from app.companies import repository, service
from app.companies.dependencies import AdministeredCompany, VisibleCompany
from app.companies.schemas import (
    CompanyCreate,
    CompanyJoined,
    CompanyRead,
    CompanyUpdate,
    CompanyUsage,
    EmployeeRead,
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
)
from app.core import clock
from app.core.dates import DateRangeQuery
from app.core.db import DbSession
from app.core.enums import CompanyRole
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ValidationFailed,
    problem_responses,
)
from app.core.notifications import Notifications, deliver
from app.core.pagination import Page, Pagination, page_of, paginate
from app.core.urls import PublicBaseUrl
from app.models import Invitation

router = APIRouter(
    prefix="/companies",
    tags=["companies"],
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)
invitations_router = APIRouter(
    prefix="/invitations",
    tags=["companies"],
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a company",
    responses=problem_responses(Conflict),
)
async def create_company(
    body: CompanyCreate, member: CurrentMember, session: DbSession
) -> CompanyRead:
    """Any member may register a company. It starts `pending` with 0 seats until an operator
    approves it; the caller becomes its admin (an admin is not an employee — and books
    privately — unless also invited as one). A member may have at most three companies
    that are still pending: the fourth answers 409 `conflict`."""
    company = await service.create(session, member=member, data=body)
    return CompanyRead.model_validate(company)


@router.get("", summary="List companies")
async def list_companies(
    caller: CurrentMember, session: DbSession, page: Pagination
) -> Page[CompanyRead]:
    """Operators see every company, others the companies they admin or work for. Ordered by
    name, then id."""
    rows, total = await paginate(session, repository.readable_by(caller), page)
    return page_of(CompanyRead, rows, total, page)


@router.get("/{company_id}", summary="A company", responses=problem_responses(NotFound))
async def read_company(access: VisibleCompany) -> CompanyRead:
    """Operators and the company's admins and employees; 404 for everybody else."""
    return CompanyRead.model_validate(access.company)


@router.patch(
    "/{company_id}",
    summary="Change a company",
    responses=problem_responses(NotFound, Forbidden),
)
async def update_company(
    body: CompanyUpdate,
    access: AdministeredCompany,
    session: DbSession,
    base_url: PublicBaseUrl,
    notifier: Notifications,
    background: BackgroundTasks,
) -> CompanyRead:
    """Operators approve (`status: active`), suspend and set `seats`. A company admin may
    change the contact fields (`name`, `contact_email`, `seats_requested`) only: sending
    `status` or `seats` answers 403, it is not silently ignored. Suspending a company keeps
    the desks of bookings already made; its employees' new bookings are private.

    Activating a company mails its held invitations that can still be accepted (invitations
    of a company that is not active are not mailed until then)."""
    company = await service.update(
        session, actor=access.caller, company=access.company, changes=body
    )
    for invitation, token in await service.release_held_invitations(session, company=company):
        message = service.invitation_message(
            company=company,
            email=invitation.email,
            token=token,
            expires_at=invitation.expires_at,
            base_url=base_url,
        )
        background.add_task(deliver, notifier, message)
    return CompanyRead.model_validate(company)


@router.post(
    "/{company_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    summary="Invite an employee",
    responses=problem_responses(NotFound, Forbidden, RateLimited),
)
async def invite_employee(
    body: InvitationCreate,
    access: AdministeredCompany,
    session: DbSession,
    base_url: PublicBaseUrl,
    notifier: Notifications,
    background: BackgroundTasks,
) -> InvitationCreated:
    """A company admin (or an operator) invites by email, in any company status. The answer
    holds the token — shown only here, stored only as a SHA-256 hash — so the flow works
    without mail; it is single-use, valid 14 days and bound to the invited email. The
    invitee accepts with `POST /invitations/accept` or registers with `invitation_token`.
    A company sends at most 50 invitations in 24 hours (withdrawn ones count): the 51st
    answers 429 `rate-limited` with `Retry-After`.

    While the company is active the invitation is also mailed when SMTP is configured
    (`COWORKING_SMTP_HOST`, …; otherwise the service logs that a message was due, without
    recipient or token). A pending or suspended company's invitation mail is held until an
    operator activates the company; the token works meanwhile."""
    invitation, token = await service.invite(
        session, actor=access.caller, company=access.company, email=body.email
    )
    message = service.fresh_invitation_mail(
        company=access.company, invitation=invitation, token=token, base_url=base_url
    )
    if message is not None:
        background.add_task(deliver, notifier, message)
    return InvitationCreated(
        id=invitation.id,
        company_id=invitation.company_id,
        email=invitation.email,
        token=token,
        expires_at=invitation.expires_at,
        mail_status=invitation.mail_status,
    )


def _invitation(invitation: Invitation) -> InvitationRead:
    return InvitationRead(
        id=invitation.id,
        company_id=invitation.company_id,
        email=invitation.email,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        status=service.invitation_status(invitation, clock.now()),
        mail_status=invitation.mail_status,
    )


@router.get(
    "/{company_id}/invitations",
    summary="The company's invitations",
    responses=problem_responses(NotFound, Forbidden),
)
async def list_invitations(
    access: AdministeredCompany, session: DbSession, page: Pagination
) -> Page[InvitationRead]:
    """The company's admins and operators (employees: 403, the list holds e-mails); tokens
    are never shown again; withdrawn invitations are not listed. Newest first."""
    rows, total = await paginate(session, repository.invitations(access.company.id), page)
    return Page[InvitationRead](
        items=[_invitation(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.delete(
    "/{company_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw an invitation",
    responses=problem_responses(NotFound, Forbidden, Conflict),
)
async def revoke_invitation(
    invitation_id: uuid.UUID, access: AdministeredCompany, session: DbSession
) -> None:
    """An unaccepted invitation's token stops working; an accepted one answers 409."""
    await service.revoke_invitation(
        session, actor=access.caller, company=access.company, invitation_id=invitation_id
    )


def _employee(row: repository.EmployeeRow) -> EmployeeRead:
    return EmployeeRead(
        id=row.member.id,
        full_name=row.member.full_name,
        email=row.member.email,
        company_role=CompanyRole.ADMIN if row.is_admin else CompanyRole.EMPLOYEE,
        joined_at=row.joined_at,
    )


@router.get(
    "/{company_id}/employees",
    summary="The company's employees",
    responses=problem_responses(NotFound, Forbidden),
)
async def list_employees(
    access: AdministeredCompany, session: DbSession, page: Pagination
) -> Page[EmployeeRead]:
    """The company's admins and operators; an employee gets 403 (the list holds their
    colleagues' e-mails). Members who accepted an invitation;
    `company_role` is `admin` for an employee who also administers the company. Ordered by
    joining time, then id."""
    rows, total = await repository.employees(
        session, access.company.id, limit=page.limit, offset=page.offset
    )
    return Page[EmployeeRead](
        items=[_employee(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/{company_id}/employees/{member_id}",
    summary="One employee",
    responses=problem_responses(NotFound, Forbidden),
)
async def read_employee(
    member_id: uuid.UUID, access: VisibleCompany, session: DbSession
) -> EmployeeRead:
    """The company's admins and operators; an employee only their own entry (403 for a
    colleague's)."""
    if not access.administers and member_id != access.caller.id:
        raise Forbidden("Only the company's admins and operators read its employees.")
    rows, _ = await repository.employees(session, access.company.id, member_id=member_id)
    if not rows:
        raise NotFound("No such employee.")
    return _employee(rows[0])


@router.delete(
    "/{company_id}/employees/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an employee",
    responses=problem_responses(NotFound, Forbidden),
)
async def remove_employee(
    member_id: uuid.UUID, access: AdministeredCompany, session: DbSession
) -> None:
    """A company admin or an operator. From now on the member books privately; their
    bookings that have not started leave the company's seats (`company_id` becomes null) and
    keep their desks. Their `employee` group stays: it describes their work, not this link."""
    await service.remove_employee(
        session, actor=access.caller, company=access.company, member_id=member_id
    )


@router.get(
    "/{company_id}/usage",
    summary="Aggregate seat usage per day",
    responses=problem_responses(NotFound, Forbidden),
)
async def read_company_usage(
    access: AdministeredCompany,
    session: DbSession,
    period: DateRangeQuery,
) -> CompanyUsage:
    """For the company's admins and operators (employees: 403). Aggregates only: no member
    ids, names or per-employee presence. Days are local days of the bookings' locations,
    `from` to `to` inclusive, every day listed; `to` before `from` or a range of three
    years or more answers 422. Per day:

    * `seats`: the company's current seats (seat changes are in the audit trail);
    * `booked_hours`: the summed length of the company's bookings that are not cancelled;
    * `peak_concurrent_seats`: the most of those running at one instant (half-open
      intervals: back-to-back bookings are not concurrent);
    * `seat_utilization` = peak_concurrent_seats / seats (0 without seats).

    `total`: `booked_hours` summed, the highest peak, `seat_days_used` (the days' peaks
    summed) and `seat_utilization` = seat_days_used / (seats × days)."""
    return await service.usage(
        session, company=access.company, first=period.first, last=period.last
    )


@invitations_router.post(
    "/accept",
    summary="Accept an invitation",
    responses=problem_responses(Forbidden, Conflict),
)
async def accept_invitation(
    body: InvitationAccept, member: CurrentMember, session: DbSession
) -> CompanyJoined:
    """The signed-in member becomes an employee of the inviting company and gets the group
    `employee`. A token that is unknown, used or expired answers 422; one sent to another
    email 403; a member who already works for a company (this or another) 409."""
    company, employment = await service.accept(session, member=member, token=body.token)
    return CompanyJoined(
        company_id=company.id,
        company_name=company.name,
        company_role=CompanyRole.EMPLOYEE,
        joined_at=employment.joined_at,
    )
