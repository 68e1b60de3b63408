"""The words pages show for the API's enumerations, marked for the catalogues (``N_``) and
translated when a page renders them (``page.gettext``)."""

from app.core.enums import BookingStatus, CommuteMode, CompanyStatus, DeskKind, MemberGroup
from app.core.i18n import N_

GROUPS: dict[str, str] = {
    MemberGroup.FREELANCER: N_("Freelancer"),
    MemberGroup.SELF_EMPLOYED: N_("Self-employed"),
    MemberGroup.FOUNDER: N_("Founder"),
    MemberGroup.EMPLOYEE: N_("Employee"),
    MemberGroup.PARENT: N_("Parent"),
    MemberGroup.SENIOR: N_("Senior"),
    MemberGroup.JOB_SEEKER: N_("Job seeker"),
    MemberGroup.STUDENT: N_("Student"),
    MemberGroup.OTHER: N_("Other"),
}

COMMUTE_MODES: dict[str, str] = {
    CommuteMode.CAR: N_("Car"),
    CommuteMode.PUBLIC_TRANSPORT: N_("Bus and train"),
    CommuteMode.BIKE: N_("Bicycle"),
    CommuteMode.FOOT: N_("On foot"),
    CommuteMode.OTHER: N_("Other means"),
}

BOOKING_STATUSES: dict[str, str] = {
    BookingStatus.CONFIRMED: N_("confirmed"),
    BookingStatus.CHECKED_IN: N_("checked in"),
    BookingStatus.COMPLETED: N_("completed"),
    BookingStatus.CANCELLED: N_("cancelled"),
    BookingStatus.NO_SHOW: N_("not attended"),
}

DESK_KINDS: dict[str, str] = {
    DeskKind.DESK: N_("Workplace"),
    DeskKind.MEETING_ROOM: N_("Meeting room"),
    DeskKind.PARENT_CHILD_ROOM: N_("Parent-and-child room"),
}

#: The needs of the survey (app.survey.schemas.Need).
NEEDS: dict[str, str] = {
    "quiet_space": N_("A quiet place to work"),
    "meeting_room": N_("A meeting room"),
    "childcare": N_("Childcare"),
    "accessible": N_("Step-free access"),
    "fast_internet": N_("Fast internet"),
    "printer": N_("A printer"),
    "community_events": N_("Events to meet others"),
    "parking": N_("Parking"),
    "public_transport_access": N_("Good bus and train connections"),
}

#: Who registers interest (app.interest.schemas.InterestKind).
INTEREST_KINDS: dict[str, str] = {
    "person": N_("A person"),
    "company": N_("A company"),
    "social_organisation": N_("A social organisation"),
    "partner": N_("A partner of the pilot"),
}

COMPANY_STATUSES: dict[str, str] = {
    CompanyStatus.PENDING: N_("waiting for approval"),
    CompanyStatus.ACTIVE: N_("active"),
    CompanyStatus.SUSPENDED: N_("suspended"),
}
