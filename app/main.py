"""The ASGI app: ``app.main:app``."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from fastapi import Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app import seed
from app.audit.router import router as audit_router
from app.auth.dependencies import member_unless_public
from app.auth.router import router as auth_router
from app.bookings import repository as booking_repository
from app.bookings.router import me_router as my_bookings_router
from app.bookings.router import router as bookings_router
from app.calendar.router import router as calendar_router
from app.companies.router import invitations_router
from app.companies.router import router as companies_router
from app.core import clock
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.dependencies import refuse_nul_characters
from app.core.errors import ServiceUnavailable, install_error_handlers, problem_responses
from app.core.logging import configure_logging
from app.core.middleware import (
    MetricsMiddleware,
    RequestIdMiddleware,
    RequestSizeLimitMiddleware,
    SecurityHeadersMiddleware,
)
from app.core.rate_limit import RateLimiter
from app.core.security import use_cheap_hashing_for_tests
from app.desks.router import router as desks_router
from app.interest.router import router as interest_router
from app.locations.router import router as locations_router
from app.members.router import me_router, members_router
from app.plans.router import locations_router as location_plans_router
from app.plans.router import me_router as my_memberships_router
from app.plans.router import router as plans_router
from app.privacy.router import router as privacy_router
from app.stats import rollup
from app.stats.router import router as stats_router
from app.survey.router import router as survey_router
from app.survey.router import stats_router as needs_vs_usage_router
from app.web.docs import add_docs_routes, add_live_examples
from app.web.routes import include_pages
from app.web.static import mount_static

log = structlog.get_logger(__name__)

#: Every router of /api/v1, each behind the member gate (``PUBLIC_OPERATIONS`` are open).
API_ROUTERS = (
    auth_router,
    me_router,
    my_bookings_router,
    members_router,
    locations_router,
    desks_router,
    bookings_router,
    calendar_router,
    privacy_router,
    audit_router,
    survey_router,
    needs_vs_usage_router,
    interest_router,
    companies_router,
    invitations_router,
    plans_router,
    location_plans_router,
    my_memberships_router,
    stats_router,
)

API_DESCRIPTION = """
Back end of the O-H-V coworking pilot (Oranienburg, Hennigsdorf, Velten).

* Times are ISO 8601 with an offset; answers are in UTC. Dates and opening hours are local to
  the location's time zone.
* Errors are RFC 9457 problem details (`application/problem+json`).
* Lists take `limit` (1–200, default 50) and `offset` and answer `{items, total, limit, offset}`.
* Use **Authorize** with your email and password (OAuth2 password flow).
"""


async def _persist_status_changes(database: Database, interval: float) -> None:
    """Periodically store no-shows and completions (reads are right without it)."""
    while True:
        await asyncio.sleep(interval)
        try:
            async with database.write_sessions.begin() as session:
                changed = await booking_repository.settle(session, now=clock.now())
            if changed:
                log.info("booking_statuses_settled", bookings=changed)
        except Exception as error:  # the job must outlive a database outage
            log.warning("booking_status_job_failed", error=type(error).__name__)


async def _refresh_statistics(database: Database, interval: int) -> None:
    """Keep the statistics rollup up to date: now, then every ``interval`` seconds (0: drop
    it once and stop)."""
    while True:
        try:
            sealed = await rollup.refresh(database, clock.now(), enabled=interval > 0)
            if sealed:
                log.info("statistics_rollup_refreshed", locations=sealed)
        except Exception as error:  # the job must outlive a database outage
            log.warning("statistics_rollup_failed", error=type(error).__name__)
        if interval <= 0:
            return
        await asyncio.sleep(interval)


async def _start_up(database: Database, settings: Settings) -> None:
    async with database.write_sessions.begin() as session:
        await seed.ensure_bootstrap_operator(session, settings)
    if settings.seed_demo:
        async with database.write_sessions.begin() as session:
            if await seed.seed_demo(session):
                log.info("demo_seeded")


def _operation_id(route: APIRoute) -> str:
    """The route function's name (``create_booking``), unique across the API (tested)."""
    return route.name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()
    if settings.env == "test":
        use_cheap_hashing_for_tests()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings)
        app.state.database = database
        await _start_up(database, settings)
        jobs = [
            asyncio.create_task(
                _persist_status_changes(database, settings.status_job_interval_seconds)
            ),
            asyncio.create_task(
                _refresh_statistics(database, settings.stats_rollup_interval_seconds)
            ),
        ]
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            for job in jobs:
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            await database.dispose()
            await app.state.rate_limiter.close()

    app = FastAPI(
        title="OHV Coworking API",
        version="0.1.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul_characters)],
        generate_unique_id_function=_operation_id,
        # Served by app.web.docs from our own files, not FastAPI's CDN links.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings)
    install_error_handlers(app)
    app.add_middleware(RequestSizeLimitMiddleware)
    app.add_middleware(MetricsMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestIdMiddleware)
    # Outermost, so even an answer to an unexpected error carries the headers.
    app.add_middleware(SecurityHeadersMiddleware)

    for router in API_ROUTERS:
        # Protected by default: the gate lets anonymous callers through to public routes only.
        app.include_router(router, prefix="/api/v1", dependencies=[Depends(member_unless_public)])
    mount_static(app)
    _add_operational_routes(app)
    add_docs_routes(app)
    add_live_examples(app)
    # The web app's pages, outside /api and its member gate (app/web/routes.py).
    include_pages(app)
    return app


def _add_operational_routes(app: FastAPI) -> None:
    @app.get("/health", tags=["operations"], summary="Liveness")
    async def read_health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        tags=["operations"],
        summary="Readiness: the database answers",
        responses=problem_responses(ServiceUnavailable),
    )
    async def read_readiness(request: Request) -> JSONResponse:
        database: Database = request.app.state.database
        try:
            async with asyncio.timeout(5), database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            raise ServiceUnavailable("The database is not reachable.") from error
        return JSONResponse({"status": "ok", "database": "ok"})

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    async def read_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


app = create_app()
