import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base


class WebSession(Base):
    """A signed-in browser. The cookie holds a random id of 256 bits; only its SHA-256 is
    stored, so a copy of the database cannot be replayed as anybody's session."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    # Sessions end after 14 days unused: each request moves this forward.
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)


class PasswordResetToken(Base):
    """A single-use password-reset link, valid for an hour; only the token's SHA-256 is kept."""

    __tablename__ = "password_reset_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
