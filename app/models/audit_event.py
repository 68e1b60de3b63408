import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, UUIDPrimaryKey


class AuditEvent(UUIDPrimaryKey, Base):
    """One operator or company-admin change: who, what, when, before and after.

    ``actor_id`` is not a foreign key: the trail outlives an erased actor (whose row stays as an
    anonymous profile anyway) and must never block a deletion.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
