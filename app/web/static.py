"""The app's own static files (``app/web/static``), served at ``/static``."""

from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIRECTORY = Path(__file__).parent / "static"
STATIC_URL = "/static"
# A day: the files change only with a release, and a stale day of them breaks nothing.
STATIC_CACHE_CONTROL = "public, max-age=86400"


class CachedStaticFiles(StaticFiles):
    """Static files that may be cached (the security middleware marks all else ``no-store``)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in {200, 304}:
            response.headers["Cache-Control"] = STATIC_CACHE_CONTROL
        return response


def mount_static(app: FastAPI) -> None:
    """Serve ``app/web/static`` at ``/static`` (called once by ``create_app``)."""
    app.mount(STATIC_URL, CachedStaticFiles(directory=STATIC_DIRECTORY), name="static")
