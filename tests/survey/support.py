"""Shared helpers of the survey, interest and rate-limit tests."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import Api

RESPONSES = "/api/v1/survey/responses"
SUMMARY = "/api/v1/survey/summary"
NEEDS_VS_USAGE = "/api/v1/stats/needs-vs-usage"
INTEREST = "/api/v1/interest"


def answer(**overrides: Any) -> dict[str, Any]:
    """A valid survey answer without contact data."""
    body: dict[str, Any] = {
        "home_municipality": "Oranienburg",
        "groups": ["employee"],
        "commute_km": 20,
        "commute_minutes": 35,
        "commute_mode": "car",
        "commute_days_per_week": 5,
        "coworking_days_per_week": 2,
        "needs": ["quiet_space"],
        "price_per_day_eur": 12.5,
        "cooperation_interest": False,
        "wants_trial": True,
    }
    body.update(overrides)
    return body


async def submit(api: Api, **overrides: Any) -> dict[str, Any]:
    response = await api.client.post(RESPONSES, json=answer(**overrides))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@contextlib.asynccontextmanager
async def app_with(
    database_url: str,
    *,
    client: tuple[str, int] = ("127.0.0.1", 123),
    base_url: str = "http://test",
    **overrides: Any,
) -> AsyncIterator[tuple[FastAPI, Api]]:
    """Another app on the test database with other settings (its tables are not emptied:
    take the ``app`` fixture too), seen from the socket peer ``client`` at ``base_url``."""
    application = create_app(make_settings(database_url, **overrides))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False, client=client)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield application, Api(http)


@contextlib.asynccontextmanager
async def peer(application: FastAPI, address: str) -> AsyncIterator[Api]:
    """A client of a running app, seen from the socket peer ``address``."""
    transport = httpx.ASGITransport(
        app=application, raise_app_exceptions=False, client=(address, 4321)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http)
