"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.audit_event import AuditEvent
from app.models.base import Base
from app.models.booking import Booking
from app.models.calendar_feed import CalendarFeed
from app.models.desk import Desk, DeskFeature
from app.models.location import Closure, Location
from app.models.member import Member, MemberGroup, RefreshToken

__all__ = [
    "AuditEvent",
    "Base",
    "Booking",
    "CalendarFeed",
    "Closure",
    "Desk",
    "DeskFeature",
    "Location",
    "Member",
    "MemberGroup",
    "RefreshToken",
]
