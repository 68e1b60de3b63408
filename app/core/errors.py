"""Typed errors and their rendering as RFC 9457 problem details."""

from datetime import date, datetime
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://ohv-coworking.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

log = structlog.get_logger(__name__)


def _api_text(value: object) -> str:
    """A value of a detail as the API writes it: instants and dates in ISO 8601."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class AppError(Exception):
    """An expected failure: status, problem slug and a human detail.

    A detail with figures is a template with ``{name}`` fields and the values beside it
    (``Conflict("Check-in opens at {opens}.", opens=instant)``): the API writes the values
    into it (instants in ISO 8601), a page translates the template from the web catalogue
    (``pybabel extract`` collects these templates, see the README) and writes the values in
    its own language and time zone.
    """

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None
    #: keep the request's database changes although the request fails
    commit: bool = False

    def __init__(self, detail: str | None = None, /, **values: object) -> None:
        self.template = detail or self.title
        self.values = values
        self.detail = (
            self.template.format(**{name: _api_text(v) for name, v in values.items()})
            if values
            else self.template
        )
        super().__init__(self.detail)


class ValidationFailed(AppError):
    status, slug, title = 422, "validation-error", "The request is not valid"


class OutsideOpeningHours(AppError):
    status, slug, title = 422, "outside-opening-hours", "Outside the opening hours"


class IdempotencyKeyReused(AppError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency key reused"


class NotAuthenticated(AppError):
    status, slug, title = 401, "not-authenticated", "Not authenticated"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class BookingConflict(AppError):
    status, slug, title = 409, "booking-conflict", "The desk is already booked"


class MemberDoubleBooked(AppError):
    status, slug, title = 409, "member-double-booked", "You already hold a workplace then"


class CompanySeatsExhausted(AppError):
    status, slug, title = 409, "company-seats-exhausted", "All company seats are taken"


class RateLimited(AppError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(
        self, detail: str | None = None, /, *, retry_after: int = 60, **values: object
    ) -> None:
        super().__init__(detail, **values)
        self.headers = {"Retry-After": str(retry_after)}


class ServiceUnavailable(AppError):
    status, slug, title = 503, "service-unavailable", "The service is unavailable"
    headers = {"Retry-After": "5"}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


def problem_responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for the given errors, so every route declares what it may answer."""
    responses: dict[int | str, dict[str, Any]] = {}
    for error in errors:
        described = responses.get(error.status)
        slugs = f"{described['description']}, `{error.slug}`" if described else f"`{error.slug}`"
        responses[error.status] = {
            "description": slugs,
            "model": Problem,
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return responses


_HTTP_SLUGS = {
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "rate-limited",
    503: "service-unavailable",
}


def _clean_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": error["type"]}
        for error in exc.errors()
    ]


async def app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers)


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_errors(exc)
    first = errors[0] if errors else None
    detail = (
        f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"
        if first
        else "The request is not valid"
    )
    return problem_response(
        422, "validation-error", "The request is not valid", detail, errors=errors
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode (not UTF-8, a broken form): the same client
        # error as malformed JSON, which it answers 422 itself.
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            "body: the request body could not be parsed",
            errors=[{"loc": ["body"], "msg": "could not be parsed", "type": "body_unparsable"}],
        )
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    slug = _HTTP_SLUGS.get(exc.status_code, "internal-error" if exc.status_code >= 500 else "error")
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem_response(exc.status_code, slug, phrase, detail, headers=headers)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database_unavailable", error=type(exc).__name__, path=request.url.path)
    error = ServiceUnavailable("The database cannot be reached right now; try again shortly.")
    return problem_response(
        error.status, error.slug, error.title, error.detail, headers=error.headers
    )


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The 500 problem; the exception and its trace go to the log, never into the answer."""
    log.exception("unhandled_error", path=request.url.path, error=type(exc).__name__)
    return problem_response(
        500, "internal-error", "Internal server error", "An unexpected error occurred."
    )


#: SQLSTATEs of a database that is down, shutting down, starting up or full: connection
#: exceptions (class 08), admin/crash shutdown, "cannot connect now", too many connections;
#: and transaction rollbacks (class 40: deadlock, serialisation failure), which a retry
#: resolves — 503 with Retry-After says exactly that.
#: asyncpg's errors carry them, and SQLAlchemy wraps most of them in a plain ``DBAPIError``.
_UNAVAILABLE_SQLSTATES = ("08", "40", "57P01", "57P02", "57P03", "53300")


def _is_connection_error(exc: DBAPIError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return (
        bool(exc.connection_invalidated)
        or isinstance(exc, OperationalError)
        or (isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATES))
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if _is_connection_error(exc):
        return await _database_unavailable(request, exc)
    return await unexpected_error(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(OSError, _database_unavailable)
    # The optional Redis rate-limit store being away is an outage too, not a bug.
    app.add_exception_handler(RedisError, _database_unavailable)
    app.add_exception_handler(PoolTimeout, _database_unavailable)
    app.add_exception_handler(Exception, unexpected_error)
