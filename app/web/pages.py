"""Rendering a page: the locale it is in, its templates, and the headers every page sends."""

from pathlib import Path
from typing import Annotated, Any

from babel import Locale
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.core import i18n
from app.core.middleware import PAGE_CSP

TEMPLATES = Path(__file__).resolve().parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
)
#: Each language's own name for itself, for the language switch.
_ENDONYMS = {locale: Locale.parse(locale).get_display_name(locale) for locale in i18n.LOCALES}


async def page_locale(request: Request) -> str:
    """The locale of this request's page (see :func:`app.core.i18n.choose_locale`)."""
    return i18n.choose_locale(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(i18n.LOCALE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


PageLocale = Annotated[str, Depends(page_locale)]


def render(
    request: Request, locale: str, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """The page in ``locale``; a valid ``?lang=`` is remembered in the ``lang`` cookie."""
    translations = i18n.translations(locale)
    other = next(choice for choice in i18n.LOCALES if choice != locale)
    html = environment.get_template(template).render(
        **context,
        _=translations.gettext,
        locale=locale,
        other_locale=other,
        other_locale_name=_ENDONYMS[other],
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    chosen = i18n.supported(request.query_params.get("lang"))
    if chosen is not None:
        response.set_cookie(
            i18n.LOCALE_COOKIE,
            chosen,
            max_age=i18n.LOCALE_COOKIE_MAX_AGE,
            samesite="lax",
            httponly=True,
        )
    return response
