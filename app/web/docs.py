"""Swagger UI at /docs and ReDoc at /redoc, from the vendored files in static/vendor, so they
work without internet; each page's CSP allows its own inline script by hash, no other origin."""

import base64
import hashlib
import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse

from app import seed
from app.core import clock
from app.web.static import STATIC_URL

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
SWAGGER_UI = f"{STATIC_URL}/vendor/swagger-ui"
REDOC = f"{STATIC_URL}/vendor/redoc"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    """The page with a same-origin CSP that allows exactly its inline scripts (by sha256).
    Swagger UI and ReDoc set styles at run time, and ReDoc runs its search in a blob worker."""
    body = bytes(page.body).decode()
    scripts = ["'self'"] + [
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(body)
    ]
    page.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {' '.join(scripts)}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
    )
    return page


def add_docs_routes(app: FastAPI) -> None:
    """Add /docs, its OAuth2 redirect and /redoc (the app is created without FastAPI's own)."""
    openapi_url = app.openapi_url or "/openapi.json"

    async def swagger_ui_html(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        return _with_policy(
            get_swagger_ui_html(
                openapi_url=root_path + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{root_path}{SWAGGER_UI}/swagger-ui-bundle.js",
                swagger_css_url=f"{root_path}{SWAGGER_UI}/swagger-ui.css",
                swagger_favicon_url=f"{root_path}{SWAGGER_UI}/favicon-32x32.png",
                oauth2_redirect_url=root_path + OAUTH2_REDIRECT_URL,
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters=app.swagger_ui_parameters,
            )
        )

    async def swagger_ui_redirect(request: Request) -> HTMLResponse:
        return _with_policy(get_swagger_ui_oauth2_redirect_html())

    async def redoc_html(request: Request) -> HTMLResponse:
        root_path = request.scope.get("root_path", "").rstrip("/")
        return _with_policy(
            get_redoc_html(
                openapi_url=root_path + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root_path}{REDOC}/redoc.standalone.js",
                redoc_favicon_url=f"{root_path}{SWAGGER_UI}/favicon-32x32.png",
                with_google_fonts=False,
            )
        )

    app.add_route(DOCS_URL, swagger_ui_html, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, swagger_ui_redirect, include_in_schema=False)
    app.add_route(REDOC_URL, redoc_html, include_in_schema=False)


def _booking_example(now: datetime) -> dict[str, str]:
    """Platz 1 of the demo, 10:00–12:00 with the zone's offset, on the first day after today
    that the demo location is open then (tomorrow unless that is a Sunday)."""
    zone = ZoneInfo(seed.DEMO_TIMEZONE)
    open_days = {hours["weekday"] for hours in seed.WEEKDAY_HOURS + seed.SATURDAY_HOURS}
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() not in open_days:
        day += timedelta(days=1)
    start, end = (datetime.combine(day, time(hour), zone) for hour in (10, 12))
    return {
        "desk_id": str(seed.demo_desk_id(seed.DEMO_DESKS[0][0])),
        "start": start.isoformat(),
        "end": end.isoformat(),
    }


_REGISTER_EXAMPLE = {
    "email": "petra.beispiel@example.org",
    "password": "ein sicheres Passwort",
    "full_name": "Petra Beispiel",
    "groups": ["parent", "employee"],
    "home_municipality": "Velten",
    "commute_km": 23,
    "commute_mode": "car",
}


def add_live_examples(app: FastAPI) -> None:
    """Swagger UI's "Try it out" works against the demo as it stands: registration without an
    invitation token, and a booking of a demo desk the next open day, computed whenever the
    OpenAPI document is served (the rest of the document is built once)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        paths = document["paths"]
        for path, example in (
            ("/api/v1/auth/register", _REGISTER_EXAMPLE),
            ("/api/v1/bookings", _booking_example(clock.now())),
        ):
            paths[path]["post"]["requestBody"]["content"]["application/json"]["example"] = example
        return document

    app.openapi = openapi  # type: ignore[method-assign]
