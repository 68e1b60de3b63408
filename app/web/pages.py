"""Rendering a page: who is visiting, the locale it is in, its templates, and the headers and
cookies every page answer carries.

Every page route takes one dependency, :data:`PageDep` (anyone) or :data:`MemberPageDep`
(signed in, else 303 to ``/login?next=...``), and answers with ``page.render(...)`` or
``page.redirect(...)``. Routes are declared on routers with ``route_class=PageRoute``, whose
errors are rendered as pages (app/web/errors.py) and whose POSTs must carry the CSRF token.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.core import clock, csrf, i18n, sessions
from app.core.config import Settings
from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.enums import BookingStatus, Role
from app.core.errors import AppError, Forbidden
from app.core.middleware import PAGE_CSP
from app.members import repository as member_repository
from app.models import Member
from app.web import labels

#: The zone of refusals that name no location (the pilot's, Oranienburg's).
PILOT_TIMEZONE = "Europe/Berlin"
TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
)
#: Each language's own name for itself, for the language switch.
_ENDONYMS = {locale: Locale.parse(locale).get_display_name(locale) for locale in i18n.LOCALES}


class PageRoute(APIRoute):
    """A route that answers with HTML: its errors become pages, its POSTs need the CSRF
    token (see app/web/errors.py and :func:`require_csrf`)."""

    renders_pages = True


class LoginRequired(Exception):
    """A member page without a session: answered 303 to the sign-in form, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRejected(Forbidden):
    """A form posted without this browser's CSRF token."""

    def __init__(self) -> None:
        super().__init__("The form has expired. Please reload the page and try again.")


@dataclass(frozen=True)
class Visitor:
    """Who is looking: a signed-in member (and their session) or nobody."""

    member: Member | None = None
    #: The SHA-256 of the session's id (sign-out, "all sessions but this one").
    session_hash: str | None = None
    #: The member's role when the visit began: an error page after a rolled-back
    #: transaction may not read the (then expired) member again.
    role: Role | None = None


