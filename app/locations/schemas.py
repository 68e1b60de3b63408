import itertools
import uuid
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import Field, field_validator, model_validator

from app.core.schemas import CalendarDate, Name, RequestSchema, ResponseSchema
from app.locations.hours import minutes_of

WallClock = Annotated[str, Field(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
Municipality = Annotated[Name, Field(max_length=100)]
Address = Annotated[str, Field(min_length=1, max_length=300)]


class OpeningInterval(RequestSchema):
    weekday: Annotated[int, Field(ge=0, le=6, description="Monday = 0 … Sunday = 6")]
    opens: Annotated[WallClock, Field(description="Local wall-clock time HH:MM")]
    closes: Annotated[WallClock, Field(description='Local wall-clock time HH:MM; "24:00" allowed')]

    @model_validator(mode="after")
    def _opens_before_closes(self) -> "OpeningInterval":
        if self.opens == "24:00":
            raise ValueError('opens cannot be "24:00"')
        if minutes_of(self.closes) <= minutes_of(self.opens):
            raise ValueError("closes must be after opens on the same day")
        return self


class BookingRules(RequestSchema):
    min_duration_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    max_duration_minutes: Annotated[int, Field(ge=1, le=1440)] = 600
    max_advance_days: Annotated[int, Field(ge=0, le=730)] = 60
    check_in_grace_minutes: Annotated[int, Field(ge=0, le=1440)] = 30
    max_active_bookings_per_member: Annotated[int, Field(ge=1, le=1000)] = 10

    @model_validator(mode="after")
    def _min_not_above_max(self) -> "BookingRules":
        if self.min_duration_minutes > self.max_duration_minutes:
            raise ValueError("min_duration_minutes cannot exceed max_duration_minutes")
        return self


class BookingRulesUpdate(RequestSchema):
    """Rules to change; the others keep their stored values."""

    min_duration_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    max_duration_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    max_advance_days: Annotated[int, Field(ge=0, le=730)] | None = None
    check_in_grace_minutes: Annotated[int, Field(ge=0, le=1440)] | None = None
    max_active_bookings_per_member: Annotated[int, Field(ge=1, le=1000)] | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> "BookingRulesUpdate":
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


def _valid_timezone(name: str) -> str:
    if name not in _TIMEZONES:
        raise ValueError("not a known IANA time zone")
    ZoneInfo(name)
    return name


def _no_overlaps(hours: list[OpeningInterval] | None) -> list[OpeningInterval] | None:
    if hours is None:
        return None
    ordered = sorted(hours, key=lambda i: (i.weekday, minutes_of(i.opens)))
    for before, after in itertools.pairwise(ordered):
        if before.weekday == after.weekday and minutes_of(after.opens) < minutes_of(before.closes):
            raise ValueError(f"opening intervals of weekday {before.weekday} overlap")
    return ordered


_TIMEZONES = frozenset(available_timezones())
OpeningHours = Annotated[list[OpeningInterval], Field(max_length=70)]
Timezone = Annotated[str, Field(max_length=64, description="IANA time zone")]


class LocationCreate(RequestSchema):
    name: Name
    municipality: Municipality
    address: Address
    timezone: Timezone = "Europe/Berlin"
    opening_hours: OpeningHours = []
    booking_rules: BookingRules = BookingRules()

    _check_timezone = field_validator("timezone")(_valid_timezone)
    _check_hours = field_validator("opening_hours")(_no_overlaps)


class LocationUpdate(RequestSchema):
    """Only the fields sent change, within `booking_rules` too."""

    name: Name | None = None
    municipality: Municipality | None = None
    address: Address | None = None
    timezone: Timezone | None = None
    opening_hours: OpeningHours | None = None
    booking_rules: BookingRulesUpdate | None = None

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, name: str | None) -> str | None:
        return None if name is None else _valid_timezone(name)

    _check_hours = field_validator("opening_hours")(_no_overlaps)

    @model_validator(mode="after")
    def _no_nulls(self) -> "LocationUpdate":
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class OpeningIntervalRead(ResponseSchema):
    weekday: int
    opens: str
    closes: str


class BookingRulesRead(ResponseSchema):
    min_duration_minutes: int
    max_duration_minutes: int
    max_advance_days: int
    check_in_grace_minutes: int
    max_active_bookings_per_member: int


class LocationRead(ResponseSchema):
    id: uuid.UUID
    name: str
    municipality: str
    address: str
    timezone: str
    opening_hours: list[OpeningIntervalRead]
    booking_rules: BookingRulesRead


class ClosureCreate(RequestSchema):
    date: CalendarDate
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class ClosureRead(ResponseSchema):
    id: uuid.UUID
    location_id: uuid.UUID
    date: date
    reason: str


class ClosureCreated(ClosureRead):
    cancelled_bookings: int = Field(description="Active bookings of that day, now cancelled.")
