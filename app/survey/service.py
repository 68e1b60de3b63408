"""The needs survey: anonymous answers, their k-anonymous summary, and the comparison of
stated needs with the pilot's measured usage."""

from collections.abc import Sequence
from typing import Any, get_args
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.anonymity import Breakdown, k_anonymous, published, suppressed
from app.core.dates import DateRange
from app.core.enums import MemberGroup
from app.models import (
    SurveyContact,
    SurveyResponse,
    SurveyResponseGroup,
    SurveyResponseNeed,
)
from app.survey import repository
from app.survey.schemas import (
    SURVEY_CONSENT_VERSION,
    CommuteComparison,
    Distribution,
    GroupCount,
    GroupSideBySide,
    HistogramBin,
    MeasuredCommute,
    MunicipalityCount,
    MunicipalitySideBySide,
    Need,
    NeedCount,
    NeedsVsUsage,
    StatedCommute,
    SurveyAnswer,
    SurveySummary,
    municipality_name,
)

NEEDS: tuple[str, ...] = get_args(Need)
GROUPS: tuple[str, ...] = tuple(MemberGroup)
#: histogram bin edges; each bin is [from, to), the last one includes its upper edge
COMMUTE_KM_EDGES = (0, 5, 10, 20, 30, 50, 100, 300)
PRICE_EDGES = (0, 5, 10, 15, 20, 30, 50, 100)
#: figures are rounded to this many decimals (float noise only)
DIGITS = 9
#: answers are dated by the day of submission in the pilot's time zone
SURVEY_TIMEZONE = "Europe/Berlin"


# --- ranges -----------------------------------------------------------------------------


def _bounds(period: DateRange) -> tuple[Any, Any]:
    return repository.day_bounds(SURVEY_TIMEZONE, period.first, period.last)


# --- k-anonymity --------------------------------------------------------------------------


def _share(part: float, whole: float) -> float:
    return round(part / whole, DIGITS) if whole else 0.0


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)


# --- answers ------------------------------------------------------------------------------


async def submit(session: AsyncSession, *, answer: SurveyAnswer) -> SurveyResponse:
    """Store an answer; a contact email is kept apart with the consent's time and version."""
    now = clock.now()
    response = SurveyResponse(
        submitted_at=now,
        **answer.model_dump(exclude={"groups", "needs", "contact_email", "contact_consent"}),
        group_rows=[SurveyResponseGroup(group=group) for group in answer.groups],
        need_rows=[SurveyResponseNeed(need=need) for need in answer.needs],
    )
    session.add(response)
    await session.flush()
    if answer.contact_email is not None:
        session.add(
            SurveyContact(
                response_id=response.id,
                email=answer.contact_email,
                consented_at=now,
                consent_text_version=SURVEY_CONSENT_VERSION,
            )
        )
        await session.flush()
    return response


async def _distribution(
    session: AsyncSession,
    column: Any,
    edges: Sequence[float],
    mean: float | None,
    count: int,
    bounds: tuple[Any, Any],
) -> Distribution:
    counts = await repository.histogram(session, column, edges, *bounds)
    return Distribution(
        mean=_rounded(mean),
        median=_rounded(await repository.median(session, column, *bounds, count)),
        histogram=[
            HistogramBin(from_=edges[i], to=edges[i + 1], responses=counts[i])
            for i in range(len(counts))
        ],
    )


async def summary(session: AsyncSession, *, period: DateRange, k: int) -> SurveySummary:
    """Counts and distributions of the answers submitted in ``period``."""
    bounds = _bounds(period)
    totals = await repository.totals(session, *bounds)
    needs = await repository.need_counts(session, *bounds)
    groups = await repository.group_counts(session, *bounds)
    municipalities = sorted((await repository.municipality_counts(session, *bounds)).items())
    return SurveySummary(
        responses=totals.responses,
        needs=[
            NeedCount(
                need=need,
                responses=needs.get(need, 0),
                share=_share(needs.get(need, 0), totals.responses),
            )
            for need in NEEDS
        ],
        by_municipality=[
            MunicipalityCount(**published(row, key="municipality", count="responses"))
            for row in k_anonymous(
                [Breakdown(name, count, {}) for name, count in municipalities], k, free_text=True
            )
        ],
        by_group=[
            GroupCount(**published(row, key="group", count="responses"))
            for row in k_anonymous(
                [Breakdown(group, groups.get(group, 0), {}) for group in GROUPS], k
            )
        ],
        commute_km=await _distribution(
            session,
            SurveyResponse.commute_km,
            COMMUTE_KM_EDGES,
            totals.mean_commute_km,
            totals.responses,
            bounds,
        ),
        price_per_day_eur=await _distribution(
            session,
            SurveyResponse.price_per_day_eur,
            PRICE_EDGES,
            totals.mean_price,
            totals.responses,
            bounds,
        ),
        wants_trial=totals.wants_trial,
        cooperation_interest=totals.cooperation_interest,
    )


CSV_COLUMNS = (
    "submitted_on",
    "home_municipality",
    "groups",
    "commute_km",
    "commute_minutes",
    "commute_mode",
    "commute_days_per_week",
    "coworking_days_per_week",
    "needs",
    "needs_other",
    "price_per_day_eur",
    "cooperation_interest",
    "wants_trial",
)


