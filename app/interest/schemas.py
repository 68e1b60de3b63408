import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator

from app.core.i18n import N_
from app.core.schemas import Email, Name, RequestSchema, ResponseSchema

InterestKind = Literal["person", "company", "social_organisation", "partner"]
Text = Annotated[str, Field(max_length=2000)]

INTEREST_CONSENT_VERSION = "interest-contact-v1"
#: Marked for the web catalogue: /interest shows it in the page's language.
INTEREST_CONSENT_TEXT = N_(
    "I agree that the O-H-V coworking pilot stores these details to contact me about taking "
    "part in the trial. I can have them erased at any time."
)


class InterestCreate(RequestSchema):
    kind: InterestKind
    name: Name
    organisation: Name | None = None
    email: Email
    message: Text | None = None
    offers: Annotated[Text, Field(description="What one could offer the pilot.")] | None = None
    needs: Annotated[Text, Field(description="What one would need from the pilot.")] | None = None
    consent: Annotated[
        bool,
        Field(
            description=f"Must be `true`: “{INTEREST_CONSENT_TEXT}” "
            f"(version `{INTEREST_CONSENT_VERSION}`)."
        ),
    ]

    @field_validator("consent")
    @classmethod
    def _given(cls, value: bool) -> bool:
        if not value:
            raise ValueError("consent is required to store the details")
        return value


class InterestUpdate(RequestSchema):
    contacted: bool = Field(
        description="`true` records now as the contact time; `false` clears it."
    )


class InterestRead(ResponseSchema):
    id: uuid.UUID
    kind: InterestKind
    name: str
    organisation: str | None
    email: str
    message: str | None
    offers: str | None
    needs: str | None
    consented_at: datetime
    consent_text_version: str
    created_at: datetime
    contacted: bool
    contacted_at: datetime | None
