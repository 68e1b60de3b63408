"""Who is calling: the bearer token's member, read from the database on every request."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.errors import Forbidden, NotAuthenticated
from app.core.security import decode_token
from app.members import repository as member_repository
from app.models import Member

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def current_member(
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Member:
    if not token:
        raise NotAuthenticated("A bearer token is required.")
    claims = decode_token(token, secret=settings.secret_key, token_type="access")
    if claims is None:
        raise NotAuthenticated("The access token is invalid or expired.")
    member = await member_repository.get(session, claims.subject)
    # Deactivated and erased accounts lose access at once, whatever their tokens say.
    if member is None or not member.active or member.email is None:
        raise NotAuthenticated("The account is not active.")
    return member


async def optional_member(
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Member | None:
    """The caller when a token is sent (public routes that show more to operators)."""
    if not token:
        return None
    return await current_member(session, settings, token)


CurrentMember = Annotated[Member, Depends(current_member)]
OptionalMember = Annotated[Member | None, Depends(optional_member)]


async def _operator(member: CurrentMember) -> Member:
    if member.role != "operator":
        raise Forbidden("Only operators may use this endpoint.")
    return member


async def _analyst_or_operator(member: CurrentMember) -> Member:
    if member.role not in ("analyst", "operator"):
        raise Forbidden("Only analysts and operators may use this endpoint.")
    return member


OperatorOnly = Annotated[Member, Depends(_operator)]
AnalystOrOperator = Annotated[Member, Depends(_analyst_or_operator)]
