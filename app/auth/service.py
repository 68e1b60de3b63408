"""Logins, token pairs, refresh-token rotation with reuse detection, logout."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.schemas import TokenPair
from app.core import clock
from app.core.config import Settings
from app.core.errors import NotAuthenticated
from app.core.rate_limit import LoginGuard
from app.core.security import decode_token, encode_token, verify_password
from app.members import repository as member_repository
from app.models import Member, RefreshToken

INVALID_CREDENTIALS = "Incorrect email or password."


class RefreshTokenReused(NotAuthenticated):
    """A refresh token came back after it was used: its whole family is revoked (and kept so)."""

    commit = True


class InvalidCredentials(NotAuthenticated):
    """A failed login; its counting towards the rate limit is kept although the request fails."""

    commit = True


async def authenticate(
    session: AsyncSession, *, email: str, password: str, guard: LoginGuard | None = None
) -> Member:
    """The active member with these credentials; the same 401 for every kind of failure.

    With a ``guard``, an account or address that has used up its failed logins answers 429
    whatever the password, a failure counts, and a success resets the account's count.
    """
    if guard is not None:
        await guard.check(email)
    # An address no account can have (a NUL byte, over 254 characters) is simply unknown;
    # PostgreSQL would refuse to even compare it.
    plausible = "\x00" not in email and len(email) <= 254
    member = await member_repository.get_by_email(session, email) if plausible else None
    # verify_password runs the full hash even when the member is unknown (same timing).
    valid = verify_password(password, member.password_hash if member else None)
    if member is None or not valid or not member.active:
        if guard is not None:
            await guard.failed(email)
        raise InvalidCredentials(INVALID_CREDENTIALS)
    if guard is not None:
        await guard.succeeded(email)
    return member


async def issue_pair(
    session: AsyncSession, *, settings: Settings, member: Member, family_id: uuid.UUID | None = None
) -> TokenPair:
    """A new access token and a refresh token of the given family (a new family at login)."""
    access_seconds = settings.access_token_minutes * 60
    access_token, _ = encode_token(
        secret=settings.secret_key,
        subject=member.id,
        token_type="access",
        lifetime_seconds=access_seconds,
    )
    refresh_token, claims = encode_token(
        secret=settings.secret_key,
        subject=member.id,
        token_type="refresh",
        lifetime_seconds=settings.refresh_token_days * 86_400,
        family_id=family_id or uuid.uuid4(),
    )
    assert claims.family_id is not None
    session.add(
        RefreshToken(
            jti=claims.token_id,
            family_id=claims.family_id,
            member_id=member.id,
            expires_at=datetime.fromtimestamp(claims.expires_at, UTC),
        )
    )
    await session.flush()
    return TokenPair(
        access_token=access_token, expires_in=access_seconds, refresh_token=refresh_token
    )


async def _stored_token(
    session: AsyncSession, *, settings: Settings, refresh_token: str
) -> RefreshToken:
    claims = decode_token(refresh_token, secret=settings.secret_key, token_type="refresh")
    if claims is None:
        raise NotAuthenticated("The refresh token is invalid or expired.")
    stored = await session.get(RefreshToken, claims.token_id, with_for_update=True)
    if stored is None or stored.member_id != claims.subject:
        raise NotAuthenticated("The refresh token is invalid or expired.")
    return stored


async def revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


async def refresh(session: AsyncSession, *, settings: Settings, refresh_token: str) -> TokenPair:
    """Rotate: the presented token is spent and a new pair of the same family is issued.

    A token presented twice means it leaked; the family is revoked so the thief's copy and
    the owner's both stop working.
    """
    stored = await _stored_token(session, settings=settings, refresh_token=refresh_token)
    if stored.used_at is not None or stored.revoked_at is not None:
        await revoke_family(session, stored.family_id)
        raise RefreshTokenReused("The refresh token was already used; please sign in again.")
    member = await member_repository.get(session, stored.member_id)
    if member is None or not member.active:
        raise NotAuthenticated("The account is not active.")
    stored.used_at = clock.now()
    return await issue_pair(session, settings=settings, member=member, family_id=stored.family_id)


async def logout(session: AsyncSession, *, settings: Settings, refresh_token: str) -> None:
    stored = await _stored_token(session, settings=settings, refresh_token=refresh_token)
    await revoke_family(session, stored.family_id)
