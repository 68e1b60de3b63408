"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.base import Base
from app.models.booking import Booking
from app.models.desk import Desk, DeskFeature
from app.models.location import Closure, Location
from app.models.member import Member, MemberGroup, RefreshToken

__all__ = [
    "Base",
    "Booking",
    "Closure",
    "Desk",
    "DeskFeature",
    "Location",
    "Member",
    "MemberGroup",
    "RefreshToken",
]
