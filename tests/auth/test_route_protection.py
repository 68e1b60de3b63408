"""Authentication by default: every API route but the public list wants a member."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app import main
from app.auth.dependencies import PUBLIC_OPERATIONS
from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api, assert_problem

API = "/api/v1"
WRITES = {"POST", "PUT", "PATCH"}


def _api_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    """(method, path template, route) of every operation under /api/v1."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format
        if isinstance(route, APIRoute) and path and path.startswith(API):
            for method in sorted(context.methods or ()):
                yield method, path, route


def _filled(path: str, route: APIRoute) -> str:
    """The path with each parameter a value of its type: a random UUID, else a plain token."""
    types: dict[str, Any] = {}

    def collect(dependant: Dependant) -> None:
        types.update((param.name, param.field_info.annotation) for param in dependant.path_params)
        for sub in dependant.dependencies:
            collect(sub)

    collect(route.dependant)

    def value(match: re.Match[str]) -> str:
        return str(uuid.uuid4()) if types.get(match[1]) is uuid.UUID else "a" * 32

    return re.sub(r"\{(\w+)\}", value, path)


async def _anonymous(client: httpx.AsyncClient, method: str, path: str, **extra: Any) -> Any:
    body: dict[str, Any] = {"json": {}} if method in WRITES else {}
    return await client.request(method, path, **body, **extra)


async def test_every_route_outside_the_public_list_refuses_anonymous_callers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    protected = 0
    for method, path, route in _api_routes(app):
        if route.name in PUBLIC_OPERATIONS:
            continue
        response = await _anonymous(client, method, _filled(path, route))
        assert_problem(response, 401, "not-authenticated")
        assert response.headers["www-authenticate"] == "Bearer", (method, path)
        protected += 1
    assert protected > 40


async def test_public_routes_answer_anonymous_callers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The list is exact: each entry names a route, and none of them asks for a member."""
    routes = {route.name: (method, path, route) for method, path, route in _api_routes(app)}
    assert routes.keys() >= PUBLIC_OPERATIONS
    for name in PUBLIC_OPERATIONS:
        method, path, route = routes[name]
        response = await _anonymous(client, method, _filled(path, route))
        assert response.status_code != 401, (name, response.text)


async def test_openapi_marks_every_protected_operation_secured(app: FastAPI) -> None:
    operations = [
        operation
        for path, item in app.openapi()["paths"].items()
        if path.startswith(API)
        for operation in item.values()
    ]
    for operation in operations:
        if operation["operationId"] not in PUBLIC_OPERATIONS:
            assert operation.get("security"), operation["operationId"]


async def test_a_bad_token_is_refused_by_protected_routes_only(api: Api) -> None:
    stale = {"Authorization": "Bearer not-a-token"}
    assert_problem(await api.client.get(f"{API}/me", headers=stale), 401, "not-authenticated")
    # A public route without a member of its own ignores the token, as it always did.
    response = await api.client.get(f"{API}/locations", headers=stale)
    assert response.status_code == 200, response.text


async def test_a_new_route_without_a_member_dependency_is_protected(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unguarded = APIRouter()

    @unguarded.get("/unguarded-probe")
    async def read_unguarded_probe() -> dict[str, str]:
        return {"secret": "nobody should see this anonymously"}

    monkeypatch.setattr(main, "API_ROUTERS", (*main.API_ROUTERS, unguarded))
    application = create_app(make_settings(database_url))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            anonymous = await client.get(f"{API}/unguarded-probe")
            operator = await Api(client).operator()
            signed_in = await client.get(f"{API}/unguarded-probe", headers=operator.headers)
    assert_problem(anonymous, 401, "not-authenticated")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert signed_in.status_code == 200
