import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from app.core.enums import DeskKind
from app.core.schemas import Name, RequestSchema, ResponseSchema

Feature = Annotated[str, Field(pattern=r"^[a-z0-9_\-]{1,40}$", description="e.g. monitor, quiet")]
Features = Annotated[list[Feature], Field(max_length=20)]
Capacity = Annotated[int, Field(ge=1, le=100)]


def _distinct(features: list[str] | None) -> list[str] | None:
    return None if features is None else sorted(set(features))


class DeskCreate(RequestSchema):
    location_id: Annotated[uuid.UUID, Field(strict=False)]
    name: Name
    kind: DeskKind = DeskKind.DESK
    capacity: Capacity = 1
    features: Features = []

    _distinct_features = field_validator("features")(_distinct)

    @model_validator(mode="after")
    def _single_desk(self) -> "DeskCreate":
        if self.kind == DeskKind.DESK and self.capacity != 1:
            raise ValueError("a desk has capacity 1")
        return self


class DeskUpdate(RequestSchema):
    """Only the fields sent change. A desk's kind and location are fixed once created;
    deactivating keeps its history and refuses new bookings."""

    name: Name | None = None
    capacity: Capacity | None = None
    features: Features | None = None
    active: bool | None = None

    _distinct_features = field_validator("features")(_distinct)

    @model_validator(mode="after")
    def _no_nulls(self) -> "DeskUpdate":
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class DeskRead(ResponseSchema):
    id: uuid.UUID
    location_id: uuid.UUID
    name: str
    kind: DeskKind
    capacity: int
    features: list[str]
    active: bool


class Interval(ResponseSchema):
    start: datetime
    end: datetime


class BusyInterval(Interval):
    booking_id: uuid.UUID | None = Field(default=None, description="Operators only (else absent)")
    member_id: uuid.UUID | None = Field(default=None, description="Operators only (else absent)")
    status: str


class DeskSchedule(ResponseSchema):
    desk_id: uuid.UUID
    date: date
    timezone: str
    closed: bool = Field(description="The location is closed that day (a closure).")
    opening_intervals: list[Interval]
    busy: list[BusyInterval]
