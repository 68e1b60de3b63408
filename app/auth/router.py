from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.schemas import RefreshRequest, TokenPair
from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.errors import (
    Conflict,
    NotAuthenticated,
    RateLimited,
    ValidationFailed,
    problem_responses,
)
from app.core.rate_limit import LoginLimit, public_form_limit
from app.members import service as member_service
from app.members.schemas import MemberRead, RegisterRequest

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Register as a pilot member",
    responses=problem_responses(Conflict, ValidationFailed, RateLimited),
    dependencies=[Depends(public_form_limit("register"))],
)
async def register(body: RegisterRequest, session: DbSession) -> MemberRead:
    """Create an account. Emails are case-insensitive; a taken email answers 409 `conflict`.

    With `invitation_token`, the new member joins the inviting company as an employee; an
    invalid token answers 422 and creates no account.

    Rate-limited per client address (`COWORKING_RATE_LIMIT_PUBLIC_FORMS`, every attempt
    counts): 429 `rate-limited` with `Retry-After`.
    """
    member = await member_service.register(session, request=body)
    return MemberRead.model_validate(member)


@router.post(
    "/token",
    summary="Sign in (OAuth2 password flow)",
    responses=problem_responses(NotAuthenticated, ValidationFailed, RateLimited),
)
async def create_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: DbSession,
    settings: AppSettings,
    guard: LoginLimit,
) -> TokenPair:
    """`username` is the email. Unknown email and wrong password answer the same 401.

    Failed sign-ins are limited per account (`COWORKING_RATE_LIMIT_LOGIN`, default 5 per
    minute) and per client address (ten times that). Once a limit is reached every sign-in
    for that account or from that address answers 429 `rate-limited` with `Retry-After`
    until the window ends, even with the right password; a successful sign-in resets the
    account's count.
    """
    member = await service.authenticate(
        session, email=form.username, password=form.password, guard=guard
    )
    return await service.issue_pair(session, settings=settings, member=member)


@router.post(
    "/refresh",
    summary="Exchange a refresh token for a new pair",
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)
async def refresh_token(
    body: RefreshRequest, session: DbSession, settings: AppSettings
) -> TokenPair:
    """Refresh tokens rotate: each works once. A reused one answers 401 and revokes every
    token of its login (its family)."""
    return await service.refresh(session, settings=settings, refresh_token=body.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Sign out (revoke the refresh token's family)",
    responses=problem_responses(NotAuthenticated, ValidationFailed),
)
async def logout(body: RefreshRequest, session: DbSession, settings: AppSettings) -> None:
    await service.logout(session, settings=settings, refresh_token=body.refresh_token)
