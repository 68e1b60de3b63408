from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class RateLimitCounter(Base):
    """Hits of one limited key in one fixed time window.

    ``key`` is an HMAC-SHA256 (with the secret key) of the limit's scope and the limited
    identity (an email or a client address): neither is stored in clear.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int]
    # End of the window: expired rows are purged whenever a new window opens.
    expires_at: Mapped[datetime] = mapped_column(index=True)
