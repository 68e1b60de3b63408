"""Security headers, CORS and the request id on every answer."""

import json

import httpx
import pytest
import structlog

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api


async def test_security_headers_on_every_answer(api: Api) -> None:
    response = await api.client.get("/api/v1/locations")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    docs = await api.client.get("/docs")
    assert docs.headers["content-security-policy"].startswith("default-src 'self'")


def test_log_lines_never_carry_emails_tokens_or_passwords(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = structlog.get_logger("test")
    log.warning(
        "login_failed",
        email="erika@example.org",
        password="hunter2hunter2",
        detail="user erika@example.org sent eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        refresh_token="abc",
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["email"] == "[redacted]"
    assert line["password"] == "[redacted]"
    assert line["refresh_token"] == "[redacted]"
    assert line["detail"] == "user [redacted-email] sent [redacted-token]"


async def test_every_answer_has_a_request_id_and_the_log_line_too(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await api.client.get("/api/v1/locations", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    [access] = [line for line in lines if line.get("route") == "/api/v1/locations"]
    assert access["request_id"] == "abc-123"
    assert access["status"] == 200


async def test_cors_allows_only_the_configured_origins(database_url: str) -> None:
    app = create_app(make_settings(database_url, cors_origins="https://buchen.ohv.example"))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
    ):
        preflight = {"Access-Control-Request-Method": "POST"}
        allowed = await client.options(
            "/api/v1/bookings", headers={"Origin": "https://buchen.ohv.example", **preflight}
        )
        refused = await client.options(
            "/api/v1/bookings", headers={"Origin": "https://evil.example", **preflight}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://buchen.ohv.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_no_cors_headers_without_configured_origins(api: Api) -> None:
    response = await api.client.get(
        "/api/v1/locations", headers={"Origin": "https://buchen.ohv.example"}
    )
    assert "access-control-allow-origin" not in response.headers