def safe_next(target: str | None, default: str = "/book") -> str:
    """``target`` when it is a path of this site, else ``default`` (no open redirect)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith(("//", "/\\"))
        or any(character in target for character in "\r\n\\\x00")
        or len(target) > 2000
    ):
        return default
    return target


async def _visitor(request: Request, session: DbSession) -> Visitor:
    found = await sessions.resolve(session, request.cookies.get(sessions.COOKIE))
    if found is None:
        return Visitor()
    member = await member_repository.get(session, found.member_id)
    # Deactivated and erased accounts are signed out at once, like their API tokens.
    if member is None or not member.active or member.email is None:
        return Visitor()
    return Visitor(member=member, session_hash=found.id_hash, role=Role(member.role))


@dataclass
class Page:
    """One page answer in the making: the request, its locale and its visitor."""

    request: Request
    settings: Settings
    locale: str
    visitor: Visitor
    #: Cookies the answer must set or clear, whatever it turns out to be.
    _session_cookie: str | None = field(default=None, repr=False)
    _end_session_cookie: bool = field(default=False, repr=False)

    @property
    def member(self) -> Member:
        """The signed-in member (only on member pages, :data:`MemberPageDep`)."""
        assert self.visitor.member is not None
        return self.visitor.member

    def gettext(self, message: str, **values: object) -> str:
        text = i18n.translations(self.locale).gettext(message)
        return text.format(**values) if values else text

    def options(self, labels: Mapping[str, str]) -> list[tuple[str, str]]:
        """``(value, label in the page's language)`` pairs for a select or choices."""
        return [(str(value), self.gettext(label)) for value, label in labels.items()]

    def local_value(self, value: object, timezone: str) -> str:
        """A value shown on the page: instants as ``HH:MM`` in ``timezone`` (with the date
        when it is not today there), dates in the locale's form, states by their label."""
        if isinstance(value, datetime):
            today = clock.now().astimezone(ZoneInfo(timezone)).date()
            time = i18n.format_time(value, timezone)
            day = value.astimezone(ZoneInfo(timezone)).date()
            return time if day == today else f"{i18n.format_short_day(day, self.locale)} {time}"
        if isinstance(value, date):
            return i18n.format_short_day(value, self.locale)
        if isinstance(value, BookingStatus):
            return self.gettext(labels.BOOKING_STATUSES[value])
        return str(value)

    def problem(self, error: AppError, *, timezone: str = PILOT_TIMEZONE) -> str:
        """A service's refusal as a sentence in the page's language: its detail (template and
        values, see :class:`AppError`) when the catalogue knows it, else the problem's title
        translated with the detail after it. Instants are shown in ``timezone``."""
        translated = self.gettext(error.template)
        if translated == error.template and self.locale != "en":
            return f"{self.gettext(error.title)}: {error.detail}"
        values = {name: self.local_value(v, timezone) for name, v in error.values.items()}
        return translated.format(**values) if values else translated

    def signed_in(self, session_id: str) -> None:
        """The answer starts the web session ``session_id`` (and a fresh CSRF value)."""
        self._session_cookie = session_id
        csrf.renew(self.request)

    def signed_out(self) -> None:
        self._end_session_cookie = True
        csrf.renew(self.request)

    def _finish(self, response: Response) -> Response:
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["Cache-Control"] = "no-store"
        csrf.keep(self.request, response, self.settings)
        if self._session_cookie is not None:
            sessions.set_cookie(response, self._session_cookie, settings=self.settings)
        elif self._end_session_cookie:
            sessions.clear_cookie(response, settings=self.settings)
        chosen = i18n.supported(self.request.query_params.get("lang"))
        if chosen is not None:
            response.set_cookie(
                i18n.LOCALE_COOKIE,
                chosen,
                max_age=i18n.LOCALE_COOKIE_MAX_AGE,
                samesite="lax",
                httponly=True,
                secure=self.settings.env == "production",
            )
        return response

    def _switch_url(self, locale: str) -> str:
        query = [(key, value) for key, value in self.request.query_params.multi_items()]
        query = [(key, value) for key, value in query if key != "lang"] + [("lang", locale)]
        return f"{self.request.url.path}?{urlencode(query)}"

    def render(
        self, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
    ) -> HTMLResponse:
        other = next(choice for choice in i18n.LOCALES if choice != self.locale)
        member, role = self.visitor.member, self.visitor.role
        html = environment.get_template(template).render(
            **(context or {}),
            _=i18n.translations(self.locale).gettext,
            locale=self.locale,
            other_locale=other,
            other_locale_name=_ENDONYMS[other],
            language_switch_url=self._switch_url(other),
            csrf_token=csrf.token(self.request, self.settings),
            member=member,
            is_operator=role == Role.OPERATOR,
            is_analyst=role in (Role.ANALYST, Role.OPERATOR),
            current_path=self.request.url.path,
        )
        response = HTMLResponse(html, status_code=status_code)
        self._finish(response)
        return response

    def redirect(self, url: str) -> RedirectResponse:
        """303 See Other: the answer to a posted form, or a page that lives elsewhere."""
        response = RedirectResponse(url, status_code=303)
        self._finish(response)
        return response


async def current_page(request: Request, session: DbSession, settings: AppSettings) -> Page:
    """The page's visitor and locale. A ``?lang=`` of a signed-in member is also stored as
    their ``language`` (their e-mails follow it)."""
    cached: Page | None = getattr(request.state, "page", None)
    if cached is not None:
        return cached
    visitor = await _visitor(request, session)
    query = i18n.supported(request.query_params.get("lang"))
    locale = i18n.choose_locale(
        query=query,
        cookie=request.cookies.get(i18n.LOCALE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        member_language=visitor.member.language if visitor.member else None,
    )
    if query is not None and visitor.member is not None and visitor.member.language != query:
        visitor.member.language = query
    page = Page(request=request, settings=settings, locale=locale, visitor=visitor)
    request.state.page = page
    return page


async def member_page(page: Annotated[Page, Depends(current_page)]) -> Page:
    if page.visitor.member is None:
        request = page.request
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return page


PageDep = Annotated[Page, Depends(current_page)]
MemberPageDep = Annotated[Page, Depends(member_page)]


async def require_csrf(request: Request, settings: AppSettings) -> None:
    """Every POST of a page router carries this browser's ``csrf_token`` (else 403)."""
    if request.method != "POST":
        return
    form = await request.form()
    if not csrf.valid(request, form.get(csrf.FIELD), settings):
        raise CsrfRejected


def login_url(next_path: str) -> str:
    return "/login?" + urlencode({"next": next_path})
