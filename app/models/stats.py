"""The statistics rollup: past bookings summed once, per quarter hour and per local day.

A booking can no longer change once its end and its check-in window have passed. Those of a
location that started before its *seal* (``stats_seals.sealed_until``) are summed into the
four ``stats_*`` tables below and no longer read one by one; see :mod:`app.stats.rollup`.

The sums are derived data, written in bulk and read whole: plain tables without keys or
constraints (each refresh adds rows; ``batch`` is the seal it reached, so readers sum several
rows of one quarter or day). Locations are never deleted.
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class StatsSeal(Base):
    """How far the rollup of a location reaches: its bookings starting before
    ``sealed_until`` are in the ``stats_*`` sums, the later ones are read from ``bookings``."""

    __tablename__ = "stats_seals"

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_until: Mapped[datetime]


#: The start and end events of sealed bookings of active desks in one quarter hour
#: (``quarter`` = seconds since 0001-01-01T00:00Z // 900) of one location and desk kind: how
#: many booked (used) intervals start minus end in it, and their seconds into the quarter,
#: signed alike (see :mod:`app.stats.slots`).
stats_slot_deltas = Table(
    "stats_slot_deltas",
    Base.metadata,
    Column("location_id", Uuid, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("quarter", BigInteger, nullable=False),
    Column("batch", UTCDateTime, nullable=False),
    Column("booked_n", BigInteger, nullable=False),
    Column("booked_into", BigInteger, nullable=False),
    Column("used_n", BigInteger, nullable=False),
    Column("used_into", BigInteger, nullable=False),
)

#: Sealed bookings per location, local day of their start and (final) status: how many, and
#: the sum of their lengths in seconds.
stats_start_days = Table(
    "stats_start_days",
    Base.metadata,
    Column("location_id", Uuid, nullable=False),
    Column("day", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("batch", UTCDateTime, nullable=False),
    Column("bookings", BigInteger, nullable=False),
    Column("duration_seconds", BigInteger, nullable=False),
)

#: Sealed bookings (cancelled too) per location, local day of their start and whole days of
#: lead time (start − created_at, // 86400): the median lead time's first step.
stats_lead_days = Table(
    "stats_lead_days",
    Base.metadata,
    Column("location_id", Uuid, nullable=False),
    Column("day", Integer, nullable=False),
    Column("lead_day", BigInteger, nullable=False),
    Column("batch", UTCDateTime, nullable=False),
    Column("bookings", BigInteger, nullable=False),
)

#: Running totals per member up to the end of a whole local month
#: (:func:`app.stats.timeline.month_number`) at one location, or at every location together
#: (``location_id`` = the nil UUID): bookings not cancelled starting in those months, their
#: booked seconds clipped to them, distinct local days with a check-in. A range of whole
#: months is its last month's totals less those of the month before it. Months are written
#: once every booking touching them is sealed.
stats_member_months = Table(
    "stats_member_months",
    Base.metadata,
    Column("location_id", Uuid, nullable=False),
    Column("month", Integer, nullable=False),
    Column("member_id", Uuid, nullable=False),
    Column("bookings", BigInteger, nullable=False),
    Column("booked_seconds", BigInteger, nullable=False),
    Column("visit_days", BigInteger, nullable=False),
    Index("ix_stats_member_months_location_id_month", "location_id", "month"),
)
