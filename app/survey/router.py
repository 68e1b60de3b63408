from fastapi import APIRouter, Depends, Response, status

from app.auth.dependencies import AnalystOrOperator
from app.core.csv import CSV_RESPONSE, Format, csv_response
from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.errors import (
    Forbidden,
    NotAuthenticated,
    RateLimited,
    ValidationFailed,
    problem_responses,
)
from app.core.rate_limit import public_form_limit
from app.survey import service
from app.survey.dependencies import Period
from app.survey.schemas import NeedsVsUsage, SurveyAnswer, SurveySubmitted, SurveySummary

router = APIRouter(prefix="/survey", tags=["survey"])
stats_router = APIRouter(prefix="/stats", tags=["statistics"])

_READ_ERRORS = problem_responses(NotAuthenticated, Forbidden, ValidationFailed)


@router.post(
    "/responses",
    status_code=status.HTTP_201_CREATED,
    summary="Answer the needs survey (public, no account)",
    responses=problem_responses(ValidationFailed, RateLimited),
    dependencies=[Depends(public_form_limit("survey"))],
)
async def submit_survey_response(body: SurveyAnswer, session: DbSession) -> SurveySubmitted:
    """Anonymous: no account, no name. A `contact_email` is stored only with
    `contact_consent: true` (else 422), together with the time of consent and the version of
    the consent text; it is kept apart from the answer and never appears in summaries or
    exports. `groups` and `needs` are sets (duplicates are ignored).

    Rate-limited per client address (`COWORKING_RATE_LIMIT_PUBLIC_FORMS`, every attempt
    counts): 429 `rate-limited` with `Retry-After`.
    """
    answer = await service.submit(session, answer=body)
    return SurveySubmitted.model_validate(answer)


@router.get(
    "/summary",
    summary="Survey results, k-anonymous (analyst, operator)",
    response_model=SurveySummary,
    responses={**_READ_ERRORS, **CSV_RESPONSE},
)
async def read_survey_summary(
    _caller: AnalystOrOperator,
    session: DbSession,
    settings: AppSettings,
    period: Period,
    output: Format,
) -> Response | SurveySummary:
    """The answers submitted on the local days `from`–`to` (Europe/Berlin, inclusive; dates
    2000–2099, less than three years apart; by default the three years up to today).
    Shares, means and medians are rounded to 9 decimals.

    * `responses`: number of answers.
    * `needs`: every need of the vocabulary with the answers naming it and
      `share` = those answers / `responses` (0 when there are none).
    * `by_municipality` (municipalities with answers, by name) and `by_group` (every group; an
      answer counts in each group it names): answers per row, **k-anonymous** with
      k = `COWORKING_STATS_MIN_GROUP_SIZE`: a row with 1 to k−1 answers has
      `responses: null, suppressed: true`; when exactly one row is suppressed, the
      next-smallest non-zero row is suppressed too. Zero rows are shown. The suppressed
      municipalities (free text) are folded into one last row
      `{"municipality": null, "responses": null, "suppressed": true}`: their names are not
      shown.
    * `commute_km` (one-way) and `price_per_day_eur`: `mean` and `median` (the mean of the
      two middle values for an even count; `null` without answers) and a histogram of fixed
      bins `[from, to)`, the last bin including its upper edge — km: 0, 5, 10, 20, 30, 50,
      100, 300; EUR: 0, 5, 10, 15, 20, 30, 50, 100.
    * `wants_trial`, `cooperation_interest`: answers saying yes.

    **CSV** (`Accept: text/csv` or `?format=csv`): the anonymous answers themselves, one row
    each, oldest first — `submitted_on` (local date), the answers' fields, `groups` and
    `needs` separated by `;`. Never contact data.
    """
    if output == "csv":
        rows = await service.answer_rows(session, period=period)
        return csv_response("survey-answers", service.CSV_COLUMNS, rows)
    return await service.summary(session, period=period, k=settings.stats_min_group_size)


NEEDS_VS_USAGE_COLUMNS = (
    "dimension",
    "value",
    "survey_responses",
    "survey_share",
    "survey_suppressed",
    "members",
    "member_share",
    "booked_hours",
    "booked_hours_share",
    "usage_suppressed",
)


@stats_router.get(
    "/needs-vs-usage",
    summary="Stated needs beside measured usage (analyst, operator)",
    response_model=NeedsVsUsage,
    responses={**_READ_ERRORS, **CSV_RESPONSE},
)
async def read_needs_vs_usage(
    _caller: AnalystOrOperator,
    session: DbSession,
    settings: AppSettings,
    period: Period,
    output: Format,
) -> Response | NeedsVsUsage:
    """The survey's stated groups, municipalities and commutes beside what the pilot measured,
    over the local days `from`–`to` (inclusive; survey answers by their day of submission in
    Europe/Berlin, bookings and check-ins in their location's time zone; dates 2000–2099,
    less than three years apart; by default the three years up to today). Figures are
    rounded to 9 decimals.

    * `survey_responses`: answers in range. `members`: distinct members with a booking that
      is not `cancelled` and overlaps the range. `booked_hours`: the hours of those bookings,
      clipped to the range.
    * `by_group` (every member group) and `by_municipality` (every municipality named by an
      answer or by a member with a booking; members' known municipalities are matched
      case-insensitively): `survey_responses` and `survey_share` (= / all answers) beside
      `members`, `member_share` (= / `members`), `booked_hours` and `booked_hours_share`
      (= / `booked_hours`). An answer or a member counts in each of its groups.
      k-anonymous, each side on its own (k = `COWORKING_STATS_MIN_GROUP_SIZE`): a side with 1
      to k−1 answers (or members) is `null` with `survey_suppressed` (`usage_suppressed`)
      true; when exactly one row of a side is suppressed, the next-smallest non-zero row of
      that side is too. Municipalities (free text) that no side shows with a count are folded
      into one last row with `"municipality": null`, so that their names are not shown.
    * `commute.stated`: `respondents` commuting by car or public transport and their potential
      `km_avoided_per_week` = Σ 2 × `commute_km` × `coworking_days_per_week`.
    * `commute.measured`: `visits` = distinct member-days with a check-in in range (the
      check-in's local day); `km_avoided` = Σ over visits of 2 × the member's `commute_km`
      for members commuting by car or public transport; `km_avoided_per_week` =
      `km_avoided` × 7 / days in range.

    **CSV** (`Accept: text/csv` or `?format=csv`): one row per group (`dimension` = `group`)
    and per municipality (`dimension` = `municipality`).
    """
    result = await service.needs_vs_usage(session, period=period, k=settings.stats_min_group_size)
    if output != "csv":
        return result
    rows = [
        ["group", row.group, *[getattr(row, c) for c in NEEDS_VS_USAGE_COLUMNS[2:]]]
        for row in result.by_group
    ] + [
        ["municipality", row.municipality, *[getattr(row, c) for c in NEEDS_VS_USAGE_COLUMNS[2:]]]
        for row in result.by_municipality
    ]
    return csv_response("needs-vs-usage", NEEDS_VS_USAGE_COLUMNS, rows)
