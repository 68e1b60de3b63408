"""Every table, imported here so Alembic and the app see one metadata."""

from app.models.audit_event import AuditEvent
from app.models.base import Base
from app.models.booking import Booking
from app.models.calendar_feed import CalendarFeed
from app.models.company import Company, CompanyMember, Invitation
from app.models.desk import Desk, DeskFeature
from app.models.interest import ExpressionOfInterest
from app.models.location import Closure, Location
from app.models.member import Member, MemberGroup, RefreshToken
from app.models.plan import LocationDefaultPlan, Membership, Plan, PlanGroupPrice
from app.models.rate_limit import RateLimitCounter
from app.models.stats import (
    StatsSeal,
    stats_lead_days,
    stats_member_months,
    stats_slot_deltas,
    stats_start_days,
)
from app.models.survey import (
    SurveyContact,
    SurveyResponse,
    SurveyResponseGroup,
    SurveyResponseNeed,
)
from app.models.web_session import PasswordResetToken, WebSession

__all__ = [
    "AuditEvent",
    "Base",
    "Booking",
    "CalendarFeed",
    "Closure",
    "Company",
    "CompanyMember",
    "Desk",
    "DeskFeature",
    "ExpressionOfInterest",
    "Invitation",
    "Location",
    "LocationDefaultPlan",
    "Member",
    "MemberGroup",
    "Membership",
    "PasswordResetToken",
    "Plan",
    "PlanGroupPrice",
    "RateLimitCounter",
    "RefreshToken",
    "StatsSeal",
    "SurveyContact",
    "SurveyResponse",
    "SurveyResponseGroup",
    "SurveyResponseNeed",
    "WebSession",
    "stats_lead_days",
    "stats_member_months",
    "stats_slot_deltas",
    "stats_start_days",
]
