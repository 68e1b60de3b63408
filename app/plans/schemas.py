import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from app.core.enums import MemberGroup
from app.core.schemas import CalendarDate, Name, RequestSchema, ResponseSchema

PlanPeriod = Literal["day", "month", "pack"]
PriceCents = Annotated[int, Field(ge=0, le=10_000_000, description="Price in cent (EUR).")]
IncludedDays = Annotated[
    int,
    Field(ge=1, le=366, description="Days of coworking included per period; null: unlimited."),
]
Description = Annotated[str, Field(max_length=2000)]


class GroupPrice(RequestSchema):
    group: MemberGroup
    price_cents: PriceCents


def _distinct_groups(prices: list[GroupPrice] | None) -> list[GroupPrice] | None:
    if prices is None:
        return None
    groups = [price.group for price in prices]
    if len(set(groups)) != len(groups):
        raise ValueError("each group may have one price")
    return sorted(prices, key=lambda price: price.group)


GroupPrices = Annotated[
    list[GroupPrice],
    Field(
        max_length=9,
        description="Reduced prices for members of a group (the social tariff); a member pays "
        "the lowest price any of their operator-confirmed groups (or the plan) offers.",
    ),
]


class PlanCreate(RequestSchema):
    name: Name
    description: Description = ""
    price_cents: PriceCents
    period: Annotated[
        PlanPeriod,
        Field(
            description="`day`: a day pass, valid on its day; `month`: one month from its "
            "first day; `pack`: a card of `included_days` days, valid twelve months."
        ),
    ]
    included_days: IncludedDays | None = None
    group_prices: GroupPrices = []
    active: Annotated[bool, Field(description="Inactive plans take no new memberships.")] = True

    _check_groups = field_validator("group_prices")(_distinct_groups)


class PlanUpdate(RequestSchema):
    """Only the fields sent change; `group_prices` is replaced as a whole and
    `included_days: null` makes the plan unlimited. Existing memberships keep their price."""

    name: Name | None = None
    description: Description | None = None
    price_cents: PriceCents | None = None
    period: PlanPeriod | None = None
    included_days: IncludedDays | None = None
    group_prices: GroupPrices | None = None
    active: bool | None = None

    _check_groups = field_validator("group_prices")(_distinct_groups)

    @model_validator(mode="after")
    def _no_nulls(self) -> "PlanUpdate":
        for field in self.model_fields_set - {"included_days"}:
            if getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class GroupPriceRead(ResponseSchema):
    group: MemberGroup
    price_cents: int


class PlanRead(ResponseSchema):
    id: uuid.UUID
    name: str
    description: str
    price_cents: int
    period: PlanPeriod
    included_days: int | None
    group_prices: list[GroupPriceRead]
    active: bool
    created_at: datetime


class DefaultPlanUpdate(RequestSchema):
    plan_id: Annotated[
        uuid.UUID | None, Field(strict=False, description="null: no default (unlimited).")
    ]


class DefaultPlanRead(ResponseSchema):
    location_id: uuid.UUID
    plan: PlanRead | None = Field(
        description="The plan members without a membership book under; null: unlimited."
    )


class MembershipCreate(RequestSchema):
    plan_id: Annotated[uuid.UUID, Field(strict=False)]
    starts_on: Annotated[
        CalendarDate | None,
        Field(description="First day (default: today in Europe/Berlin); not in the past."),
    ] = None


class MembershipRead(ResponseSchema):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    period: PlanPeriod
    starts_on: date
    ends_on: date = Field(description="Last day of the membership (inclusive).")
    price_cents: int = Field(description="The price agreed (social tariff applied); not charged.")
    included_days: int | None
    used_days: int = Field(description="Local days with a booking on this membership.")
    remaining_days: int | None = Field(description="null: unlimited.")
    created_at: datetime
