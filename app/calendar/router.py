from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from pydantic import BaseModel

from app.auth.dependencies import CurrentMember
from app.calendar import service
from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.errors import NotAuthenticated, NotFound, ValidationFailed, problem_responses
from app.core.urls import PublicBaseUrl

router = APIRouter(tags=["calendar"])
ICS_MEDIA_TYPE = "text/calendar"


class CalendarFeedRead(BaseModel):
    url: str


def _feed_url(base: str, token: str) -> CalendarFeedRead:
    return CalendarFeedRead(url=f"{base}/api/v1/calendar/{token}.ics")


@router.get(
    "/me/calendar-feed",
    summary="Your secret calendar URL",
    tags=["me"],
    responses=problem_responses(NotAuthenticated),
)
async def read_calendar_feed(
    member: CurrentMember, session: DbSession, settings: AppSettings, base: PublicBaseUrl
) -> CalendarFeedRead:
    """An iCalendar URL for your calendar app, working without a bearer token: keep it
    secret. The same URL is answered until you rotate or revoke it. It serves your active
    bookings (confirmed or checked in, not yet ended) with the location's address and time
    zone. The URL is built from `COWORKING_PUBLIC_BASE_URL` (from the request's own address
    only in development without it), never from a `Host` header a client chose."""
    token = await service.feed_token(session, settings=settings, member=member)
    return _feed_url(base, token)


@router.post(
    "/me/calendar-feed/rotate",
    summary="Replace your calendar URL",
    tags=["me"],
    responses=problem_responses(NotAuthenticated),
)
async def rotate_calendar_feed(
    member: CurrentMember, session: DbSession, settings: AppSettings, base: PublicBaseUrl
) -> CalendarFeedRead:
    """A new secret URL; the old one stops working at once."""
    token = await service.rotate(session, settings=settings, member=member)
    return _feed_url(base, token)


@router.delete(
    "/me/calendar-feed",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke your calendar URL",
    tags=["me"],
    responses=problem_responses(NotAuthenticated),
)
async def revoke_calendar_feed(member: CurrentMember, session: DbSession) -> None:
    """The URL stops working; `GET /me/calendar-feed` later hands out a new one."""
    await service.revoke(session, member=member)


@router.get(
    "/calendar/{token}.ics",
    summary="A member's bookings as iCalendar (secret URL)",
    response_class=Response,
    responses={
        200: {"content": {ICS_MEDIA_TYPE: {}}, "description": "RFC 5545 iCalendar"},
        **problem_responses(NotFound, ValidationFailed),
    },
)
async def read_calendar(
    token: Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")],
    session: DbSession,
) -> Response:
    """No bearer token: the secret in the URL is the credential. An unknown, rotated or
    revoked token, or a deactivated account, answers 404."""
    member = await service.member_for_token(session, token)
    if member is None:
        raise NotFound("No such calendar.")
    body = await service.render(session, member=member)
    return Response(
        body,
        media_type=f"{ICS_MEDIA_TYPE}; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
