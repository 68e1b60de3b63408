import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.enums import BookingStatus, one_of
from app.models.base import Base, UUIDPrimaryKey

BOOKING_STATUSES: tuple[str, ...] = tuple(BookingStatus)
# Statuses that hold the desk. The exclusion constraints (migration 0001) use the same list.
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def lead_seconds_of(start: datetime, created_at: datetime) -> int:
    """Whole seconds from ``created_at`` to ``start``, each instant's sub-seconds dropped (as
    the statistics count every instant)."""
    whole = start.replace(microsecond=0) - created_at.replace(microsecond=0)
    return whole.days * 86_400 + whole.seconds


class Booking(UUIDPrimaryKey, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint('"end" > start', name="interval"),
        CheckConstraint(one_of("status", BookingStatus), name="status"),
        UniqueConstraint("member_id", "idempotency_key"),
        Index("ix_bookings_desk_id_start", "desk_id", "start"),
        Index("ix_bookings_member_id_start", "member_id", "start"),
        Index("ix_bookings_start", "start"),
        # Statistics select the bookings overlapping a range: start < range end and end > range
        # start; recent ranges are found through "end" (migration 0004).
        Index("ix_bookings_end", "end"),
        Index("ix_bookings_status_check_in_until", "status", "check_in_until"),
        Index("ix_bookings_company_id_local_date", "company_id", "local_date"),
        # The median lead time ranks the bookings of its middle day of lead (migration 0008).
        Index("ix_bookings_lead_seconds_start", "lead_seconds", "start"),
    )

    desk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("desks.id", ondelete="RESTRICT"))
    member_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    # Set while the member's company is active and the desk a workplace: a company seat.
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT")
    )
    start: Mapped[datetime]
    end: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default=BookingStatus.CONFIRMED)
    # Copied from the desk's kind: the member's overlap rule covers workplaces only, and a
    # database constraint cannot look into another table.
    is_workplace: Mapped[bool]
    # start + the location's check-in grace at booking time; a confirmed booking past it is a
    # no-show.
    check_in_until: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # lead_seconds_of(start, created_at): the lead time the statistics count, stored so that
    # an index finds the lead times of one day of lead.
    lead_seconds: Mapped[int] = mapped_column(BigInteger)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(2000))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of the request body the key was first used with
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The local day (location's time zone) the booking falls on: the day of plan entitlement
    # and of company usage. A booking never spans two local days.
    local_date: Mapped[date | None]
    # The membership whose day this personal booking uses; NULL on company seats and under the
    # location's default plan.
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
