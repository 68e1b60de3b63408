import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base


class CalendarFeed(Base):
    """A member's secret iCalendar URL.

    The token is derived from ``nonce`` with the secret key (HMAC) and only its SHA-256 is
    stored: a copy of the database alone cannot open anybody's feed. Rotating draws a new nonce.
    """

    __tablename__ = "calendar_feeds"

    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
