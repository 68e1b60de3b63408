from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, UUIDPrimaryKey

INTEREST_KINDS = ("person", "company", "social_organisation", "partner")


class ExpressionOfInterest(UUIDPrimaryKey, Base):
    """Somebody who wants to take part in the trial; personal data, erased on request."""

    __tablename__ = "expressions_of_interest"
    __table_args__ = (CheckConstraint(f"kind IN {INTEREST_KINDS!r}", name="kind"),)

    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str | None] = mapped_column(String(2000))
    offers: Mapped[str | None] = mapped_column(String(2000))
    needs: Mapped[str | None] = mapped_column(String(2000))
    consented_at: Mapped[datetime]
    consent_text_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    contacted_at: Mapped[datetime | None]
