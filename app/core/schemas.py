"""Building blocks for request and answer schemas.

Requests are strict: unknown fields are refused, a boolean is not a number and a number is
not a string. Instants must carry an offset and come as ISO 8601 strings.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str | datetime | date):
        raise ValueError("expected an ISO 8601 string")
    return value


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


class RequestSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        # PostgreSQL cannot store NUL in text: refuse it here rather than fail in the database.
        if isinstance(data, dict):
            for name, value in data.items():
                if _holds_nul(value):
                    raise ValueError(f"{name}: text must not contain NUL characters")
        return data


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


#: An instant with an offset, e.g. ``2026-12-01T09:00:00+01:00``; normalised to UTC.
Instant = Annotated[
    AwareDatetime,
    Field(strict=False),
    BeforeValidator(_iso_string),
    AfterValidator(_to_utc),
]
#: A calendar date ``YYYY-MM-DD``.
CalendarDate = Annotated[date, Field(strict=False), BeforeValidator(_iso_string)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=254)]
