"""Signing up, in and out on pages: the same services as ``/api/v1/auth``, a web session
instead of tokens."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.auth import service as auth_service
from app.core import sessions
from app.core.db import DbSession
from app.core.errors import AppError, RateLimited
from app.core.rate_limit import LoginLimit, public_form_limit
from app.members import service as member_service
from app.members.schemas import RegisterRequest
from app.web import forms, labels
from app.web.pages import Page, PageDep, PageRoute, safe_next

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _login_form(
    page: Page, *, next_path: str, email: str = "", error: str | None = None, status_code: int = 200
) -> Response:
    return page.render(
        "login.html",
        {"next": next_path, "email": email, "error": error, "notice": None},
        status_code=status_code,
    )


@router.get("/login")
async def login_page(page: PageDep, next: str | None = None) -> Response:
    if page.visitor.member is not None:
        return page.redirect(safe_next(next))
    return _login_form(page, next_path=safe_next(next))


@router.post("/login")
async def login(request: Request, page: PageDep, session: DbSession, guard: LoginLimit) -> Response:
    """The API's sign-in (and its rate limits); on success a web session, then back to where
    the visitor was sent from (a path of this site only)."""
    form = await request.form()
    email, password = forms.text(form, "email").strip(), forms.text(form, "password")
    next_path = safe_next(forms.text(form, "next"))
    try:
        member = await auth_service.authenticate(
            session, email=email, password=password, guard=guard
        )
    except RateLimited as error:
        response = _login_form(
            page, next_path=next_path, email=email, error=page.problem(error), status_code=429
        )
        response.headers.update(error.headers or {})
        return response
    except AppError:
        message = page.gettext("The email address or the password is not right.")
        return _login_form(page, next_path=next_path, email=email, error=message, status_code=401)
    page.signed_in(await sessions.start(session, member=member))
    return page.redirect(next_path)


@router.post("/logout")
async def logout(page: PageDep, session: DbSession) -> Response:
    if page.visitor.session_hash is not None:
        await sessions.end(session, id_hash=page.visitor.session_hash)
    page.signed_out()
    return page.redirect("/")


def _register_form(
    page: Page,
    *,
    values: forms.Values | None = None,
    errors: forms.Messages | None = None,
    status_code: int = 200,
) -> Response:
    return page.render(
        "register.html",
        {
            "values": values or forms.Values(groups=[]),
            "errors": errors or forms.Messages(),
            "group_options": page.options(labels.GROUPS),
            "mode_options": page.options(labels.COMMUTE_MODES),
        },
        status_code=status_code,
    )


@router.get("/register")
async def register_page(page: PageDep) -> Response:
    if page.visitor.member is not None:
        return page.redirect("/book")
    return _register_form(page)


def _register_messages(page: Page) -> dict[str, str]:
    return {
        "email": page.gettext("Enter your email address, like name@example.org."),
        "password": page.gettext("Choose a password of at least 10 characters."),
        "full_name": page.gettext("Enter your name."),
        "home_municipality": page.gettext("Enter the town or municipality you live in."),
        "groups": page.gettext("Choose at least one group."),
        "commute_km": page.gettext("Enter the distance in km as a number from 0 to 300."),
        "commute_mode": page.gettext("Choose how you usually travel to work."),
        "": page.gettext("Check your entries."),
    }


@router.post("/register", dependencies=[Depends(public_form_limit("register"))])
async def register(request: Request, page: PageDep, session: DbSession) -> Response:
    """The API's registration; then signed in and on to booking."""
    form = await request.form()
    values = forms.Values(
        email=forms.text(form, "email").strip(),
        full_name=forms.text(form, "full_name"),
        home_municipality=forms.text(form, "home_municipality"),
        groups=forms.choices(form, "groups"),
        commute_km=forms.text(form, "commute_km"),
        commute_mode=forms.text(form, "commute_mode"),
    )
    try:
        body = RegisterRequest.model_validate(
            {
                "email": values["email"],
                "password": forms.text(form, "password"),
                "full_name": values["full_name"],
                "home_municipality": values["home_municipality"],
                "groups": values["groups"],
                "commute_km": forms.optional_number(form, "commute_km"),
                "commute_mode": forms.optional_text(form, "commute_mode"),
            }
        )
    except ValidationError as error:
        errors = forms.Messages(forms.field_errors(error, _register_messages(page)))
        return _register_form(page, values=values, errors=errors, status_code=422)
    try:
        member = await member_service.register(session, request=body)
    except AppError as error:
        errors = forms.Messages({"email": page.problem(error)})
        return _register_form(page, values=values, errors=errors, status_code=error.status)
    page.signed_in(await sessions.start(session, member=member))
    return page.redirect("/book")
