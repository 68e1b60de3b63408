import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.models.base import Base, UUIDPrimaryKey

SURVEY_NEEDS = (
    "quiet_space",
    "meeting_room",
    "childcare",
    "accessible",
    "fast_internet",
    "printer",
    "community_events",
    "parking",
    "public_transport_access",
)


class SurveyResponse(UUIDPrimaryKey, Base):
    """One anonymous answer to the needs survey; contact data, if any, lives apart in
    :class:`SurveyContact`."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("commute_km >= 0 AND commute_km <= 300", name="commute_km"),
        CheckConstraint("commute_minutes >= 0 AND commute_minutes <= 300", name="commute_minutes"),
        CheckConstraint(
            "commute_days_per_week >= 0 AND commute_days_per_week <= 7",
            name="commute_days_per_week",
        ),
        CheckConstraint(
            "coworking_days_per_week >= 0 AND coworking_days_per_week <= 7",
            name="coworking_days_per_week",
        ),
        CheckConstraint("price_per_day_eur >= 0 AND price_per_day_eur <= 100", name="price"),
    )

    submitted_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    home_municipality: Mapped[str] = mapped_column(String(100))
    commute_km: Mapped[float] = mapped_column(Float)
    commute_minutes: Mapped[int]
    commute_mode: Mapped[str] = mapped_column(String(20))
    commute_days_per_week: Mapped[int]
    coworking_days_per_week: Mapped[int]
    needs_other: Mapped[str | None] = mapped_column(String(500))
    price_per_day_eur: Mapped[float] = mapped_column(Float)
    cooperation_interest: Mapped[bool]
    wants_trial: Mapped[bool]

    group_rows: Mapped[list["SurveyResponseGroup"]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="SurveyResponseGroup.group"
    )
    need_rows: Mapped[list["SurveyResponseNeed"]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="SurveyResponseNeed.need"
    )


class SurveyResponseGroup(Base):
    """One row per group a respondent names, so the summary can ``GROUP BY`` group."""

    __tablename__ = "survey_response_groups"

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    group: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class SurveyResponseNeed(Base):
    __tablename__ = "survey_response_needs"

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    need: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class SurveyContact(Base):
    """A respondent's contact email with the record of their consent (GDPR Art. 7)."""

    __tablename__ = "survey_contacts"

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(254))
    consented_at: Mapped[datetime]
    consent_text_version: Mapped[str] = mapped_column(String(32))
