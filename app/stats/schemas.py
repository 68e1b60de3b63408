"""Answers of the statistics endpoints (DESIGN.md §6) and the query they share."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field

from app.core.schemas import ResponseSchema

Granularity = Literal["day", "week", "month"]


@dataclass(frozen=True)
class StatsQuery:
    """A validated range of local dates (both inclusive) and an optional location."""

    first_day: date
    last_day: date
    location_id: uuid.UUID | None


class Figures(ResponseSchema):
    available_hours: float = Field(
        description="Opening hours × active desks (of the kind), closure days excluded."
    )
    booked_hours: float = Field(description="Hours of bookings not cancelled, clipped.")
    used_hours: float = Field(description="Hours from check-in to check-out (or end), clipped.")
    utilization: float = Field(description="booked_hours / available_hours (0 if none).")
    occupancy: float = Field(description="used_hours / available_hours (0 if none).")


class Period(Figures):
    start: date = Field(description="First local date of the period.")
    end: date = Field(description="Last local date of the period (inclusive).")


class UtilizationRead(ResponseSchema):
    periods: list[Period]
    total: Period


class HeatmapCell(Figures):
    weekday: int = Field(ge=0, le=6, description="Monday = 0 … Sunday = 6 (local).")
    hour: int = Field(ge=0, le=23, description="Local hour of the day.")


class HeatmapRead(ResponseSchema):
    cells: list[HeatmapCell]


class ByStatus(ResponseSchema):
    confirmed: int
    checked_in: int
    completed: int
    cancelled: int
    no_show: int


class BookingFigures(ResponseSchema):
    total: int = Field(description="Bookings whose start falls in the range.")
    by_status: ByStatus = Field(description="Status as of now.")
    no_show_rate: float
    cancellation_rate: float
    median_lead_time_hours: float | None = Field(description="null without bookings.")
    mean_duration_hours: float | None = Field(description="null without bookings.")


class GroupRow(ResponseSchema):
    group: str
    members: int | None
    bookings: int | None
    booked_hours: float | None
    suppressed: bool


class MemberGroupsRead(ResponseSchema):
    groups: list[GroupRow]


class CommuteFigures(ResponseSchema):
    members: int | None
    visits: int | None
    km_avoided: float | None
    co2_kg_avoided: float | None
    suppressed: bool


class ModeRow(CommuteFigures):
    mode: str = Field(description="A commute mode, or `unknown` when not given.")


class MunicipalityRow(CommuteFigures):
    municipality: str | None = Field(
        description="A home municipality; null on the one row that folds the suppressed ones."
    )


class CommuteRead(ResponseSchema):
    visits: int = Field(description="Distinct member × local day with a check-in.")
    km_avoided: float
    co2_kg_avoided: float
    by_mode: list[ModeRow]
    by_municipality: list[MunicipalityRow]


class CompanyRow(ResponseSchema):
    company_id: uuid.UUID
    name: str
    seats: int
    booked_hours: float
    peak_concurrent_seats: int
    seat_days_used: int
    seat_utilization: float


class CompaniesRead(ResponseSchema):
    companies: list[CompanyRow]


class CommuteTotals(ResponseSchema):
    visits: int
    km_avoided: float
    co2_kg_avoided: float


class CompanyTotals(ResponseSchema):
    companies: int = Field(description="Companies listed by stats/companies.")
    seats: int
    booked_hours: float
    seat_days_used: int
    seat_utilization: float


class SummaryRead(ResponseSchema):
    start: date = Field(description="`from`")
    end: date = Field(description="`to`")
    utilization: Figures
    bookings: BookingFigures
    members_with_bookings: int = Field(
        description="Distinct members with a booking (not cancelled) in the range."
    )
    commute: CommuteTotals
    companies: CompanyTotals
