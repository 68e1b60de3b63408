"""/docs and /redoc work without internet: every asset is ours, and the CSP names no other
origin."""

import base64
import hashlib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core import clock
from app.core.middleware import API_CSP
from tests.survey.support import app_with

# Content types each vendored asset must answer with, by file ending.
ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class _References(HTMLParser):
    """Every ``src`` and ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def _assert_same_origin_policy(policy: str) -> None:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    sources = [source for values in directives.values() for source in values]
    allowed = re.compile(r"'self'|'none'|'unsafe-inline'|'sha256-[A-Za-z0-9+/=]+'|data:|blob:")
    assert [source for source in sources if not allowed.fullmatch(source)] == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
async def test_docs_pages_load_only_same_origin_assets(
    client: httpx.AsyncClient, path: str
) -> None:
    page = await client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    _assert_same_origin_policy(page.headers["content-security-policy"])
    urls = _references(page.text)
    assert urls, "the page references its script"
    assert [url for url in urls if not url.startswith("/static/")] == []
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        expected = next(kind for ending, kind in ASSET_TYPES.items() if url.endswith(ending))
        assert expected in asset.headers["content-type"], url
        assert asset.headers["cache-control"].startswith("public, max-age=")


async def test_swagger_start_up_script_is_allowed_by_its_hash_only(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    policy = page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    [inline] = re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL)
    assert "/openapi.json" in inline
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert "oauth2RedirectUrl" in inline


async def test_oauth2_redirect_page_and_openapi_still_answer(client: httpx.AsyncClient) -> None:
    redirect = await client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200
    assert redirect.headers["content-type"].startswith("text/html")
    _assert_same_origin_policy(redirect.headers["content-security-policy"])
    schema = await client.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/locations" in paths
    assert not any(path.startswith(("/docs", "/redoc", "/static")) for path in paths)


async def test_api_answers_keep_their_strict_policy(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/locations")
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["cache-control"] == "no-store"


async def test_a_missing_static_file_is_a_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/vendor/swagger-ui/nothing.js")
    assert response.status_code == 404


STATIC = Path(__file__).resolve().parents[2] / "app" / "web" / "static"
#: An image, script, style or frame taken from an absolute URL, in markup (``src="https://``),
#: in a bundle's element properties (``src:"https://``) or in CSS (``url(https://``).
_FOREIGN_LOAD = re.compile(r"""(?:\bsrc\s*[:=]\s*|\burl\(\s*)["']?(?:https?:)?//""")


async def test_no_served_file_loads_from_another_origin(client: httpx.AsyncClient) -> None:
    """Every file under /static, as served: none takes an asset from another origin (ReDoc's
    bundle took Redocly's logo from its CDN until it was patched; README, "Offline API docs")."""
    files = [path for path in STATIC.rglob("*") if path.suffix in {".js", ".css", ".html"}]
    assert files

    for path in files:
        response = await client.get(f"/static/{path.relative_to(STATIC).as_posix()}")
        assert response.status_code == 200, path
        assert _FOREIGN_LOAD.findall(response.text) == [], path


@pytest.mark.parametrize(
    ("today", "booked_day"),
    [
        (datetime(2030, 1, 8, 21, 30, tzinfo=UTC), "2030-01-09"),  # a Tuesday: tomorrow
        (datetime(2030, 1, 12, 9, 0, tzinfo=UTC), "2030-01-14"),  # a Saturday: Monday
    ],
)
async def test_swaggers_examples_succeed_against_the_demo(
    app: FastAPI, database_url: str, today: datetime, booked_day: str
) -> None:
    """What "Try it out" sends unchanged: a registration, then a booking of a demo desk."""
    clock.set_now(today)
    async with app_with(database_url, seed_demo=True) as (_demo, api):
        paths = (await api.client.get("/openapi.json")).json()["paths"]

        def example(path: str) -> dict[str, Any]:
            found: dict[str, Any] = paths[path]["post"]["requestBody"]["content"][
                "application/json"
            ]["example"]
            return found

        registration = example("/api/v1/auth/register")
        assert "invitation_token" not in registration
        registered = await api.client.post("/api/v1/auth/register", json=registration)
        assert registered.status_code == 201, registered.text
        member = await api._signed_in(registered.json(), registration["password"])
        booking = example("/api/v1/bookings")
        assert booking["start"] == f"{booked_day}T10:00:00+01:00"
        assert booking["end"] == f"{booked_day}T12:00:00+01:00"
        booked = await api.client.post("/api/v1/bookings", json=booking, headers=member.headers)
        assert booked.status_code == 201, booked.text
        desk = (await api.client.get(f"/api/v1/desks/{booking['desk_id']}")).json()
        assert desk["name"] == "Platz 1"
