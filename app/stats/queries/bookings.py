"""Counts per status, rates and the median lead time (``stats/bookings``)."""

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.bookings.repository import current_status
from app.core.sql import integer, seconds_of
from app.models import Booking, stats_lead_days, stats_start_days
from app.stats.scope import ScopeSql
from app.stats.timeline import Scope

#: The width of a bucket of lead times for the median (``stats_lead_days`` counts per day).
LEAD_BUCKET_SECONDS = 86_400


class StatusCounts(NamedTuple):
    """The bookings of one status as of now."""

    bookings: int
    #: Those begun before now.
    started: int
    #: Their summed end − start.
    duration_seconds: int


@dataclass(frozen=True)
class BookingCounts:
    """Per status, and the one or two middle lead times (their sum and count: 0 or 1 or 2)."""

    by_status: dict[str, StatusCounts]
    middle_sum: int
    middle_count: int


async def booking_counts(session: AsyncSession, scope: Scope) -> BookingCounts:
    """The counts of the bookings whose start falls in the range."""
    (statement,) = bookings_statements(scope)
    rows = (await session.execute(statement)).all()
    (median,) = (row for row in rows if row.part == "median")
    return BookingCounts(
        by_status={
            row.status: StatusCounts(
                int(row.bookings or 0), int(row.started or 0), int(row.duration_seconds or 0)
            )
            for row in rows
            if row.part == "status"
        },
        middle_sum=int(median.middle_sum),
        middle_count=int(median.middle_count),
    )


def bookings_statements(scope: Scope) -> list[Select[Any]]:
    """One statement over the bookings whose start falls in the range, rows ``(part, status,
    bookings, started, duration_seconds, middle_sum, middle_count)``:

    - ``part = 'status'``, one row per status as of now: ``started`` counts those begun
      before now, ``duration_seconds`` sums end − start;
    - ``part = 'median'``, one row: ``(middle_sum, middle_count)`` of the one or two middle
      lead times (start − created_at, seconds), for the median.

    The counts per status read the bookings from the seal on and the rollup's start days;
    the median counts the lead times (``bookings.lead_seconds``) per whole day of lead from
    the rollup and the bookings from the seal on, then ranks those of the day(s) of lead
    holding the middle rank(s), found through their index.
    """
    shared = ScopeSql(scope)
    status = current_status(scope.now)

    def whole(value: ColumnElement[Any]) -> ColumnElement[int]:
        # PostgreSQL sums integers as numeric: back to an integer (the ranks below divide it).
        return cast(value, BigInteger)

    live: Select[Any] = (
        shared.bookings()
        .add_columns(
            status.label("status"),
            func.count().label("bookings"),
            func.count(case((Booking.start < scope.now, 1))).label("started"),
            func.sum(seconds_of(Booking.end) - seconds_of(Booking.start)).label("duration_seconds"),
        )
        .where(*shared.starting_in_range(), *shared.unsealed())
        .group_by(status)
    )
    parts = live.subquery("status_parts")
    if scope.seals:
        # Sealed bookings have all started, and their status is final.
        days = stats_start_days.c
        sealed = select(days.status, days.bookings, days.bookings, days.duration_seconds).where(
            *shared.sealed(stats_start_days, days=True)
        )
        parts = union_all(live, sealed).subquery("status_parts")
    per_status = select(
        literal("status", String).label("part"),
        parts.c.status,
        whole(func.sum(parts.c.bookings)).label("bookings"),
        whole(func.sum(parts.c.started)).label("started"),
        whole(func.sum(parts.c.duration_seconds)).label("duration_seconds"),
        cast(null(), BigInteger).label("middle_sum"),
        cast(null(), BigInteger).label("middle_count"),
    ).group_by(parts.c.status)

    lead = Booking.lead_seconds
    # Lead times are counted per whole day (the rollup's unit).
    bucket = lead // integer(LEAD_BUCKET_SECONDS)
    # The median without sorting every lead time: the bucket(s) holding the middle rank(s),
    # then the lead times of those buckets only, ranked.
    buckets: Any = (
        shared.bookings()
        .add_columns(bucket.label("bucket"), func.count().label("leads"))
        .where(*shared.starting_in_range(), *shared.unsealed())
        .group_by(bucket)
    )
    if scope.seals:
        leads_per_day = stats_lead_days.c
        sealed_leads = (
            select(leads_per_day.lead_day, func.sum(leads_per_day.bookings))
            .where(*shared.sealed(stats_lead_days, days=True))
            .group_by(leads_per_day.lead_day)
        )
        lead_parts = union_all(buckets, sealed_leads).subquery("lead_parts")
        buckets = select(
            lead_parts.c.bucket, whole(func.sum(lead_parts.c.leads)).label("leads")
        ).group_by(lead_parts.c.bucket)
    buckets = buckets.cte("lead_buckets")
    total = select(whole(func.coalesce(func.sum(buckets.c.leads), 0)).label("leads")).cte(
        "lead_total"
    )
    lower, upper = (total.c.leads - integer(1)) // integer(2), total.c.leads // integer(2)
    ranked_buckets = select(
        buckets.c.bucket,
        buckets.c.leads,
        (func.sum(buckets.c.leads).over(order_by=buckets.c.bucket) - buckets.c.leads).label(
            "before"
        ),
    ).subquery("ranked_buckets")

    def holds(rank: ColumnElement[int]) -> ColumnElement[bool]:
        before = ranked_buckets.c.before
        return and_(rank >= before, rank < before + ranked_buckets.c.leads)

    # The middle ranks are neighbours: no lead time lies between their buckets.
    middle_buckets = (
        select(
            (func.min(ranked_buckets.c.bucket) * integer(LEAD_BUCKET_SECONDS)).label("first"),
            ((func.max(ranked_buckets.c.bucket) + integer(1)) * integer(LEAD_BUCKET_SECONDS)).label(
                "end"
            ),
            func.min(ranked_buckets.c.before).label("before"),
            func.min(lower).label("lower"),
            func.min(upper).label("upper"),
        )
        .join(total, true())
        .where(or_(holds(lower), holds(upper)))
        .cte("middle_buckets")
    )

    def middle(name: str) -> ColumnElement[int]:
        # Scalar subqueries (computed once, before the scan) rather than a join: the database
        # then finds the lead times of those days through ix_bookings_lead_seconds_start.
        return select(middle_buckets.c[name]).scalar_subquery()

    leads = (
        shared.bookings()
        .add_columns(lead.label("lead"))
        .where(*shared.starting_in_range(), lead >= middle("first"), lead < middle("end"))
        .subquery("middle_leads")
    )
    candidates = select(
        leads.c.lead,
        (middle("before") + func.row_number().over(order_by=leads.c.lead) - integer(1)).label(
            "rank"
        ),
    ).subquery("candidates")
    median = select(
        literal("median", String).label("part"),
        cast(null(), String).label("status"),
        *(cast(null(), BigInteger).label(name) for name in ("bookings", "started")),
        cast(null(), BigInteger).label("duration_seconds"),
        whole(func.coalesce(func.sum(candidates.c.lead), 0)).label("middle_sum"),
        whole(func.count()).label("middle_count"),
    ).where(candidates.c.rank.in_([middle("lower"), middle("upper")]))
    return [select(union_all(per_status, median).subquery("booking_figures"))]