async def answer_rows(session: AsyncSession, *, period: DateRange) -> list[list[Any]]:
    """The anonymous answers of ``period`` as CSV rows (never contact data); groups and needs
    are separated by ``;``."""
    zone = ZoneInfo(SURVEY_TIMEZONE)
    return [
        [
            answer.submitted_at.astimezone(zone).date().isoformat(),
            answer.home_municipality,
            ";".join(row.group for row in answer.group_rows),
            answer.commute_km,
            answer.commute_minutes,
            answer.commute_mode,
            answer.commute_days_per_week,
            answer.coworking_days_per_week,
            ";".join(row.need for row in answer.need_rows),
            answer.needs_other or "",
            answer.price_per_day_eur,
            answer.cooperation_interest,
            answer.wants_trial,
        ]
        for answer in await repository.answers(session, *_bounds(period))
    ]


# --- stated needs beside measured usage ---------------------------------------------------


def _side_by_side(
    survey: Sequence[int],
    survey_total: int,
    usage: Sequence[tuple[int, float]],
    members_total: int,
    hours_total: float,
    k: int,
) -> list[dict[str, Any]]:
    survey_hidden = suppressed(survey, k)
    usage_hidden = suppressed([members for members, _ in usage], k)
    rows = []
    for responses, s_hidden, (members, hours), u_hidden in zip(
        survey, survey_hidden, usage, usage_hidden, strict=True
    ):
        rows.append(
            {
                "survey_responses": None if s_hidden else responses,
                "survey_share": None if s_hidden else _share(responses, survey_total),
                "survey_suppressed": s_hidden,
                "members": None if u_hidden else members,
                "member_share": None if u_hidden else _share(members, members_total),
                "booked_hours": None if u_hidden else round(hours, DIGITS),
                "booked_hours_share": None if u_hidden else _share(hours, hours_total),
                "usage_suppressed": u_hidden,
            }
        )
    return rows


_SIDES = {
    "survey_suppressed": ("survey_responses", "survey_share"),
    "usage_suppressed": ("members", "member_share", "booked_hours", "booked_hours_share"),
}


def _nameless_folded(
    places: Sequence[str], rows: Sequence[dict[str, Any]]
) -> list[MunicipalitySideBySide]:
    """The municipalities (free text) that no side shows with a count: folded into one last
    row without a name, a side suppressed there if it was on any folded row (else all 0)."""
    shown: list[MunicipalitySideBySide] = []
    folded: list[dict[str, Any]] = []
    for name, row in zip(places, rows, strict=True):
        hidden = [flag for flag in _SIDES if row[flag]]
        if hidden and all(row[flag] or not row[_SIDES[flag][0]] for flag in _SIDES):
            folded.append(row)
        else:
            shown.append(MunicipalitySideBySide(municipality=name, **row))
    if folded:
        merged: dict[str, Any] = {}
        for flag, figures in _SIDES.items():
            side_hidden = any(row[flag] for row in folded)
            merged[flag] = side_hidden
            merged.update(dict.fromkeys(figures, None if side_hidden else 0))
        shown.append(MunicipalitySideBySide(municipality=None, **merged))
    return shown


async def needs_vs_usage(session: AsyncSession, *, period: DateRange, k: int) -> NeedsVsUsage:
    bounds = _bounds(period)
    totals = await repository.totals(session, *bounds)
    usage = repository.UsageRange(
        await repository.location_zones(session), period.first, period.last
    )
    members, hours = await repository.usage_totals(session, usage)
    visits, km = await repository.visits(session, usage)

    survey_groups = await repository.group_counts(session, *bounds)
    usage_groups = await repository.usage_by_group(session, usage)
    by_group = _side_by_side(
        [survey_groups.get(group, 0) for group in GROUPS],
        totals.responses,
        [usage_groups.get(group, (0, 0.0)) for group in GROUPS],
        members,
        hours,
        k,
    )

    survey_places = await repository.municipality_counts(session, *bounds)
    usage_places: dict[str, tuple[int, float]] = {}
    for name, (count, booked) in (await repository.usage_by_municipality(session, usage)).items():
        # Members type their municipality freely; known names are merged whatever the case.
        known = municipality_name(name)
        before = usage_places.get(known, (0, 0.0))
        usage_places[known] = (before[0] + count, before[1] + booked)
    places = sorted(set(survey_places) | set(usage_places))
    by_municipality = _side_by_side(
        [survey_places.get(name, 0) for name in places],
        totals.responses,
        [usage_places.get(name, (0, 0.0)) for name in places],
        members,
        hours,
        k,
    )
    return NeedsVsUsage(
        survey_responses=totals.responses,
        members=members,
        booked_hours=round(hours, DIGITS),
        by_group=[
            GroupSideBySide(group=group, **row) for group, row in zip(GROUPS, by_group, strict=True)
        ],
        by_municipality=_nameless_folded(places, by_municipality),
        commute=CommuteComparison(
            stated=StatedCommute(
                respondents=totals.stated_respondents,
                km_avoided_per_week=round(totals.stated_km_per_week, DIGITS),
            ),
            measured=MeasuredCommute(
                visits=visits,
                km_avoided=round(km, DIGITS),
                km_avoided_per_week=round(km * 7 / period.days, DIGITS),
            ),
        ),
    )
