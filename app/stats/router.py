"""Statistics for the pilot evaluation (analysts and operators), JSON or CSV."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.auth.dependencies import AnalystOrOperator
from app.core.csv import CSV_RESPONSE, Format, csv_response, dict_rows
from app.core.db import DbSession
from app.core.dependencies import AppSettings
from app.core.enums import DeskKind
from app.core.errors import (
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.stats import service
from app.stats.dependencies import ValidStatsQuery
from app.stats.schemas import (
    BookingFigures,
    CommuteRead,
    CompaniesRead,
    Granularity,
    HeatmapRead,
    MemberGroupsRead,
    StatsQuery,
    SummaryRead,
    UtilizationRead,
)

router = APIRouter(
    prefix="/stats",
    tags=["statistics"],
    responses=problem_responses(NotAuthenticated, Forbidden, NotFound, ValidationFailed),
)

COMMON = """
**Range.** `from` and `to` are local dates, both inclusive (`to` before `from`, an impossible
date, a range of three years or more, or dates outside 2000–2099 answer 422). Each location's
days are taken in its own time zone; without `location_id` the figures of all locations are
summed (an unknown `location_id` answers 404).

**Answer.** JSON, or CSV with `Accept: text/csv` or `?format=csv` (one header row, one row
per period, group or cell; numbers in plain decimal, null as an empty field).
"""

HOURS = """
**Definitions.** Hours are real elapsed hours, computed to the second.
* *available hours*: for every desk or room that is active now (of `kind`, all kinds by
  default), the real length of each day's opening intervals in the location's time zone —
  23 or 25 hours on the daylight-saving days for an all-day location — except closure days.
  The service keeps no history of (de)activation: a deactivated desk leaves the figures
  (available, booked and used) of every range.
* *booked hours*: the part inside the range of every booking of those desks that is not
  `cancelled` (no-shows included).
* *used hours*: from check-in to check-out, or to the booking's end when nobody checked out;
  a booking checked in right now counts until now. Clipped to the range.
* *utilization* = booked / available hours, *occupancy* = used / available hours (0 when
  nothing is available).
* A booking counts for the day (or weekday × hour cell) in which its hours fall, split across
  days and cells where it spans them.
"""


def _json(model: BaseModel) -> Response:
    return JSONResponse(model.model_dump(mode="json"))


def _name(endpoint: str, query: StatsQuery) -> str:
    return f"{endpoint}_{query.first_day}_{query.last_day}"


FIGURES = ["available_hours", "booked_hours", "used_hours", "utilization", "occupancy"]


@router.get(
    "/utilization",
    summary="Available, booked and used hours per day, week or month",
    response_model=UtilizationRead,
    responses=CSV_RESPONSE,
    description=f"""Every period of the range appears, closed days with 0 available hours.
Weeks start on Monday, months on the 1st; the first and last period are clipped to the range.
`start` and `end` of a period are local dates, both inclusive; `total` covers the range.
CSV columns: `start,end,{",".join(FIGURES)}` (periods only).
{HOURS}{COMMON}""",
)
async def read_utilization(
    session: DbSession,
    _: AnalystOrOperator,
    query: ValidStatsQuery,
    output: Format,
    granularity: Annotated[Granularity, Query(description="Length of a period.")] = "day",
    kind: Annotated[DeskKind | None, Query(description="Only desks of this kind.")] = None,
) -> Response:
    result = await service.utilization(session, query=query, granularity=granularity, kind=kind)
    if output == "csv":
        header = ["start", "end", *FIGURES]
        rows = dict_rows(header, (period.model_dump() for period in result.periods))
        return csv_response(_name("utilization", query), header, rows)
    return _json(result)


@router.get(
    "/heatmap",
    summary="Available, booked and used hours per weekday and hour",
    response_model=HeatmapRead,
    responses=CSV_RESPONSE,
    description=f"""All 168 cells, Monday (`weekday` 0) 00:00 first; `hour` is the local hour.
