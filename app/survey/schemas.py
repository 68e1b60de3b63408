import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from app.core.enums import CommuteMode, MemberGroup
from app.core.i18n import N_
from app.core.schemas import Email, Name, RequestSchema, ResponseSchema
from app.members.schemas import Groups

#: The municipalities of the region; a known name is stored in this spelling whatever its case.
KNOWN_MUNICIPALITIES = (
    "Oranienburg",
    "Hennigsdorf",
    "Velten",
    "Birkenwerder",
    "Hohen Neuendorf",
    "Kremmen",
    "Leegebruch",
    "Mühlenbecker Land",
    "Glienicke/Nordbahn",
    "Oberkrämer",
    "Liebenwalde",
    "Löwenberger Land",
    "Fürstenberg/Havel",
    "Zehdenick",
    "Gransee",
)
_CANONICAL = {name.casefold(): name for name in KNOWN_MUNICIPALITIES}

Need = Literal[
    "quiet_space",
    "meeting_room",
    "childcare",
    "accessible",
    "fast_internet",
    "printer",
    "community_events",
    "parking",
    "public_transport_access",
]
#: Shown to respondents beside the contact field; its version is stored with the consent.
#: Marked for the web catalogue: /survey shows it in the page's language.
SURVEY_CONSENT_VERSION = "survey-contact-v1"
SURVEY_CONSENT_TEXT = N_(
    "I agree that the O-H-V coworking pilot stores my email address to contact me about the "
    "pilot and its trial. I can withdraw this consent at any time."
)


def municipality_name(value: str) -> str:
    """Whitespace collapsed; a known municipality in its official spelling."""
    cleaned = re.sub(r"\s+", " ", value).strip()
    return _CANONICAL.get(cleaned.casefold(), cleaned)


def _municipality(value: str) -> str:
    cleaned = municipality_name(value)
    if not cleaned:
        raise ValueError("must not be blank")
    return cleaned


def _distinct(values: list[str]) -> list[str]:
    return sorted(set(values))


Municipality = Annotated[
    Name,
    Field(
        max_length=100,
        description="Free text (1–100 characters). Known municipalities of the region are "
        "stored in their official spelling whatever the case: "
        + ", ".join(KNOWN_MUNICIPALITIES)
        + ".",
        examples=["Oranienburg"],
    ),
    AfterValidator(_municipality),
]
Km = Annotated[float, Field(ge=0, le=300, allow_inf_nan=False)]
DaysPerWeek = Annotated[int, Field(ge=0, le=7)]


class SurveyAnswer(RequestSchema):
    """One answer to the needs survey. Anonymous unless a contact email is given with
    consent."""

    home_municipality: Municipality
    groups: Groups
    commute_km: Annotated[Km, Field(description="One-way distance to the usual workplace.")]
    commute_minutes: Annotated[int, Field(ge=0, le=300, description="One-way minutes.")]
    commute_mode: CommuteMode
    commute_days_per_week: Annotated[DaysPerWeek, Field(description="Days commuting today.")]
    coworking_days_per_week: Annotated[
        DaysPerWeek, Field(description="Days a week one would work in the coworking space.")
    ]
    needs: Annotated[list[Need], Field(max_length=9, description="A set; duplicates are ignored.")]
    needs_other: Annotated[str, Field(max_length=500)] | None = None
    price_per_day_eur: Annotated[
        float, Field(ge=0, le=100, allow_inf_nan=False, description="EUR one would pay a day.")
    ]
    cooperation_interest: bool
    wants_trial: bool
    contact_email: Email | None = None
    contact_consent: Annotated[
        bool,
        Field(
            description="Must be `true` when `contact_email` is given: "
            f"“{SURVEY_CONSENT_TEXT}” (version `{SURVEY_CONSENT_VERSION}`)."
        ),
    ] = False

    _distinct_groups = field_validator("groups")(_distinct)
    _distinct_needs = field_validator("needs")(_distinct)

    @field_validator("needs_other")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value.strip() or None) if value is not None else None

    @model_validator(mode="after")
    def _consent_for_contact(self) -> "SurveyAnswer":
        if self.contact_email is not None and not self.contact_consent:
            raise ValueError("contact_email is only stored with contact_consent: true")
        return self


class SurveySubmitted(ResponseSchema):
    id: uuid.UUID
    submitted_at: datetime


class NeedCount(ResponseSchema):
    need: Need
    responses: int
    share: float = Field(description="responses naming the need / all responses (0 if none)")


class MunicipalityCount(ResponseSchema):
    municipality: str | None = Field(
        description="A home municipality; null on the one row that folds the suppressed ones."
    )
    responses: int | None
    suppressed: bool


class GroupCount(ResponseSchema):
    group: MemberGroup
    responses: int | None
    suppressed: bool


class HistogramBin(ResponseSchema):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: float = Field(alias="from", description="Lower edge (inclusive).")
    to: float = Field(description="Upper edge (exclusive; inclusive for the last bin).")
    responses: int


class Distribution(ResponseSchema):
    mean: float | None
    median: float | None
    histogram: list[HistogramBin]


class SurveySummary(ResponseSchema):
    responses: int
    needs: list[NeedCount]
    by_municipality: list[MunicipalityCount]
    by_group: list[GroupCount]
    commute_km: Distribution
    price_per_day_eur: Distribution
    wants_trial: int = Field(description="Responses that want to join the trial.")
    cooperation_interest: int = Field(description="Responses interested in cooperation.")


class SideBySide(ResponseSchema):
    """One group or municipality: stated in the survey beside measured in the pilot."""

    survey_responses: int | None
    survey_share: float | None
    survey_suppressed: bool
    members: int | None
    member_share: float | None
    booked_hours: float | None
    booked_hours_share: float | None
    usage_suppressed: bool


class GroupSideBySide(SideBySide):
    group: MemberGroup


class MunicipalitySideBySide(SideBySide):
    municipality: str | None = Field(
        description="A municipality; null on the one row that folds those no side shows."
    )


class StatedCommute(ResponseSchema):
    respondents: int
    km_avoided_per_week: float


class MeasuredCommute(ResponseSchema):
    visits: int
    km_avoided: float
    km_avoided_per_week: float


class CommuteComparison(ResponseSchema):
    stated: StatedCommute
    measured: MeasuredCommute


class NeedsVsUsage(ResponseSchema):
    survey_responses: int
    members: int
    booked_hours: float
    by_group: list[GroupSideBySide]
    by_municipality: list[MunicipalitySideBySide]
    commute: CommuteComparison
