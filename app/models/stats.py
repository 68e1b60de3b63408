"""The statistics rollup: booked and used time of past bookings, summed per quarter hour.

A booking can no longer change once its end and its check-in window have passed. Those of a
location that started before its *seal* (``stats_seals.sealed_until``) are summed into
``stats_slot_deltas`` and no longer read one by one; see :mod:`app.stats.rollup`.
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class StatsSeal(Base):
    """How far the rollup of a location reaches: its bookings starting before
    ``sealed_until`` are in ``stats_slot_deltas``, the later ones are read from ``bookings``."""

    __tablename__ = "stats_seals"

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_until: Mapped[datetime]


class StatsSlotDelta(Base):
    """The start and end events of sealed bookings in one quarter hour (``quarter`` =
    seconds since 0001-01-01T00:00Z // 900) of one location and desk kind: how many booked
    (used) intervals start minus end in it, and their seconds into the quarter, signed alike
    (see :mod:`app.stats.repository`). Each refresh adds rows; ``batch`` is the seal it
    reached, so a quarter may have several rows and readers sum them."""

    __tablename__ = "stats_slot_deltas"

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    quarter: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    batch: Mapped[datetime] = mapped_column(primary_key=True)
    booked_n: Mapped[int] = mapped_column(BigInteger)
    booked_into: Mapped[int] = mapped_column(BigInteger)
    used_n: Mapped[int] = mapped_column(BigInteger)
    used_into: Mapped[int] = mapped_column(BigInteger)