A cell sums its hour over every matching day of the range (on the October daylight-saving
Sunday the hour 2 cell holds two real hours, in March it holds none).
CSV columns: `weekday,hour,{",".join(FIGURES)}`.
{HOURS}{COMMON}""",
)
async def read_heatmap(
    session: DbSession,
    _: AnalystOrOperator,
    query: ValidStatsQuery,
    output: Format,
    kind: Annotated[DeskKind | None, Query(description="Only desks of this kind.")] = None,
) -> Response:
    result = await service.heatmap(session, query=query, kind=kind)
    if output == "csv":
        header = ["weekday", "hour", *FIGURES]
        rows = dict_rows(header, (cell.model_dump() for cell in result.cells))
        return csv_response(_name("heatmap", query), header, rows)
    return _json(result)


BOOKING_COLUMNS = [
    "total",
    "confirmed",
    "checked_in",
    "completed",
    "cancelled",
    "no_show",
    "no_show_rate",
    "cancellation_rate",
    "median_lead_time_hours",
    "mean_duration_hours",
]


def _booking_row(figures: BookingFigures) -> dict[str, Any]:
    data = figures.model_dump()
    return {**data, **data.pop("by_status")}


BOOKINGS_DOC = """The bookings whose start falls in the range (every desk, active or not).
* *total*: all of them; *by_status*: their status as of now (a confirmed booking nobody
  checked in by start + grace is `no_show`, a checked-in one past its end `completed`, even
  before the periodic job has stored it).
* *no_show_rate* = no-shows / bookings whose start has passed, cancelled ones excluded.
* *cancellation_rate* = cancelled / total. Both 0 when there is nothing to divide by.
* *median_lead_time_hours*: median of start − created_at over all of them (cancelled
  included). *mean_duration_hours*: mean end − start of those not cancelled. Both null
  without bookings.
"""


@router.get(
    "/bookings",
    summary="Booking counts, no-show and cancellation rates, lead time and duration",
    response_model=BookingFigures,
    responses=CSV_RESPONSE,
    description=f"""{BOOKINGS_DOC}
CSV: one row, columns `{",".join(BOOKING_COLUMNS)}`.
{COMMON}""",
)
async def read_booking_stats(
    session: DbSession, _: AnalystOrOperator, query: ValidStatsQuery, output: Format
) -> Response:
    result = await service.bookings(session, query=query)
    if output == "csv":
        return csv_response(
            _name("bookings", query),
            BOOKING_COLUMNS,
            dict_rows(BOOKING_COLUMNS, [_booking_row(result)]),
        )
    return _json(result)


K_ANONYMITY = """
**k-anonymity** (k = `COWORKING_STATS_MIN_GROUP_SIZE`, default 5): a row with fewer than k
distinct members has its figures null and `"suppressed": true`; when exactly one row of a
breakdown is suppressed, the next-smallest non-zero row is suppressed too, so no row can be
recovered from the total by subtraction. Rows with zero members are listed as 0 and not
suppressed; totals are published. In `by_municipality` (free text) the suppressed rows are
folded into one last row `{"municipality": null, "suppressed": true}`, so that their names are
not shown. Erased members still count through their anonymous
statistics profile.
"""


GROUP_COLUMNS = ["group", "members", "bookings", "booked_hours", "suppressed"]


@router.get(
    "/member-groups",
    summary="Members, bookings and booked hours per member group",
    response_model=MemberGroupsRead,
    responses=CSV_RESPONSE,
    description=f"""Every member group, in alphabetical order. A member counts in each of
their groups (a parent who is also an employee counts in both). Cancelled bookings are left
out: *members* are the distinct members with booked time in the range, *bookings* those of
their bookings that start in it, *booked_hours* their hours clipped to the range.
CSV columns: `{",".join(GROUP_COLUMNS)}`.
{K_ANONYMITY}{COMMON}""",
)
async def read_member_groups(
    session: DbSession,
    _: AnalystOrOperator,
    query: ValidStatsQuery,
    output: Format,
    settings: AppSettings,
) -> Response:
    result = await service.member_groups(session, query=query, settings=settings)
    if output == "csv":
        rows = dict_rows(GROUP_COLUMNS, (group.model_dump() for group in result.groups))
        return csv_response(_name("member-groups", query), GROUP_COLUMNS, rows)
    return _json(result)


COMMUTE_COLUMNS = [
    "breakdown",
    "value",
    "members",
    "visits",
    "km_avoided",
    "co2_kg_avoided",
    "suppressed",
]


@router.get(
    "/commute",
    summary="Visits, commuting kilometres and CO₂ avoided",
    response_model=CommuteRead,
    responses=CSV_RESPONSE,
    description=f"""* *visits*: distinct member × local day with a check-in in the range.
