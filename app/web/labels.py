"""The words pages show for the API's enumerations, marked for the catalogues (``N_``) and
translated when a page renders them (``page.gettext``)."""

from app.core.enums import BookingStatus, CommuteMode, DeskKind, MemberGroup
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
