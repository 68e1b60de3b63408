"""Web sessions: a signed-in browser, remembered by a random id in a cookie.

The cookie holds 256 random bits; the database keeps only their SHA-256 (``web_sessions``),
so a copy of the table cannot be replayed. A session ends when its member signs out, after
14 days unused, on erasure and on a password change made elsewhere (:func:`end_all`), and as
soon as its member is deactivated (:func:`resolve` refuses inactive and erased members).
"""

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Response
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.config import Settings
from app.models import Member, WebSession

COOKIE = "session"
IDLE = timedelta(days=14)
#: A session's ``last_seen_at`` is written at most this often (not on every page).
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Found:
    member_id: uuid.UUID
    #: The SHA-256 of the cookie's id: how the session is named everywhere but the cookie.
    id_hash: str


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def start(session: AsyncSession, *, member: Member) -> str:
    """A new session of ``member``; the answer is the cookie's value (shown nowhere else)."""
    session_id = secrets.token_urlsafe(32)
    session.add(WebSession(id_hash=hash_id(session_id), member_id=member.id))
    await session.flush()
    return session_id


async def resolve(session: AsyncSession, session_id: str | None) -> Found | None:
    """The stored session of a cookie, or None when it is unknown or idle for 14 days.
    Using a session keeps it alive. (Whether its member is still active is the caller's
    question: the web layer loads the member and refuses inactive or erased ones.)"""
    if not session_id or len(session_id) > 128:
        return None
    id_hash = hash_id(session_id)
    stored = await session.get(WebSession, id_hash)
    now = clock.now()
    if stored is None:
        return None
    if now - stored.last_seen_at >= IDLE:
        await session.delete(stored)
        return None
    if now - stored.last_seen_at >= _TOUCH_EVERY:
        stored.last_seen_at = now
    return Found(member_id=stored.member_id, id_hash=id_hash)


async def end(session: AsyncSession, *, id_hash: str) -> None:
    """Sign one browser out."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == id_hash))


async def end_all(
    session: AsyncSession, *, member_id: uuid.UUID, keep_id_hash: str | None = None
) -> None:
    """End every web session of a member (erasure, password change), except ``keep_id_hash``:
    the browser that changed the password stays signed in."""
    statement = delete(WebSession).where(WebSession.member_id == member_id)
    if keep_id_hash is not None:
        statement = statement.where(WebSession.id_hash != keep_id_hash)
    await session.execute(statement)


def set_cookie(response: Response, session_id: str, *, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(IDLE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.env == "production",
        path="/",
    )


def clear_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=settings.env == "production", path="/"
    )
