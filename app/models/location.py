import uuid
from datetime import date
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UUIDPrimaryKey


class Location(UUIDPrimaryKey, Base):
    __tablename__ = "locations"

    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64))
    # [{"weekday": 0-6, "opens": "HH:MM", "closes": "HH:MM"}], wall-clock times of the location
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {"min_duration_minutes": ..., "max_duration_minutes": ..., ...}
    booking_rules: Mapped[dict[str, int]] = mapped_column(JSON)


class Closure(UUIDPrimaryKey, Base):
    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("location_id", "date"),)

    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))
