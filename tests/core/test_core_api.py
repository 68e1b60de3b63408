"""Cross-cutting behaviour: problem details for every error, limits, health, metrics, OpenAPI."""

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.core.middleware import MAX_BODY_BYTES
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api, assert_problem, local

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def oversized_json() -> bytes:
    return b'{"note": "' + b"x" * MAX_BODY_BYTES + b'"}'


# --- problem details for framework errors -----------------------------------------------


async def test_unknown_route_is_a_not_found_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")

    assert_problem(response, 404, "not-found")


async def test_wrong_method_is_a_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")

    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_body_over_one_mebibyte_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=oversized_json(),
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 413, "payload-too-large")


async def test_streamed_body_over_one_mebibyte_is_refused(client: httpx.AsyncClient) -> None:
    """Without a Content-Length the limit is counted while the body arrives."""

    async def chunks() -> AsyncIterator[bytes]:
        body = oversized_json()
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 413, "payload-too-large")


async def test_body_just_under_the_limit_is_read(client: httpx.AsyncClient) -> None:
    body = b'{"note": "' + b"x" * (MAX_BODY_BYTES - 100) + b'"}'

    response = await client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 422, "validation-error")


async def test_malformed_json_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        content=b'{"email": "a@example.org",',
        headers={"Content-Type": "application/json"},
    )

    body = assert_problem(response, 422, "validation-error")
    assert [error["type"] for error in body["errors"]] == ["json_invalid"]


async def test_naive_datetime_in_a_booking_is_refused(api: Api) -> None:
    location = await api.location()
    desk = await api.desk(location["id"])
    member = await api.member()

    response = await api.book(
        member, desk["id"], "2030-01-08T09:00:00", local("2030-01-08", "12:00")
    )

    body = assert_problem(response, 422, "validation-error")
    assert [error["loc"] for error in body["errors"]] == [["body", "start"]]


async def test_unexpected_exception_is_an_internal_error_without_trace(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: /srv/app/service.py line 42")

    app.add_api_route("/test-only/explode", explode)

    response = await client.get("/test-only/explode")

    assert_problem(response, 500, "internal-error")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"]


# --- request ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("GET", "/api/v1/locations"),
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/nowhere"),
        ("DELETE", "/health"),
        ("POST", "/api/v1/auth/register"),
    ],
)
async def test_every_response_has_a_request_id(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


async def test_a_sane_incoming_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "trace-abc-123"})

    assert response.headers["x-request-id"] == "trace-abc-123"


async def test_an_oversized_incoming_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "x" * 65})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


# --- health and metrics -----------------------------------------------------------------


async def test_health_is_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_ready_answers_503_when_the_database_is_unreachable(tmp_path: str) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path}/missing-folder/nothing.db",
        bootstrap_operator_email=None,
        bootstrap_operator_password=None,
    )
    broken = create_app(settings)
    async with (
        broken.router.lifespan_context(broken),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=broken), base_url="http://t") as c,
    ):
        ready = await c.get("/health/ready")
        alive = await c.get("/health")

    assert_problem(ready, 503, "service-unavailable")
    assert alive.status_code == 200


async def test_metrics_use_route_templates_not_raw_paths(api: Api) -> None:
    operator = await api.operator()
    member_id = str(uuid.uuid4())
    await api.client.get("/api/v1/me", headers=operator.headers)
    await api.client.get(f"/api/v1/members/{member_id}", headers=operator.headers)

    response = await api.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE coworking_http_requests_total counter" in text
    assert 'route="/api/v1/me"' in text
    assert 'route="/api/v1/members/{member_id}"' in text
    assert member_id not in text
    assert not UUID_PATTERN.search(text)


# --- OpenAPI ----------------------------------------------------------------------------


async def test_openapi_describes_every_operation(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    operations = {
        f"{method.upper()} {path}": operation
        for path, item in paths.items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    assert "POST /api/v1/auth/token" in operations
    assert "GET /api/v1/members" in operations
    undescribed = [name for name, op in operations.items() if not op.get("summary")]
    untagged = [name for name, op in operations.items() if not op.get("tags")]
    assert (undescribed, untagged) == ([], [])


async def test_openapi_declares_the_password_flow(client: httpx.AsyncClient) -> None:
    schemes = (await client.get("/openapi.json")).json()["components"]["securitySchemes"]

    flows = [scheme["flows"] for scheme in schemes.values() if scheme["type"] == "oauth2"]
    assert flows == [{"password": {"scopes": {}, "tokenUrl": "/api/v1/auth/token"}}]


async def test_openapi_declares_problem_responses_of_protected_routes(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    responses = paths["/api/v1/members/{member_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(responses)
    assert "application/problem+json" in responses["409"]["content"]
