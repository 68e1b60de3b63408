import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from app.core.enums import CommuteMode, MemberGroup, Role
from app.core.schemas import Email, Name, Password, RequestSchema, ResponseSchema

Groups = Annotated[list[MemberGroup], Field(min_length=1, max_length=9)]
Municipality = Annotated[Name, Field(max_length=100)]
Postcode = Annotated[str, Field(pattern=r"^[0-9]{5}$", description="German postcode, 5 digits")]
CommuteKm = Annotated[float, Field(ge=0, le=300, description="One-way km (0–300)")]


def _distinct(groups: list[str] | None) -> list[str] | None:
    return None if groups is None else sorted(set(groups))


class MemberProfile(RequestSchema):
    """The fields a member states about themselves."""

    full_name: Name
    groups: Groups
    home_municipality: Municipality
    home_postcode: Postcode | None = None
    commute_km: CommuteKm | None = None
    commute_mode: CommuteMode | None = None

    _distinct_groups = field_validator("groups")(_distinct)


class MemberProfileUpdate(RequestSchema):
    """Only the fields sent change; optional fields may be cleared with ``null``."""

    full_name: Name | None = None
    groups: Groups | None = None
    home_municipality: Municipality | None = None
    home_postcode: Postcode | None = None
    commute_km: CommuteKm | None = None
    commute_mode: CommuteMode | None = None

    _distinct_groups = field_validator("groups")(_distinct)

    @model_validator(mode="after")
    def _required_stay_set(self) -> "MemberProfileUpdate":
        for field in ("full_name", "groups", "home_municipality"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be cleared")
        return self


class MemberRead(ResponseSchema):
    id: uuid.UUID
    email: str | None
    full_name: str | None
    groups: list[MemberGroup]
    verified_groups: list[MemberGroup] = Field(
        description="The groups an operator has confirmed; only these get a plan's reduced "
        "price (social tariff)."
    )
    role: Role
    home_municipality: str
    home_postcode: str | None
    commute_km: float | None
    commute_mode: CommuteMode | None
    active: bool
    created_at: datetime


class MemberAdminUpdate(RequestSchema):
    """What an operator may change on a member."""

    role: Role | None = None
    active: bool | None = None
    verified_groups: (
        Annotated[
            list[MemberGroup],
            Field(
                max_length=9,
                description="The member's groups the operator has confirmed (the social tariff); "
                "each must be one of the member's groups. Replaces the confirmed set.",
            ),
        ]
        | None
    ) = None

    _distinct_groups = field_validator("verified_groups")(_distinct)

    @model_validator(mode="after")
    def _no_nulls(self) -> "MemberAdminUpdate":
        for field in ("role", "active", "verified_groups"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class RegisterRequest(MemberProfile):
    email: Email
    password: Password
    invitation_token: Annotated[str, Field(min_length=1, max_length=200)] | None = None
