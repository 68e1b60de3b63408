"""The absolute base of the URLs the service hands out (calendar feed, e-mail links)."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.dependencies import AppSettings


async def _public_base_url(request: Request, settings: AppSettings) -> str:
    """``COWORKING_PUBLIC_BASE_URL`` whenever it is set (always in production); only without
    it, in development and tests, the request's own base (its ``Host`` header)."""
    if settings.public_base_url:
        return settings.public_base_url
    return str(request.base_url).rstrip("/")


#: The base without a trailing slash: append ``/api/v1/...``.
PublicBaseUrl = Annotated[str, Depends(_public_base_url)]
