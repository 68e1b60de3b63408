"""Pure ASGI middleware: request ids, security headers, the header and body size limits,
metrics and the access log."""

import time
import uuid
from collections import OrderedDict
from typing import Any

import structlog
from fastapi.routing import iter_route_contexts
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem_response, unexpected_error

MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
ROUTE_TEMPLATES_REMEMBERED = 1024

log = structlog.get_logger("app.access")

# JSON answers need no resources at all; a page that does sets its own policy (app.web.docs).
API_CSP = "default-src 'none'; frame-ancestors 'none'"
#: The web app's pages (app/web): everything from our own origin, nothing framed or posted away.
PAGE_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

REQUESTS = Counter("coworking_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "coworking_http_request_duration_seconds", "HTTP request latency", ["method", "route"]
)


class RequestIdMiddleware:
    """Every response carries ``X-Request-ID`` (the caller's, if sane, or a new one), and every
    log line of the request is bound to it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isascii() else None
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            # Starlette would answer an unexpected error outside every middleware, without
            # the id; answer (and log) it here instead.
            if started:
                raise
            response = await unexpected_error(Request(scope), error)
            await response(scope, receive, send_with_id)


class SecurityHeadersMiddleware:
    """No sniffing, no framing, no referrer, a strict CSP; no caching of personal answers.

    A header the response already carries is kept (pages send ``PAGE_CSP``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name, value)
                    for name, value in (
                        (b"x-content-type-options", b"nosniff"),
                        (b"x-frame-options", b"DENY"),
                        (b"referrer-policy", b"no-referrer"),
                        (b"content-security-policy", API_CSP.encode()),
                        (b"cache-control", b"no-store"),
                    )
                    if name not in present
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(HTTPException):
    """Raised while a body arrives. FastAPI passes HTTP exceptions from body parsing on to the
    error handlers, which render this one as the 413 problem."""

    def __init__(self) -> None:
        super().__init__(413, "Request bodies are limited to 1 MiB.")


class RequestSizeLimitMiddleware:
    """A request line and headers of more than 16 KiB together are refused with 431; bodies
    over 1 MiB with 413, whether or not they announce their length.

    uvicorn's h11 limit (``--h11-max-incomplete-event-size``) only counts a head that is still
    arriving; one that arrives whole in a single read passes it, so the head is counted here.
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, max_head_bytes: int = MAX_HEADER_BYTES
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_head_bytes = max_head_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = len(scope.get("raw_path") or scope["path"].encode()) + len(scope["query_string"])
        head += sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if head > self.max_head_bytes:
            response = problem_response(
                431,
                "header-fields-too-large",
                "Request Header Fields Too Large",
                "The request line and headers are limited to 16 KiB.",
            )
            await response(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, "payload-too-large", "Content Too Large", "Request bodies are limited to 1 MiB."
        )
        await response(scope, receive, send)


class MetricsMiddleware:
    """Request counts, latencies and the access log, by route template: never the raw path,
    so ids and the calendar feed's secret token stay out of metrics and logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The app's routes flattened once (``iter_route_contexts`` costs milliseconds a call);
        # kept on this instance, so it lives and dies with its app.
        self._routes: tuple[list[Any], int, list[Any]] | None = None
        # The template of recently requested (method, root path, path)s: matching a path
        # against every route costs more than the rest of this middleware. Emptied whenever
        # the routes change; bounded, since a path carries ids.
        self._templates: OrderedDict[tuple[str, str, str], str] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._route_template(scope)
        status = 500
        started = time.perf_counter()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            elapsed = time.perf_counter() - started
            LATENCY.labels(scope["method"], route).observe(elapsed)
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            log.info(
                "request",
                method=scope["method"],
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )

    def _route_template(self, scope: Scope) -> str:
        """The path template of the matching route, e.g. ``/api/v1/members/{member_id}``.

        ``iter_route_contexts`` flattens the routers that ``include_router`` nests.
        """
        routes = self._flat_routes(getattr(scope.get("app"), "routes", []))
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        template = self._templates.get(key)
        if template is not None:
            self._templates.move_to_end(key)
            return template
        template = "unmatched"
        for route in routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                template = str(route.path_format or "unmatched")
                break
        self._templates[key] = template
        if len(self._templates) > ROUTE_TEMPLATES_REMEMBERED:
            self._templates.popitem(last=False)
        return template

    def _flat_routes(self, routes: list[Any]) -> list[Any]:
        cached = self._routes
        if cached is None or cached[0] is not routes or cached[1] != len(routes):
            cached = (routes, len(routes), list(iter_route_contexts(routes)))
            self._routes = cached
            self._templates.clear()
        return cached[2]
