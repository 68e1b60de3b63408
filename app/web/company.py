"""The company page (``/company``): a member registers a company; its admins see its status,
seats and employees, remove employees, invite new ones and read the seat usage of the last
30 days as a chart beside its table. An employee who does not administer the company sees
only which company they work for (its employee list is for admins, DESIGN §7).

Every action is the API's service (:mod:`app.companies.service`) behind the API's access
check (:func:`app.companies.dependencies.visible_company`): another company's id is a 404
page, an employee's attempt at an admin's action a 403 page.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.companies import dependencies as company_access
from app.companies import repository as company_repository
from app.companies import service as company_service
from app.companies.schemas import CompanyCreate, CompanyUsage, InvitationCreate
from app.core import clock, i18n
from app.core.db import DbSession
from app.core.enums import CompanyRole, CompanyStatus
from app.core.errors import AppError, NotFound, RateLimited
from app.core.notifications import Notifications, deliver
from app.core.urls import PublicBaseUrl
from app.locations.hours import local_date
from app.models import Company
from app.web import charts, forms, labels
from app.web.pages import PILOT_TIMEZONE, MemberPageDep, Page, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The usage the page shows: today and the days before it, in the pilot's zone.
USAGE_DAYS = 30
#: Every how many days the chart's date axis is labelled (counted back from today).
TICK_EVERY = 10


@dataclass(frozen=True)
class EmployeeLine:
    member_id: uuid.UUID
    name: str
    email: str
    joined: str


@dataclass(frozen=True)
class UsageLine:
    day: str
    booked_hours: str
    peak: int


@dataclass(frozen=True)
class AdministeredCompany:
    """A company the member administers, as the page shows it."""

    company: Company
    status: str
    pending: bool
    suspended: bool
    employees: list[EmployeeLine]
    chart: charts.BarChart
    usage: list[UsageLine]


@dataclass(frozen=True)
class InviteForm:
    """The invitation form of one company after a press: what was typed and what came of it."""

    company_id: uuid.UUID
    email: str = ""
    error: str | None = None
    notice: str | None = None


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound("No such company.") from None


def _day(page: Page, day: date) -> str:
    return i18n.format_short_day(day, page.locale)


def _usage_chart(page: Page, company: Company, usage: CompanyUsage) -> charts.BarChart:
    last = len(usage.days) - 1
    points = [
        charts.Point(
            value=day.booked_hours,
            tick=_day(page, day.date) if (last - index) % TICK_EVERY == 0 else "",
            title=page.gettext(
                "{day}: booked hours: {hours}",
                day=_day(page, day.date),
                hours=i18n.format_number(day.booked_hours, page.locale),
            ),
        )
        for index, day in enumerate(usage.days)
    ]
    return charts.bar_chart(
        key=f"usage-{company.id}",
        title=page.gettext(
            "Booked hours per day, {first} to {last}",
            first=_day(page, usage.from_),
            last=_day(page, usage.to),
        ),
        description=page.gettext(
            "{hours} hours booked in total; the most seats in use at the same time: {peak}. "
            "The table gives the figures of every day.",
            hours=i18n.format_number(usage.total.booked_hours, page.locale),
            peak=usage.total.peak_concurrent_seats,
        ),
        x_label=page.gettext("Day"),
        y_label=page.gettext("Booked hours"),
        points=points,
        locale=page.locale,
    )


async def _administered(page: Page, session: DbSession, company: Company) -> AdministeredCompany:
    rows, _ = await company_repository.employees(session, company.id)
    today = local_date(clock.now(), PILOT_TIMEZONE)
    usage = await company_service.usage(
        session, company=company, first=today - timedelta(days=USAGE_DAYS - 1), last=today
    )
    return AdministeredCompany(
        company=company,
        status=page.gettext(labels.COMPANY_STATUSES[company.status]),
        pending=company.status == CompanyStatus.PENDING,
        suspended=company.status == CompanyStatus.SUSPENDED,
        employees=[
            EmployeeLine(
                member_id=row.member.id,
                name=row.member.full_name or "",
                email=row.member.email or "",
                joined=_day(page, local_date(row.joined_at, PILOT_TIMEZONE)),
            )
            for row in rows
        ],
        chart=_usage_chart(page, company, usage),
        usage=[
            UsageLine(
                day=_day(page, day.date),
                booked_hours=i18n.format_number(day.booked_hours, page.locale),
                peak=day.peak_concurrent_seats,
            )
            for day in usage.days
        ],
    )


async def _company_page(
    page: Page,
    session: DbSession,
    *,
    notice: str | None = None,
    error: str | None = None,
    invite: InviteForm | None = None,
    values: forms.Values | None = None,
    errors: forms.Messages | None = None,
    status_code: int = 200,
) -> Response:
    administered: list[AdministeredCompany] = []
    employer: Company | None = None
    for company, role in await company_repository.companies_of(session, page.member.id):
        if role == CompanyRole.ADMIN:
            administered.append(await _administered(page, session, company))
        elif all(entry.company.id != company.id for entry in administered):
            employer = company
    return page.render(
        "company.html",
        {
            "administered": administered,
            "employer": employer,
            "employer_status": (
                page.gettext(labels.COMPANY_STATUSES[employer.status]) if employer else None
            ),
            "notice": notice,
            "error": error,
            "invite": invite,
            "values": values or forms.Values(),
            "errors": errors or forms.Messages(),
        },
        status_code=status_code,
    )


_DONE = {
    "registered": i18n.N_(
        "Your company is registered. The pilot's team will check it and approve its seats."
    ),
    "removed": i18n.N_("The employee was removed. Their future bookings are now private."),
}


@router.get("/company")
async def company_page(
    page: MemberPageDep, session: DbSession, done: str | None = None
) -> Response:
    """The member's companies (what they may see of each), or the registration form."""
    notice = page.gettext(_DONE[done]) if done in _DONE else None
    return await _company_page(page, session, notice=notice)