* *km_avoided*: 2 × the member's one-way `commute_km` per visit, for members commuting by car
  or public transport (other modes avoid nothing).
* *co2_kg_avoided*: those kilometres × the factor of the mode —
  `COWORKING_CO2_KG_PER_KM_CAR` and `COWORKING_CO2_KG_PER_KM_PUBLIC_TRANSPORT`, per
  passenger-km figures of the German Environment Agency (Umweltbundesamt).
* *by_mode* (every mode, and `unknown` for members who gave none) and *by_municipality*
  (home municipalities with visits, alphabetical) count the members with a visit.
Kilometres and kilograms are rounded to six decimals.
CSV columns: `{",".join(COMMUTE_COLUMNS)}`; `breakdown` is `total` (one row), `mode` or
`municipality`.
{K_ANONYMITY}{COMMON}""",
)
async def read_commute(
    session: DbSession,
    _: AnalystOrOperator,
    query: ValidStatsQuery,
    output: Format,
    settings: AppSettings,
) -> Response:
    result = await service.commute(session, query=query, settings=settings)
    if output == "csv":
        data = result.model_dump()
        rows = [
            {"breakdown": "total", "value": None, "members": None, "suppressed": False, **data},
            *({"breakdown": "mode", "value": row.pop("mode"), **row} for row in data["by_mode"]),
            *(
                {"breakdown": "municipality", "value": row.pop("municipality"), **row}
                for row in data["by_municipality"]
            ),
        ]
        return csv_response(
            _name("commute", query), COMMUTE_COLUMNS, dict_rows(COMMUTE_COLUMNS, rows)
        )
    return _json(result)


COMPANY_COLUMNS = [
    "company_id",
    "name",
    "seats",
    "booked_hours",
    "peak_concurrent_seats",
    "seat_days_used",
    "seat_utilization",
]

COMPANIES_DOC = """Every company, by name. Figures count the company's workplace bookings
(those that carry `company_id`) that are not cancelled, at the locations in scope.
* *seats*: the company's seats now.
* *booked_hours*: their hours clipped to the range.
* *peak_concurrent_seats*: the most of them held at one instant of the range (half-open
  intervals: one ending at 12:00 and one starting at 12:00 are not concurrent).
* *seat_days_used*: the sum over open days of each day's peak.
* *seat_utilization* = seat_days_used / (seats × days of the range on which a location in
  scope is open, closures excluded); 0 without seats.
"""


@router.get(
    "/companies",
    summary="Seat usage per company",
    response_model=CompaniesRead,
    responses=CSV_RESPONSE,
    description=f"""{COMPANIES_DOC}
CSV columns: `{",".join(COMPANY_COLUMNS)}`.
{COMMON}""",
)
async def read_company_stats(
    session: DbSession, _: AnalystOrOperator, query: ValidStatsQuery, output: Format
) -> Response:
    result = await service.companies(session, query=query)
    if output == "csv":
        rows = dict_rows(COMPANY_COLUMNS, (row.model_dump() for row in result.companies))
        return csv_response(_name("companies", query), COMPANY_COLUMNS, rows)
    return _json(result)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}_"))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@router.get(
    "/summary",
    summary="The headline figures of every statistic",
    response_model=SummaryRead,
    responses=CSV_RESPONSE,
    description=f"""For one range: `utilization` (the totals of `stats/utilization` over all
kinds), `bookings` (as `stats/bookings`), `members_with_bookings` (distinct members with booked
time in the range, cancelled bookings left out), `commute` (the totals of `stats/commute`) and
`companies` (the number of companies, their seats, booked hours and seat-days summed, and
seat_utilization = seat-days / (seats × open days)). `start` and `end` repeat `from` and `to`.
CSV: one row; nested names joined with `_` (`utilization_booked_hours`,
`bookings_by_status_no_show`, ...).
{HOURS}{COMMON}""",
)
async def read_stats_summary(
    session: DbSession,
    _: AnalystOrOperator,
    query: ValidStatsQuery,
    output: Format,
    settings: AppSettings,
) -> Response:
    result = await service.summary(session, query=query, settings=settings)
    if output == "csv":
        row = _flatten(result.model_dump())
        return csv_response(_name("summary", query), list(row), [list(row.values())])
    return _json(result)
