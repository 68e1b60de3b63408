"""Who is calling: the bearer token's member, read from the database on every request."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.enums import Role
from app.core.errors import Forbidden, NotAuthenticated
from app.core.security import decode_token
from app.members import repository as member_repository
from app.models import Member

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def _bearer_member(
    request: Request, session: DbSession, settings: AppSettings, token: str
) -> Member:
    # Read once a request: the routers' gate and the route's own dependency both ask.
    cached: Member | None = getattr(request.state, "bearer_member", None)
    if cached is not None:
        return cached
    claims = decode_token(token, secret=settings.secret_key, token_type="access")
    if claims is None:
        raise NotAuthenticated("The access token is invalid or expired.")
    member = await member_repository.get(session, claims.subject)
    # Deactivated and erased accounts lose access at once, whatever their tokens say.
    if member is None or not member.active or member.email is None:
        raise NotAuthenticated("The account is not active.")
    request.state.bearer_member = member
    return member


async def current_member(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Member:
    if not token:
        raise NotAuthenticated("A bearer token is required.")
    return await _bearer_member(request, session, settings, token)


async def optional_member(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Member | None:
    """The caller when a token is sent (public routes that show more to operators)."""
    if not token:
        return None
    return await _bearer_member(request, session, settings, token)


CurrentMember = Annotated[Member, Depends(current_member)]
OptionalMember = Annotated[Member | None, Depends(optional_member)]


async def _operator(member: CurrentMember) -> Member:
    if member.role != Role.OPERATOR:
        raise Forbidden("Only operators may use this endpoint.")
    return member


async def _analyst_or_operator(member: CurrentMember) -> Member:
    if member.role not in (Role.ANALYST, Role.OPERATOR):
        raise Forbidden("Only analysts and operators may use this endpoint.")
    return member


OperatorOnly = Annotated[Member, Depends(_operator)]
AnalystOrOperator = Annotated[Member, Depends(_analyst_or_operator)]

#: The only operations an anonymous caller may use (by operationId, the route function's
#: name); every other route of the API answers 401 without a valid bearer token.
PUBLIC_OPERATIONS = frozenset(
    {
        "register",
        "create_token",
        "refresh_token",
        "logout",
        "list_locations",
        "read_location",
        "list_closures",
        "list_desks",
        "read_desk",
        "read_desk_schedule",
        "list_available_desks",
        "read_calendar",
        "submit_survey_response",
        "register_interest",
        "list_plans",
        "read_plan",
        "read_default_plan",
    }
)


async def member_unless_public(request: Request, session: DbSession, settings: AppSettings) -> None:
    """The API routers' gate: a member is required unless the route is in
    ``PUBLIC_OPERATIONS``, so a new route is protected unless it is listed there. Public
    routes are left alone (a stale token sent to them is theirs to judge)."""
    if getattr(request.scope.get("route"), "name", None) in PUBLIC_OPERATIONS:
        return
    # The token read by hand: as a dependency it would mark public operations as secured.
    await current_member(request, session, settings, await oauth2_scheme(request))
