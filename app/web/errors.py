"""Errors on pages: the API answers problem+json, a page answers a page.

A route declared with :class:`~app.web.pages.PageRoute` that raises an :class:`AppError`
(a fetch-or-404, a refused form), fails validation (a query parameter that is not a date)
or breaks, is answered with ``error.html`` in the visitor's language, the message in an
element with ``role="alert"``; a member page without a session is a 303 to the sign-in form.
Every other route keeps the API's handlers.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from app.core import errors, i18n
from app.core.errors import AppError, ValidationFailed
from app.web.pages import LoginRequired, Page, Visitor, login_url


def _is_page(request: Request) -> bool:
    return getattr(request.scope.get("route"), "renders_pages", False)


def _page(request: Request) -> Page:
    page: Page | None = getattr(request.state, "page", None)
    if page is not None:
        return page
    # The page's own dependency did not run (it failed before): German, or what was asked.
    locale = i18n.choose_locale(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(i18n.LOCALE_COOKIE),
        accept_language=request.headers.get("accept-language"),
    )
    return Page(
        request=request, settings=request.app.state.settings, locale=locale, visitor=Visitor()
    )


def _error_page(request: Request, error: AppError) -> Response:
    page = _page(request)
    response = page.render(
        "error.html",
        {"title": page.gettext(error.title), "message": page.problem(error)},
        status_code=error.status,
    )
    for name, value in (error.headers or {}).items():
        if name.lower() != "www-authenticate":
            response.headers[name] = value
    return response


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if not _is_page(request):
        return await errors.app_error(request, exc)
    return _error_page(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    if not _is_page(request):
        return await errors.validation_error(request, exc)
    page = _page(request)
    return _error_page(
        request, ValidationFailed(page.gettext("The address of this page is not valid."))
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return _page(request).redirect(login_url(exc.next_path))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # The API's handler logs the error (never into the answer) and answers the API's 500.
    response = await errors.unexpected_error(request, exc)
    if not _is_page(request):
        return response
    page = _page(request)
    return page.render(
        "error.html",
        {
            "title": page.gettext("Something went wrong"),
            "message": page.gettext("Something went wrong on our side. Please try again."),
        },
        status_code=500,
    )


def install_page_error_handlers(app: FastAPI) -> None:
    """After :func:`app.core.errors.install_error_handlers`: pages answer pages."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Exception, _unexpected)