def _register_messages(page: Page) -> dict[str, str]:
    return {
        "name": page.gettext("Enter the company's name."),
        "contact_email": page.gettext("Enter an email address, like name@example.org."),
        "seats_requested": page.gettext("Enter the seats as a whole number from 0 to 10000."),
        "": page.gettext("Check your entries."),
    }


@router.post("/company")
async def register_company(request: Request, page: MemberPageDep, session: DbSession) -> Response:
    """The API's company registration: pending, the member its admin."""
    form = await request.form()
    values = forms.Values(
        name=forms.text(form, "name"),
        contact_email=forms.text(form, "contact_email").strip(),
        seats_requested=forms.text(form, "seats_requested"),
    )
    try:
        data = CompanyCreate.model_validate(
            {
                "name": values["name"],
                "contact_email": values["contact_email"],
                "seats_requested": forms.optional_integer(form, "seats_requested"),
            }
        )
    except ValidationError as error:
        errors = forms.Messages(forms.field_errors(error, _register_messages(page)))
        return await _company_page(page, session, values=values, errors=errors, status_code=422)
    try:
        await company_service.create(session, member=page.member, data=data)
    except AppError as error:
        return await _company_page(
            page, session, values=values, error=page.problem(error), status_code=error.status
        )
    return page.redirect("/company?done=registered")


_INVITED = {
    "sent": i18n.N_(
        "Invitation for {email} created and sent. Invitation code, valid until {day}: {token}"
    ),
    "held": i18n.N_(
        "Invitation for {email} stored. It will be mailed once your company is active; "
        "until then you can pass on the invitation code, valid until {day}: {token}"
    ),
}


@router.post("/company/{company_id}/invitations")
async def invite_employee(
    request: Request,
    page: MemberPageDep,
    session: DbSession,
    company_id: str,
    base_url: PublicBaseUrl,
    notifier: Notifications,
    background: BackgroundTasks,
) -> Response:
    """The API's invitation (its daily limit, its held mail while the company is not
    active). Answered with the page itself, not a redirect: the invitation code is shown
    once, here, so that it never lands in an address or the browser's history."""
    access = company_access.administered(
        await company_access.visible_company(session, _uuid(company_id), page.member)
    )
    company = access.company
    form = await request.form()
    email = forms.text(form, "email").strip()
    try:
        body = InvitationCreate.model_validate({"email": email})
    except ValidationError:
        message = page.gettext("Enter the email address to invite, like name@example.org.")
        invite = InviteForm(company_id=company.id, email=email, error=message)
        return await _company_page(page, session, invite=invite, status_code=422)
    try:
        invitation, token = await company_service.invite(
            session, actor=page.member, company=company, email=body.email
        )
    except RateLimited as error:
        invite = InviteForm(company_id=company.id, email=email, error=page.problem(error))
        response = await _company_page(page, session, invite=invite, status_code=429)
        response.headers.update(error.headers or {})
        return response
    mail = company_service.fresh_invitation_mail(
        company=company, invitation=invitation, token=token, base_url=base_url
    )
    if mail is not None:
        background.add_task(deliver, notifier, mail)
    notice = page.gettext(
        _INVITED["sent" if mail is not None else "held"],
        email=invitation.email,
        day=_day(page, local_date(invitation.expires_at, PILOT_TIMEZONE)),
        token=token,
    )
    invite = InviteForm(company_id=company.id, notice=notice)
    return await _company_page(page, session, invite=invite)


@router.post("/company/{company_id}/employees/{member_id}/remove")
async def remove_employee(
    page: MemberPageDep, session: DbSession, company_id: str, member_id: str
) -> Response:
    """The API's removal of an employee: their future bookings become private."""
    access = company_access.administered(
        await company_access.visible_company(session, _uuid(company_id), page.member)
    )
    try:
        employee_id = uuid.UUID(member_id)
    except ValueError:
        raise NotFound("No such employee.") from None
    await company_service.remove_employee(
        session, actor=page.member, company=access.company, member_id=employee_id
    )
    return page.redirect("/company?done=removed")
