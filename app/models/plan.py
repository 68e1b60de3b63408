import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.models.base import Base, UUIDPrimaryKey

PLAN_PERIODS = ("day", "month", "pack")


class Plan(UUIDPrimaryKey, Base):
    """A tariff. ``included_days`` per period; NULL means unlimited. Prices in cent (EUR)."""

    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint(f"period IN {PLAN_PERIODS!r}", name="period"),
        CheckConstraint("price_cents >= 0", name="price_cents"),
        CheckConstraint("included_days IS NULL OR included_days >= 1", name="included_days"),
    )

    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    price_cents: Mapped[int]
    period: Mapped[str] = mapped_column(String(16))
    included_days: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    group_prices: Mapped[list["PlanGroupPrice"]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="PlanGroupPrice.group"
    )


class PlanGroupPrice(Base):
    """A reduced price of a plan for members of one group (the social tariff)."""

    __tablename__ = "plan_group_prices"
    __table_args__ = (CheckConstraint("price_cents >= 0", name="price_cents"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(String(20), primary_key=True)
    price_cents: Mapped[int]


class Membership(UUIDPrimaryKey, Base):
    """A member's subscription to a plan for one period, ``starts_on`` to ``ends_on``
    (local dates, inclusive). The price is recorded as agreed; nothing is charged."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="period"),)

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id", ondelete="RESTRICT"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    price_cents: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class LocationDefaultPlan(Base):
    """The plan members without a membership book under at a location (none: unlimited)."""

    __tablename__ = "location_default_plans"

    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True
    )
    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plans.id", ondelete="RESTRICT"), index=True
    )
