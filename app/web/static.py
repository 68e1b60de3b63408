"""The web app's static files (styles, vendored scripts), served by the app itself."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def mount_static(app: FastAPI) -> None:
    """Serve ``app/web/static`` at ``/static`` (route name ``static``)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
