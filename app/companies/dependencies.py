"""Fetch a company and decide what the caller may do with it."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.dependencies import CurrentMember
from app.companies import repository
from app.core.db import DbSession
from app.core.enums import CompanyRole, Role
from app.core.errors import Forbidden, NotFound
from app.models import Company, Member


@dataclass(frozen=True)
class CompanyAccess:
    company: Company
    caller: Member
    roles: frozenset[str]

    @property
    def administers(self) -> bool:
        return self.caller.role == Role.OPERATOR or CompanyRole.ADMIN in self.roles


async def visible_company(
    session: AsyncSession, company_id: uuid.UUID, caller: Member
) -> CompanyAccess:
    """Operators and the company's admins and employees see it; everybody else gets 404.
    (Also the web pages' check, app/web/company.py.)"""
    company = await repository.get(session, company_id)
    roles = set() if company is None else await repository.roles_of(session, company_id, caller.id)
    if company is None or (caller.role != Role.OPERATOR and not roles):
        raise NotFound("No such company.")
    return CompanyAccess(company=company, caller=caller, roles=frozenset(roles))


def administered(access: CompanyAccess) -> CompanyAccess:
    """A company admin or an operator; an employee of the company gets 403."""
    if not access.administers:
        raise Forbidden("Only the company's admins and operators may do this.")
    return access


async def _visible_company(
    company_id: uuid.UUID, session: DbSession, caller: CurrentMember
) -> CompanyAccess:
    return await visible_company(session, company_id, caller)


async def _administered_company(
    access: Annotated[CompanyAccess, Depends(_visible_company)],
) -> CompanyAccess:
    return administered(access)


VisibleCompany = Annotated[CompanyAccess, Depends(_visible_company)]
AdministeredCompany = Annotated[CompanyAccess, Depends(_administered_company)]
