"""The shared enumerations: one definition each for the database's CHECK constraints, the
schemas (named OpenAPI components) and the code that compares against them."""

from enum import StrEnum
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema


class _Enumeration(StrEnum):
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # Strict request schemas would want an instance; a request sends the value.
        return {**handler(source), "strict": False}


class Role(_Enumeration):
    MEMBER = "member"
    ANALYST = "analyst"
    OPERATOR = "operator"


class BookingStatus(_Enumeration):
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class MemberGroup(_Enumeration):
    FREELANCER = "freelancer"
    SELF_EMPLOYED = "self_employed"
    FOUNDER = "founder"
    EMPLOYEE = "employee"
    PARENT = "parent"
    SENIOR = "senior"
    JOB_SEEKER = "job_seeker"
    STUDENT = "student"
    OTHER = "other"


class DeskKind(_Enumeration):
    DESK = "desk"
    MEETING_ROOM = "meeting_room"
    PARENT_CHILD_ROOM = "parent_child_room"


class CommuteMode(_Enumeration):
    CAR = "car"
    PUBLIC_TRANSPORT = "public_transport"
    BIKE = "bike"
    FOOT = "foot"
    OTHER = "other"


class Language(_Enumeration):
    """The languages of e-mails and web pages; German is the default."""

    DE = "de"
    EN = "en"


class CompanyStatus(_Enumeration):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"


class CompanyRole(_Enumeration):
    ADMIN = "admin"
    EMPLOYEE = "employee"


def one_of(column: str, enum: type[StrEnum]) -> str:
    """The CHECK constraint's text, ``role IN ('member', 'analyst', 'operator')``: the
    migrations hold these words, so the order of the members is part of the schema."""
    return f"{column} IN {tuple(member.value for member in enum)!r}"
