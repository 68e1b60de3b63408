"""CSRF tokens for the web app's forms (signed double submit).

A browser gets a random value in the ``csrf`` cookie (``HttpOnly``, ``SameSite=Lax``); every
form that changes something carries ``csrf_token`` = HMAC(secret key, that value). A POST whose
field does not match its cookie's signature is refused (403). Another site can neither read
the cookie nor forge the signature, and a value planted in the cookie is useless without the
key. Signing in and out draws a new cookie, so a form from before does not outlive the change.
"""

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from app.core.config import Settings

COOKIE = "csrf"
FIELD = "csrf_token"
#: The cookie lives as long as a session can: a form left open for days still posts.
_MAX_AGE = 14 * 24 * 60 * 60


def _sign(value: str, settings: Settings) -> str:
    return hmac.new(
        settings.secret_key.encode(), f"csrf|{value}".encode(), hashlib.sha256
    ).hexdigest()


def _browser_value(request: Request) -> str:
    """This browser's cookie value, or a new one that the answer will set (:func:`keep`)."""
    value: str | None = getattr(request.state, "csrf_value", None)
    if value is None:
        cookie = request.cookies.get(COOKIE)
        if cookie and 20 <= len(cookie) <= 128:
            value = cookie
        else:
            value = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_value = value
    return value


def token(request: Request, settings: Settings) -> str:
    """The token the page's forms carry in ``csrf_token``."""
    return _sign(_browser_value(request), settings)


def renew(request: Request) -> None:
    """Draw a new cookie value for this answer (sign-in, sign-out)."""
    request.state.csrf_value = secrets.token_urlsafe(32)
    request.state.csrf_new = True


def keep(request: Request, response: Response, settings: Settings) -> None:
    """Set the cookie on ``response`` when this request drew a new value."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            COOKIE,
            request.state.csrf_value,
            max_age=_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.env == "production",
            path="/",
        )


def valid(request: Request, submitted: object, settings: Settings) -> bool:
    cookie = request.cookies.get(COOKIE)
    if not cookie or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(_sign(cookie, settings), submitted)
