"""The statistics: scope the range, read the typed figures of ``queries``, shape the answers.

Python never counts bookings here: it computes calendars (``timeline``), turns aggregated
seconds into hours and ratios, and applies k-anonymity to the few breakdown rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ClauseElement, Dialect, Select, TextClause, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from app.core import clock
from app.core.anonymity import Breakdown, k_anonymous, published
from app.core.config import Settings
from app.core.enums import BookingStatus, CommuteMode, DeskKind
from app.models import Location, StatsSeal
from app.models.booking import BOOKING_STATUSES
from app.models.member import COMMUTE_MODES
from app.stats import seals, timeline
from app.stats.queries import bookings as booking_queries
from app.stats.queries import companies as company_queries
from app.stats.queries import members as member_queries
from app.stats.queries import utilization as hour_queries
from app.stats.schemas import (
    BookingFigures,
    ByStatus,
    CommuteRead,
    CommuteTotals,
    CompaniesRead,
    CompanyRow,
    CompanyTotals,
    Figures,
    Granularity,
    GroupRow,
    HeatmapCell,
    HeatmapRead,
    MemberGroupsRead,
    ModeRow,
    MunicipalityRow,
    Period,
    StatsQuery,
    SummaryRead,
    UtilizationRead,
)
from app.stats.timeline import Scope, day_number, day_of

Endpoint = Literal[
    "utilization", "heatmap", "bookings", "member-groups", "commute", "companies", "summary"
]
#: Floating sums (kilometres, kg CO₂) are rounded so both databases answer the same digits.
FLOAT_DIGITS = 6
UNKNOWN_MODE = "unknown"


#: PostgreSQL settings for the statistics transaction (``SET LOCAL``): the queries scan many
#: rows once, so compiling them (JIT) costs more than it saves, their hash tables are larger
#: than the default work_mem, and the per-row work should run in the parallel workers.
POSTGRESQL_SETTINGS = {"jit": "off", "work_mem": "64MB", "parallel_tuple_cost": "0"}


def session_settings(dialect: str) -> list[TextClause]:
    """The statement that tunes the statistics transaction (PostgreSQL only)."""
    if dialect != "postgresql":
        return []
    settings = ", ".join(
        f"set_config('{name}', '{value}', true)" for name, value in POSTGRESQL_SETTINGS.items()
    )
    return [text(f"SELECT {settings}")]


async def load_scope(session: AsyncSession, query: StatsQuery) -> Scope:
    """Tune the transaction, then read the calendars of the locations in scope and their
    rollup seals (one small query on ``locations``)."""
    for setting in session_settings(session.get_bind().dialect.name):
        await session.execute(setting)
    statement = (
        select(Location.id, Location.timezone, Location.opening_hours, StatsSeal.sealed_until)
        .outerjoin(StatsSeal, StatsSeal.location_id == Location.id)
        .order_by(Location.id)
    )
    if query.location_id is not None:
        statement = statement.where(Location.id == query.location_id)
    rows = (await session.execute(statement)).all()
    now = clock.now()
    calendars = [
        timeline.location_calendar(
            index,
            row.id,
            row.timezone,
            row.opening_hours,
            query.first_day,
            query.last_day,
            sealed_until=seals.usable(row.sealed_until, now),
        )
        for index, row in enumerate(rows)
    ]
    return timeline.scope(
        first_day=query.first_day, last_day=query.last_day, now=now, locations=calendars
    )


def _co2_factors(settings: Settings) -> dict[str, float]:
    return {
        CommuteMode.CAR: settings.co2_kg_per_km_car,
        CommuteMode.PUBLIC_TRANSPORT: settings.co2_kg_per_km_public_transport,
    }


def _periods(query: StatsQuery, granularity: Granularity) -> list[tuple[int, int]]:
    return [
        (day_number(first), day_number(last))
        for first, last in timeline.periods(query.first_day, query.last_day, granularity)
    ]


def _summary_statements(scope: Scope, settings: Settings) -> list[Select[Any]]:
    return [
        *hour_queries.totals_statements(scope),
        *member_queries.members_statements(scope),
        *booking_queries.bookings_statements(scope),
        *member_queries.commute_statements(scope, co2_kg_per_km=_co2_factors(settings)),
        *company_queries.companies_statements(scope),
    ]


async def statements(
    session: AsyncSession,
    endpoint: Endpoint,
    query: StatsQuery,
    *,
    settings: Settings,
    granularity: Granularity = "day",
    kind: DeskKind | None = None,
) -> list[Select[Any] | TextClause]:
    """Every statement an endpoint runs for ``query`` after reading the locations in scope,
    in order and in one transaction: on PostgreSQL first the ``SET LOCAL`` tuning, then the
    aggregate queries. For the benchmark, to time them raw beside the HTTP call (run them
    with :func:`raw_sql` on the driver). Reads the locations in scope itself."""
    scope = await load_scope(session, query)
    tuning: list[Select[Any] | TextClause] = [*session_settings(session.get_bind().dialect.name)]
    return tuning + _endpoint_statements(scope, endpoint, query, settings, granularity, kind)


def _endpoint_statements(
    scope: Scope,
    endpoint: Endpoint,
    query: StatsQuery,
    settings: Settings,
    granularity: Granularity,
    kind: DeskKind | None,
) -> list[Select[Any] | TextClause]:
    if endpoint == "utilization":
        return [
            *hour_queries.utilization_statements(
                scope, periods=_periods(query, granularity), kind=kind
            )
        ]
    if endpoint == "heatmap":
        return [*hour_queries.heatmap_statements(scope, kind=kind)]
    if endpoint == "bookings":
        return [*booking_queries.bookings_statements(scope)]
    if endpoint == "member-groups":
        return [*member_queries.member_groups_statements(scope)]
    if endpoint == "commute":
        return [*member_queries.commute_statements(scope, co2_kg_per_km=_co2_factors(settings))]
    if endpoint == "companies":
        return [*company_queries.companies_statements(scope)]
    return [*_summary_statements(scope, settings)]


def _hours(seconds: Any) -> float:
    return int(seconds or 0) / 3600


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _figures(seconds: hour_queries.Seconds) -> dict[str, float]:
    available, booked, used = seconds
    return {
        "available_hours": _hours(available),
        "booked_hours": _hours(booked),
        "used_hours": _hours(used),
        "utilization": _ratio(booked, available),
        "occupancy": _ratio(used, available),
    }


async def utilization(
    session: AsyncSession, *, query: StatsQuery, granularity: Granularity, kind: DeskKind | None
) -> UtilizationRead:
    """Available, booked and used hours per day, week or month of the range."""
    scope = await load_scope(session, query)
    periods = _periods(query, granularity)
    rows = await hour_queries.per_period(session, scope, periods=periods, kind=kind)
    result = [
        Period(start=day_of(first), end=day_of(last), **_figures(row))
        for (first, last), row in zip(periods, rows, strict=True)
    ]
    # Sums of the periods' integer seconds: the total is exactly the sum of its parts.
    totals = hour_queries.Seconds(*(sum(row[index] for row in rows) for index in range(3)))
    total = Period(start=query.first_day, end=query.last_day, **_figures(totals))
    return UtilizationRead(periods=result, total=total)


async def heatmap(
    session: AsyncSession, *, query: StatsQuery, kind: DeskKind | None
) -> HeatmapRead:
    """Available, booked and used hours per local weekday × hour over the range."""
    scope = await load_scope(session, query)
    cells = [
        HeatmapCell(weekday=cell.weekday, hour=cell.hour, **_figures(cell.seconds))
        for cell in await hour_queries.per_cell(session, scope, kind=kind)
    ]
    return HeatmapRead(cells=cells)


async def _booking_figures(session: AsyncSession, scope: Scope) -> BookingFigures:
    counts = await booking_queries.booking_counts(session, scope)
    per_status = counts.by_status

    def figure(name: str, statuses: Sequence[str] = BOOKING_STATUSES) -> int:
        return sum(int(getattr(per_status[s], name)) for s in statuses if s in per_status)

    kept = [status for status in BOOKING_STATUSES if status != BookingStatus.CANCELLED]
    total, not_cancelled = figure("bookings"), figure("bookings", kept)
    middle = counts.middle_count
    return BookingFigures(
        total=total,
        by_status=ByStatus(**{status: figure("bookings", [status]) for status in BOOKING_STATUSES}),
        # No-shows among the bookings not cancelled whose start has passed.
        no_show_rate=_ratio(figure("started", [BookingStatus.NO_SHOW]), figure("started", kept)),
        cancellation_rate=_ratio(figure("bookings", [BookingStatus.CANCELLED]), total),
        median_lead_time_hours=counts.middle_sum / middle / 3600 if middle else None,
        mean_duration_hours=(
            figure("duration_seconds", kept) / not_cancelled / 3600 if not_cancelled else None
        ),
    )


async def bookings(session: AsyncSession, *, query: StatsQuery) -> BookingFigures:
    """Counts, rates and durations of the bookings whose start falls in the range."""
    return await _booking_figures(session, await load_scope(session, query))


async def member_groups(
    session: AsyncSession, *, query: StatsQuery, settings: Settings
) -> MemberGroupsRead:
    """Members, bookings and booked hours per member group, k-anonymous."""
    scope = await load_scope(session, query)
    rows = [
        Breakdown(
            key=row.group,
            count=row.members,
            figures={"bookings": row.bookings, "booked_hours": _hours(row.booked_seconds)},
        )
        for row in await member_queries.member_groups(session, scope)
    ]
    k_anonymous(rows, settings.stats_min_group_size)
    return MemberGroupsRead(
        groups=[GroupRow(**published(row, key="group", count="members")) for row in rows]
    )


def _commute_figures(visits: int, km: float, co2: float) -> dict[str, Any]:
    return {
        "visits": visits,
        "km_avoided": round(float(km), FLOAT_DIGITS),
        "co2_kg_avoided": round(float(co2), FLOAT_DIGITS),
    }


@dataclass
class _Commute:
    total: dict[str, Any]
    modes: list[Breakdown]
    municipalities: list[Breakdown]


async def _commute(session: AsyncSession, scope: Scope, settings: Settings) -> _Commute:
    rows = await member_queries.commute(session, scope, co2_kg_per_km=_co2_factors(settings))
    total = _commute_figures(0, 0, 0)
    modes = {
        mode: Breakdown(key=mode, count=0, figures=_commute_figures(0, 0, 0))
        for mode in (*COMMUTE_MODES, UNKNOWN_MODE)
    }
    municipalities: list[Breakdown] = []
    for row in rows:
        figures = _commute_figures(row.visits, row.km_avoided, row.co2_kg_avoided)
        if row.breakdown == "total":
            total = figures
        elif row.breakdown == "mode":
            key = UNKNOWN_MODE if row.value is None else row.value
            modes[key] = Breakdown(key=key, count=row.members, figures=figures)
        else:
            municipalities.append(Breakdown(key=row.value, count=row.members, figures=figures))
    municipalities.sort(key=lambda row: str(row.key))
    k = settings.stats_min_group_size
    return _Commute(
        total=total,
        modes=k_anonymous(list(modes.values()), k),
        municipalities=k_anonymous(municipalities, k, free_text=True),
    )


async def commute(session: AsyncSession, *, query: StatsQuery, settings: Settings) -> CommuteRead:
    """Visits, kilometres and CO₂ avoided, per commute mode and home municipality."""
    figures = await _commute(session, await load_scope(session, query), settings)
    return CommuteRead(
        **figures.total,
        by_mode=[ModeRow(**published(row, key="mode", count="members")) for row in figures.modes],
        by_municipality=[
            MunicipalityRow(**published(row, key="municipality", count="members"))
            for row in figures.municipalities
        ],
    )


async def _companies(session: AsyncSession, scope: Scope) -> tuple[list[CompanyRow], int]:
    rows = await company_queries.companies(session, scope)
    open_days = rows[0].open_days if rows else 0
    companies = [
        CompanyRow(
            company_id=row.company_id,
            name=row.name,
            seats=row.seats,
            booked_hours=_hours(row.booked_seconds),
            peak_concurrent_seats=row.peak,
            seat_days_used=row.seat_days,
            seat_utilization=_ratio(row.seat_days, row.seats * open_days),
        )
        for row in rows
    ]
    # Sorted here, not in SQL: PostgreSQL and SQLite collate names differently.
    companies.sort(key=lambda company: (company.name, str(company.company_id)))
    return companies, open_days


async def companies(session: AsyncSession, *, query: StatsQuery) -> CompaniesRead:
    """Seat usage per company over the range."""
    rows, _ = await _companies(session, await load_scope(session, query))
    return CompaniesRead(companies=rows)


async def summary(session: AsyncSession, *, query: StatsQuery, settings: Settings) -> SummaryRead:
    """The headline figures of every statistic for one range."""
    scope = await load_scope(session, query)
    totals = await hour_queries.totals(session, scope)
    members = await member_queries.members_with_bookings(session, scope)
    booking_figures = await _booking_figures(session, scope)
    commute_figures = await _commute(session, scope, settings)
    company_rows, open_days = await _companies(session, scope)
    seats = sum(company.seats for company in company_rows)
    seat_days = sum(company.seat_days_used for company in company_rows)
    return SummaryRead(
        start=query.first_day,
        end=query.last_day,
        utilization=Figures(**_figures(totals)),
        bookings=booking_figures,
        members_with_bookings=members,
        commute=CommuteTotals(**commute_figures.total),
        companies=CompanyTotals(
            companies=len(company_rows),
            seats=seats,
            booked_hours=sum(company.booked_hours for company in company_rows),
            seat_days_used=seat_days,
            seat_utilization=_ratio(seat_days, seats * open_days),
        ),
    )


def raw_sql(statement: ClauseElement, dialect: Dialect) -> tuple[str, list[Any]]:
    """A statement as the SQL text and positional parameters its driver receives (asyncpg:
    ``connection.fetch(sql, *parameters)``), for timing it without SQLAlchemy."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    assert isinstance(compiled, SQLCompiler)
    parameters = []
    for name in compiled.positiontup or []:
        value, bind = compiled.params[name], compiled.binds.get(name)
        process = bind.type.bind_processor(dialect) if bind is not None else None
        parameters.append(process(value) if process is not None else value)
    return str(compiled), parameters
