"""The needs survey on a page (``/survey``): no account, the same schema, service and rate
limit as ``POST /api/v1/survey/responses``, the consent text of the API in the page's
language."""

from typing import get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.core.db import DbSession
from app.core.i18n import N_
from app.core.rate_limit import public_form_limit
from app.survey import service as survey_service
from app.survey.schemas import SURVEY_CONSENT_TEXT, Need, SurveyAnswer
from app.web import forms, labels
from app.web.pages import Page, PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

YES_NO = (("yes", N_("Yes")), ("no", N_("No")))


def _form(
    page: Page,
    *,
    values: forms.Values | None = None,
    errors: forms.Messages | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    return page.render(
        "survey.html",
        {
            "done": done,
            "values": values or forms.Values(groups=[], needs=[]),
            "errors": errors or forms.Messages(),
            "group_options": page.options(labels.GROUPS),
            "mode_options": page.options(labels.COMMUTE_MODES),
            "need_options": page.options({need: labels.NEEDS[need] for need in get_args(Need)}),
            "yes_no": [(value, page.gettext(label)) for value, label in YES_NO],
            "consent_options": [("yes", page.gettext(SURVEY_CONSENT_TEXT))],
        },
        status_code=status_code,
    )


@router.get("/survey")
async def survey_page(page: PageDep, done: str | None = None) -> Response:
    """The survey's form, or (``?done=1``, after an answer) the thanks."""
    return _form(page, done=done == "1")


def _messages(page: Page) -> dict[str, str]:
    days = page.gettext("Enter a whole number of days from 0 to 7.")
    return {
        "home_municipality": page.gettext("Enter the town or municipality you live in."),
        "groups": page.gettext("Choose at least one group."),
        "commute_km": page.gettext("Enter the distance in km as a number from 0 to 300."),
        "commute_minutes": page.gettext("Enter the minutes as a whole number from 0 to 300."),
        "commute_mode": page.gettext("Choose how you usually travel to work."),
        "commute_days_per_week": days,
        "coworking_days_per_week": days,
        "needs": page.gettext("Choose only needs from the list."),
        "needs_other": page.gettext("Keep your other needs to 500 characters."),
        "price_per_day_eur": page.gettext("Enter an amount in euros from 0 to 100."),
        "cooperation_interest": page.gettext("Answer yes or no."),
        "wants_trial": page.gettext("Answer yes or no."),
        "contact_email": page.gettext("Enter your email address, like name@example.org."),
        "contact_consent": page.gettext(
            "We can only keep your email address with your consent: tick the box, or leave "
            "the email field empty."
        ),
        "": page.gettext("Check your entries."),
    }


@router.post("/survey", dependencies=[Depends(public_form_limit("survey"))])
async def submit_survey(request: Request, page: PageDep, session: DbSession) -> Response:
    """The API's survey answer from the form; then the thanks (303)."""
    form = await request.form()
    values = forms.Values(
        home_municipality=forms.text(form, "home_municipality"),
        groups=forms.choices(form, "groups"),
        commute_km=forms.text(form, "commute_km"),
        commute_minutes=forms.text(form, "commute_minutes"),
        commute_mode=forms.text(form, "commute_mode"),
        commute_days_per_week=forms.text(form, "commute_days_per_week"),
        coworking_days_per_week=forms.text(form, "coworking_days_per_week"),
        needs=forms.choices(form, "needs"),
        needs_other=forms.text(form, "needs_other"),
        price_per_day_eur=forms.text(form, "price_per_day_eur"),
        cooperation_interest=forms.text(form, "cooperation_interest"),
        wants_trial=forms.text(form, "wants_trial"),
        contact_email=forms.text(form, "contact_email").strip(),
        contact_consent=forms.choices(form, "contact_consent"),
    )
    try:
        answer = SurveyAnswer.model_validate(
            {
                "home_municipality": values["home_municipality"],
                "groups": values["groups"],
                "commute_km": forms.optional_number(form, "commute_km"),
                "commute_minutes": forms.optional_integer(form, "commute_minutes"),
                "commute_mode": forms.optional_text(form, "commute_mode"),
                "commute_days_per_week": forms.optional_integer(form, "commute_days_per_week"),
                "coworking_days_per_week": forms.optional_integer(form, "coworking_days_per_week"),
                "needs": values["needs"],
                "needs_other": forms.optional_text(form, "needs_other"),
                "price_per_day_eur": forms.optional_number(form, "price_per_day_eur"),
                "cooperation_interest": forms.yes_no(form, "cooperation_interest"),
                "wants_trial": forms.yes_no(form, "wants_trial"),
                "contact_email": forms.optional_text(form, "contact_email"),
                "contact_consent": forms.checked(form, "contact_consent"),
            }
        )
    except ValidationError as error:
        messages = _messages(page)
        found = forms.field_errors(error, messages)
        # The schema's one rule across fields (an email needs consent) belongs to the consent.
        if "" in found:
            del found[""]
            found["contact_consent"] = messages["contact_consent"]
        return _form(page, values=values, errors=forms.Messages(found), status_code=422)
    await survey_service.submit(session, answer=answer)
    return page.redirect("/survey?done=1")
