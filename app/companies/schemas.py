import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.core.enums import CompanyRole, CompanyStatus
from app.core.schemas import Email, Name, RequestSchema, ResponseSchema

InvitationMailStatus = Annotated[
    Literal["held", "sent", "dropped"],
    Field(
        description="`held`: not mailed while the company is not active (mailed when an "
        "operator activates it); `sent`: mailed (or logged without SMTP); `dropped`: used, "
        "withdrawn or expired before its mail could go out."
    ),
]
Seats = Annotated[int, Field(ge=0, le=10_000)]


class CompanyCreate(RequestSchema):
    name: Name
    contact_email: Email
    seats_requested: Annotated[Seats, Field(description="Seats the company asks for (0–10,000).")]


class CompanyUpdate(RequestSchema):
    """Only the fields sent change. `status` and `seats` are the operator's; a company admin
    may change the contact fields `name`, `contact_email` and `seats_requested`."""

    name: Name | None = None
    contact_email: Email | None = None
    seats_requested: Seats | None = None
    status: CompanyStatus | None = None
    seats: Seats | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "CompanyUpdate":
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class CompanyRead(ResponseSchema):
    id: uuid.UUID
    name: str
    contact_email: str
    seats_requested: int
    status: CompanyStatus
    seats: int = Field(
        description="Approved seats: the most workplace bookings of the "
        "company's employees at any one instant while the company is active."
    )
    created_at: datetime


class InvitationCreate(RequestSchema):
    email: Email


class InvitationCreated(ResponseSchema):
    id: uuid.UUID
    company_id: uuid.UUID
    email: str
    token: str = Field(description="Shown once; only its SHA-256 hash is stored.")
    expires_at: datetime
    mail_status: InvitationMailStatus


class InvitationRead(ResponseSchema):
    id: uuid.UUID
    company_id: uuid.UUID
    email: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    status: Literal["pending", "accepted", "expired"]
    mail_status: InvitationMailStatus


class InvitationAccept(RequestSchema):
    token: Annotated[str, Field(min_length=1, max_length=200)]


class EmployeeRead(ResponseSchema):
    id: uuid.UUID = Field(description="The member's id.")
    full_name: str | None
    email: str | None
    company_role: CompanyRole = Field(
        description="`admin` when the employee also administers the company."
    )
    joined_at: datetime


class CompanyJoined(ResponseSchema):
    company_id: uuid.UUID
    company_name: str
    company_role: CompanyRole
    joined_at: datetime


class UsageDay(ResponseSchema):
    date: date
    seats: int
    booked_hours: float
    peak_concurrent_seats: int
    seat_utilization: float


class UsageTotal(ResponseSchema):
    booked_hours: float
    peak_concurrent_seats: int
    seat_days_used: int
    seat_utilization: float


class CompanyUsage(ResponseSchema):
    company_id: uuid.UUID
    from_: date = Field(serialization_alias="from")
    to: date
    seats: int
    days: list[UsageDay]
    total: UsageTotal
