"""Start-up data: the bootstrap operator, the Oranienburg demo location and its plans."""

import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import is_sqlite
from app.core.enums import DeskKind, MemberGroup, Role
from app.members import repository as member_repository
from app.members import service as member_service
from app.models import Desk, DeskFeature, Location, LocationDefaultPlan, Plan, PlanGroupPrice
from app.survey import demo as survey_demo

# Any constant works; it only keeps two starting processes from seeding at once.
_SEED_LOCK_KEY = 0x0C0_40C
#: The demo's desks have ids derived from their names, so the API's examples (app/web/docs.py)
#: can name a desk that exists in every demo database.
_DEMO_NAMESPACE = uuid.UUID("5d0c7e3a-6f9b-4c4e-9a55-0b1f4e1c2d30")


def demo_desk_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_DEMO_NAMESPACE, name)


async def _serialise(session: AsyncSession) -> None:
    if not is_sqlite(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEED_LOCK_KEY})


async def ensure_bootstrap_operator(session: AsyncSession, settings: Settings) -> None:
    """Create the configured operator if missing; an existing account is never overwritten."""
    email, password = settings.bootstrap_operator_email, settings.bootstrap_operator_password
    if not email or not password:
        return
    await _serialise(session)
    if await member_repository.get_by_email(session, email) is not None:
        return
    await member_service.create(
        session,
        email=email,
        password=password,
        role=Role.OPERATOR,
        profile={"full_name": "Operator", "groups": ["other"], "home_municipality": "Oranienburg"},
    )


DEMO_DESKS: list[tuple[str, list[str]]] = [
    ("Platz 1", ["monitor", "window"]),
    ("Platz 2", ["monitor", "window"]),
    ("Platz 3", ["monitor", "standing"]),
    ("Platz 4", ["monitor", "standing"]),
    ("Platz 5", ["quiet"]),
    ("Platz 6", ["quiet", "monitor"]),
    ("Platz 7", ["accessible", "monitor"]),
    ("Platz 8", ["accessible"]),
    ("Platz 9", []),
    ("Platz 10", ["monitor"]),
    ("Platz 11", ["standing", "quiet"]),
    ("Platz 12", ["monitor", "quiet", "accessible"]),
]
DEMO_TIMEZONE = "Europe/Berlin"
WEEKDAY_HOURS = [{"weekday": day, "opens": "08:00", "closes": "20:00"} for day in range(5)]
SATURDAY_HOURS = [{"weekday": 5, "opens": "09:00", "closes": "14:00"}]


async def seed_demo(session: AsyncSession) -> bool:
    """Seed "CoWorking Oranienburg" into a database without locations; ``True`` if it did."""
    await _serialise(session)
    if await session.scalar(select(func.count()).select_from(Location)):
        return False
    location = Location(
        name="CoWorking Oranienburg",
        municipality="Oranienburg",
        address="Bernauer Straße 52, 16515 Oranienburg",
        timezone=DEMO_TIMEZONE,
        opening_hours=WEEKDAY_HOURS + SATURDAY_HOURS,
        booking_rules={
            "min_duration_minutes": 30,
            "max_duration_minutes": 600,
            "max_advance_days": 60,
            "check_in_grace_minutes": 30,
            "max_active_bookings_per_member": 10,
        },
    )
    session.add(location)
    await session.flush()
    desks = [
        Desk(
            id=demo_desk_id(name),
            location_id=location.id,
            name=name,
            kind=DeskKind.DESK,
            capacity=1,
            feature_rows=[DeskFeature(feature=f) for f in features],
        )
        for name, features in DEMO_DESKS
    ]
    desks.append(
        Desk(
            id=demo_desk_id("Besprechungsraum"),
            location_id=location.id,
            name="Besprechungsraum",
            kind=DeskKind.MEETING_ROOM,
            capacity=6,
            feature_rows=[DeskFeature(feature=f) for f in ("screen", "whiteboard")],
        )
    )
    desks.append(
        Desk(
            id=demo_desk_id("Eltern-Kind-Büro"),
            location_id=location.id,
            name="Eltern-Kind-Büro",
            kind=DeskKind.PARENT_CHILD_ROOM,
            capacity=2,
            feature_rows=[DeskFeature(feature=f) for f in ("child_friendly", "accessible")],
        )
    )
    session.add_all(desks)
    await session.flush()
    await _seed_plans(session, location)
    await survey_demo.seed_answers(session)
    return True


SOCIAL_GROUPS = (MemberGroup.JOB_SEEKER, MemberGroup.PARENT, MemberGroup.SENIOR)
# (name, description, price in cent, period, included days, social-tariff price in cent)
DEMO_PLANS: list[tuple[str, str, int, str, int | None, int | None]] = [
    ("Tagespass", "Ein Arbeitstag an einem Platz Ihrer Wahl.", 1500, "day", 1, 800),
    ("10er-Karte", "Zehn Arbeitstage, zwölf Monate gültig.", 12000, "pack", 10, 6500),
    (
        "Flex-Monat",
        "Bis zu zwölf Arbeitstage im Monat, Sozialtarif für Eltern, Senior:innen und "
        "Arbeitsuchende.",
        14900,
        "month",
        12,
        7900,
    ),
    (
        "Pilot-Testphase",
        "Kostenlos und unbegrenzt während der Pilotphase: gilt für alle ohne eigenen Tarif.",
        0,
        "month",
        None,
        None,
    ),
]


async def _seed_plans(session: AsyncSession, location: Location) -> None:
    """The demo tariffs; the unlimited "Pilot-Testphase" is the location's default plan, so
    members without a membership can book right away."""
    plans = [
        Plan(
            name=name,
            description=description,
            price_cents=price,
            period=period,
            included_days=days,
            group_prices=[]
            if social is None
            else [PlanGroupPrice(group=group, price_cents=social) for group in SOCIAL_GROUPS],
        )
        for name, description, price, period, days, social in DEMO_PLANS
    ]
    session.add_all(plans)
    await session.flush()
    session.add(LocationDefaultPlan(location_id=location.id, plan_id=plans[-1].id))
    await session.flush()
