"""Building blocks for request and answer schemas.

Requests are strict: unknown fields are refused, a boolean is not a number and a number is
not a string. Instants must carry an offset and come as ISO 8601 strings; instants and dates
lie in the years 2000–2099 (:mod:`app.core.dates`). No text anywhere in a request may hold a
NUL character; names hold no control characters and are not blank.
"""

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from app.core.dates import YEARS, LocalDate, within_years

# An instant is text that starts with a calendar date and a time; pydantic alone would also
# read epoch seconds ("1800000000") as an instant.
_ISO_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")
_ASCII_INTEGER = re.compile(r"[0-9]{1,18}")
#: Unicode categories a name may not hold: control characters, lone surrogates, line and
#: paragraph separators.
_NOT_IN_NAMES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _iso_instant(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_INSTANT.match(value)):
        return value
    raise ValueError("expected an ISO 8601 date and time with offset")


def _to_utc(value: datetime) -> datetime:
    # Checked before converting: year 1 or 9999 with an offset overflows on the way to UTC.
    within_years(value.date())
    return value.astimezone(UTC)


def holds_nul(value: Any) -> bool:
    """Whether ``value`` (text, or lists and mappings of it, at any depth) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    return False


class RequestSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        # PostgreSQL cannot store NUL in text: refuse it here rather than fail in the database.
        if isinstance(data, dict):
            for name, value in data.items():
                if holds_nul(name) or holds_nul(value):
                    raise ValueError(f"{name}: text must not contain NUL characters")
        return data


class ResponseSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


#: An instant with an offset, e.g. ``2026-12-01T09:00:00+01:00``, in the years 2000–2099;
#: normalised to UTC.
Instant = Annotated[
    AwareDatetime,
    Field(strict=False, description=f"ISO 8601 date and time with offset; years {YEARS}."),
    BeforeValidator(_iso_instant),
    AfterValidator(_to_utc),
]
#: A calendar date ``YYYY-MM-DD`` in the years 2000–2099.
CalendarDate = LocalDate


def _ascii_integer(value: Any) -> Any:
    if isinstance(value, str) and not _ASCII_INTEGER.fullmatch(value):
        raise ValueError("expected an integer of ASCII digits")
    return value


#: An integer in a query string: ASCII digits only (no sign, no ``50.0``, no ``1e2``).
QueryInteger = Annotated[int, BeforeValidator(_ascii_integer)]


def _name(value: str) -> str:
    cleaned = unicodedata.normalize("NFC", value).strip()
    if not cleaned:
        raise ValueError("must not be blank")
    if any(unicodedata.category(character) in _NOT_IN_NAMES for character in cleaned):
        raise ValueError("must not contain control characters")
    return cleaned


#: A name a person typed (a member's, a company's, a location's, a municipality...): in NFC,
#: trimmed, not blank, without control characters; 1–200 characters unless narrowed.
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_name)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


#: A new password: 10–200 characters, not whitespace only (kept as typed otherwise).
Password = Annotated[str, Field(min_length=10, max_length=200), AfterValidator(_not_blank)]


def normalise_email(value: str) -> str:
    """The form every email is stored and compared in: trimmed, lower case, Unicode NFC.

    ``lower()`` rather than ``casefold()``: full case folding turns ``ß`` into ``ss``, which
    names another mailbox.
    """
    return unicodedata.normalize("NFC", value.strip().lower())


def _normalised_email(value: Any) -> Any:
    return normalise_email(value) if isinstance(value, str) else value


#: An email address, checked by ``email-validator`` and normalised (:func:`normalise_email`).
Email = Annotated[
    EmailStr,
    Field(max_length=254),
    BeforeValidator(_normalised_email),
    AfterValidator(normalise_email),
]
