import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.core.enums import BookingStatus
from app.core.schemas import Instant, RequestSchema, ResponseSchema


class BookingCreate(RequestSchema):
    desk_id: Annotated[uuid.UUID, Field(strict=False)]
    start: Instant
    end: Instant
    note: Annotated[str, Field(max_length=2000)] | None = None


class BookingRead(ResponseSchema):
    id: uuid.UUID
    desk_id: uuid.UUID
    member_id: uuid.UUID
    company_id: uuid.UUID | None
    start: datetime
    end: datetime
    status: BookingStatus = Field(
        description="Always current: a confirmed booking nobody checked in to by start + grace "
        "reads `no_show`, a checked-in one past its end reads `completed`, whether or not "
        "the periodic job has stored that yet."
    )
    created_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    cancelled_at: datetime | None
    note: str | None
