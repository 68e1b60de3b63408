"""Registering interest in the trial on a page (``/interest``): the same schema, service and
rate limit as ``POST /api/v1/interest``, the consent text of the API in the page's language."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import DbSession
from app.core.rate_limit import public_form_limit
from app.interest import service as interest_service
from app.interest.schemas import INTEREST_CONSENT_TEXT, InterestCreate
from app.web import forms, labels
from app.web.pages import Page, PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _form(
    page: Page,
    *,
    values: forms.Values | None = None,
    errors: forms.Messages | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    return page.render(
        "interest.html",
        {
            "done": done,
            "values": values or forms.Values(consent=[]),
            "errors": errors or forms.Messages(),
            "kind_options": page.options(labels.INTEREST_KINDS),
            "consent_options": [("yes", page.gettext(INTEREST_CONSENT_TEXT))],
        },
        status_code=status_code,
    )


@router.get("/interest")
async def interest_page(page: PageDep, done: str | None = None) -> Response:
    """The form, or (``?done=1``, after sending it) the thanks."""
    return _form(page, done=done == "1")


def _messages(page: Page) -> dict[str, str]:
    return {
        "kind": page.gettext("Choose who you are."),
        "name": page.gettext("Enter your name."),
        "organisation": page.gettext("Keep the organisation's name to 200 characters."),
        "email": page.gettext("Enter your email address, like name@example.org."),
        "message": page.gettext("Keep your message to 2000 characters."),
        "consent": page.gettext("We can only keep your details with your consent: tick the box."),
        "": page.gettext("Check your entries."),
    }


@router.post("/interest", dependencies=[Depends(public_form_limit("interest"))])
async def register_interest(request: Request, page: PageDep, session: DbSession) -> Response:
    """The API's expression of interest from the form; then the thanks (303)."""
    form = await request.form()
    values = forms.Values(
        kind=forms.text(form, "kind"),
        name=forms.text(form, "name"),
        organisation=forms.text(form, "organisation"),
        email=forms.text(form, "email").strip(),
        message=forms.text(form, "message"),
        consent=forms.choices(form, "consent"),
    )
    try:
        body = InterestCreate.model_validate(
            {
                "kind": forms.optional_text(form, "kind"),
                "name": values["name"],
                "organisation": forms.optional_text(form, "organisation"),
                "email": values["email"],
                "message": forms.optional_text(form, "message"),
                "consent": forms.checked(form, "consent"),
            }
        )
    except ValidationError as error:
        errors = forms.Messages(forms.field_errors(error, _messages(page)))
        return _form(page, values=values, errors=errors, status_code=422)
    await interest_service.register(session, request=body)
    return page.redirect("/interest?done=1")
