"""Synthetic pilot data at scale, for demos, load tests and the benchmark.

:func:`seed` fills an empty database with the three locations of the O-H-V region
(Oranienburg, Hennigsdorf, Velten) and their desks and rooms, members with a realistic mix of
groups, home municipalities and commutes, companies with employees (when the companies feature
exists), closures on public holidays, and N bookings over one year: most of it in the past,
a few weeks ahead. Demand peaks on Tuesdays to Thursdays, in the mornings and in autumn, dips in
summer and grows over the pilot; past bookings were checked in and out, cancelled or missed.

Everything is drawn from one ``random.Random(seed)``: a seed and a "now" give the same rows,
ids included. The booking invariants hold by construction: each desk's day is a sequence of
non-overlapping slots, a member holds at most one workplace per day, never more upcoming
bookings at a location than its rules allow, and a company's employees never hold more
workplaces on a day than the company has seats.

The scale follows N: about one desk per 560 bookings (two bookings per desk and open day), so
one million bookings make a space of some 1,800 desks and 40,000 members. Rows go in with bulk
inserts: PostgreSQL's ``COPY`` (asyncpg), SQLite's ``executemany``, in one transaction.
"""

import itertools
import math
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Connection, Table, func, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app import seed as seed_data
from app.core import clock
from app.core.config import Settings
from app.core.db import create_engine
from app.core.security import hash_password
from app.locations.hours import minutes_of
from app.models import Base
from app.models.booking import lead_seconds_of
from app.models.desk import WORKPLACE_KINDS

#: Every synthetic member signs in with this password (one shared hash: hashing 40,000
#: passwords with production argon2 would take an hour).
SYNTHETIC_PASSWORD = "synthetic-pilot-password"  # noqa: S105 - documented demo password
EMAIL_DOMAIN = "synthetic.example.org"
ANALYST_EMAIL = f"analyst@{EMAIL_DOMAIN}"
TIMEZONE = "Europe/Berlin"
BOOKINGS_PER_DESK = 560
BATCH = 50_000
UNIT = 15  # minutes: slots start and end on quarter hours
GRACE_MINUTES = 30
MAX_UPCOMING = 10
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
GRACE = GRACE_MINUTES * MINUTE
BOOKING_RULES = {
    "min_duration_minutes": 30,
    "max_duration_minutes": 600,
    "max_advance_days": 60,
    "check_in_grace_minutes": GRACE_MINUTES,
    "max_active_bookings_per_member": MAX_UPCOMING,
}


def _hours(days: Sequence[int], *intervals: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"weekday": d, "opens": o, "closes": c} for d in days for o, c in intervals]


@dataclass(frozen=True)
class LocationPlan:
    key: str
    name: str
    municipality: str
    address: str
    opening_hours: list[dict[str, Any]]
    desk_share: float
    min_desks: int


LOCATIONS = (
    LocationPlan(
        "oranienburg",
        "CoWorking Oranienburg",
        "Oranienburg",
        "Bernauer Straße 52, 16515 Oranienburg",
        _hours(range(5), ("08:00", "20:00")) + _hours([5], ("09:00", "14:00")),
        0.5,
        40,  # the benchmark books on 32 desks of the pilot location
    ),
    LocationPlan(
        "hennigsdorf",
        "CoWorking Hennigsdorf",
        "Hennigsdorf",
        "Rathausplatz 1, 16761 Hennigsdorf",
        _hours(range(5), ("07:30", "19:00")),
        0.3,
        12,
    ),
    LocationPlan(
        "velten",
        "CoWorking Velten",
        "Velten",
        "Viktoriastraße 2, 16727 Velten",
        _hours(range(5), ("08:00", "12:30"), ("13:00", "18:00")),  # closed over lunch
        0.2,
        8,
    ),
)


@dataclass(frozen=True)
class Municipality:
    name: str
    postcode: str
    weight: int
    location: str  # the nearest coworking location
    km_to_work: float  # typical one-way commute to the usual workplace (mostly Berlin)


MUNICIPALITIES = (
    Municipality("Oranienburg", "16515", 30, "oranienburg", 35),
    Municipality("Hohen Neuendorf", "16540", 8, "oranienburg", 22),
    Municipality("Birkenwerder", "16547", 5, "oranienburg", 27),
    Municipality("Mühlenbecker Land", "16567", 6, "oranienburg", 24),
    Municipality("Liebenwalde", "16559", 3, "oranienburg", 50),
    Municipality("Löwenberger Land", "16775", 2, "oranienburg", 55),
    Municipality("Gransee", "16775", 2, "oranienburg", 65),
    Municipality("Zehdenick", "16792", 2, "oranienburg", 60),
    Municipality("Hennigsdorf", "16761", 16, "hennigsdorf", 22),
    Municipality("Glienicke/Nordbahn", "16548", 5, "hennigsdorf", 18),
    Municipality("Berlin", "13503", 4, "hennigsdorf", 15),
    Municipality("Velten", "16727", 10, "velten", 30),
    Municipality("Oberkrämer", "16727", 4, "velten", 32),
    Municipality("Leegebruch", "16767", 4, "velten", 33),
    Municipality("Kremmen", "16766", 3, "velten", 42),
)

# The main group and how often it is a member's; "parent" is added on top (below).
MAIN_GROUPS = (
    ("employee", 38),
    ("freelancer", 16),
    ("self_employed", 12),
    ("founder", 5),
    ("job_seeker", 6),
    ("student", 6),
    ("senior", 9),
    ("other", 4),
)
PARENT_SHARE = {"employee": 0.3, "freelancer": 0.3, "self_employed": 0.3, "founder": 0.3}
NO_COMMUTE_GROUPS = frozenset({"senior", "job_seeker", "student", "other"})
# fmt: off
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannah", "Jonas", "Julia",
    "Karl", "Lea", "Lena", "Lukas", "Marie", "Max", "Mia", "Noah", "Paul", "Sophie", "Tim",
    "Tom", "Ute", "Jens", "Sabine", "Frank", "Birgit", "Uwe", "Katrin", "Ralf", "Heike", "Dirk",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun",
    "Zimmermann", "Krüger", "Hartmann", "Lange", "Werner", "Krause",
)
# fmt: on

# Features and the odds that a desk or room has them.
DESK_FEATURES = (
    ("monitor", 0.6),
    ("docking_station", 0.3),
    ("window", 0.25),
    ("standing", 0.2),
    ("quiet", 0.2),
    ("dual_monitor", 0.1),
    ("accessible", 0.08),
)
ROOM_FEATURES = (
    ("screen", 0.9),
    ("whiteboard", 0.7),
    ("video_conference", 0.5),
    ("accessible", 0.4),
)
PARENT_ROOM_FEATURES = (("child_friendly", 1.0), ("accessible", 0.6), ("changing_table", 0.5))
# Booking lengths in hours and their weights, per kind.
DURATIONS = {
    "desk": ((1, 8), (2, 14), (3, 14), (4, 22), (5, 8), (6, 10), (8, 16), (9, 5), (10, 3)),
    "meeting_room": ((1, 35), (1.5, 15), (2, 30), (3, 12), (4, 8)),
    "parent_child_room": ((2, 20), (3, 25), (4, 30), (5, 15), (6, 10)),
}
DURATION_UNITS = {
    kind: ([int(h * 60) // UNIT for h, _ in pairs], list(itertools.accumulate(w for _, w in pairs)))
    for kind, pairs in DURATIONS.items()
}
DAILY_CAP = {"desk": 5, "meeting_room": 8, "parent_child_room": 4}
POPULARITY = {"desk": 1.0, "meeting_room": 2.0, "parent_child_room": 0.8}
WEEKDAY_DEMAND = (0.85, 1.0, 1.0, 0.95, 0.65, 0.35, 0.0)
MONTH_DEMAND = (0.9, 0.95, 1.0, 0.95, 0.95, 0.9, 0.7, 0.65, 1.0, 1.0, 1.05, 0.8)
COMPANY_NAMES = (
    "Havelland Software GmbH",
    "Oberhavel Engineering AG",
    "Hennigsdorfer Schienentechnik Services",
    "Velten Keramik & Design",
    "Nordbahn Consulting",
    "Oranienburger Steuerberatung",
    "Kremmener Agrartechnik",
    "Liebenwalder Medienhaus",
)
NOTES = (
    "Videokonferenz am Vormittag",
    "Brauche ein Headset",
    "Komme mit dem Kind",
    "Bitte Platz am Fenster",
)


@dataclass
class SeedReport:
    """What :func:`seed` wrote."""

    rows: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class _Desk:
    id: uuid.UUID
    kind: str
    popularity: float


@dataclass
class _Site:
    plan: LocationPlan
    id: uuid.UUID
    desks: list[_Desk] = field(default_factory=list)
    closed: set[date] = field(default_factory=set)
    members: list[int] = field(default_factory=list)  # indexes into _World.member_ids
    weighted_members: list[int] = field(default_factory=list)

    def intervals(self, day: date) -> list[tuple[int, int]]:
        """The day's opening intervals in local minutes."""
        if day in self.closed:
            return []
        return sorted(
            (minutes_of(i["opens"]), minutes_of(i["closes"]))
            for i in self.plan.opening_hours
            if i["weekday"] == day.weekday()
        )


@dataclass
class _World:
    now: datetime
    days: list[date]
    sites: list[_Site]
    member_ids: list[uuid.UUID] = field(default_factory=list)
    # member index → (company index, seats) for employees of active companies
    employer: dict[int, tuple[int, int]] = field(default_factory=dict)
    company_ids: list[uuid.UUID] = field(default_factory=list)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(bytes=rng.randbytes(16), version=4)


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> dict[date, str]:
    """Public holidays of Brandenburg, and the operator's break between Christmas and New Year."""
    easter = _easter(year)
    days = {
        date(year, 1, 1): "Neujahr",
        easter - timedelta(days=2): "Karfreitag",
        easter + timedelta(days=1): "Ostermontag",
        date(year, 5, 1): "Tag der Arbeit",
        easter + timedelta(days=39): "Christi Himmelfahrt",
        easter + timedelta(days=50): "Pfingstmontag",
        date(year, 10, 3): "Tag der Deutschen Einheit",
        date(year, 10, 31): "Reformationstag",
    }
    for day in range(24, 32):
        days[date(year, 12, day)] = "Betriebsferien zwischen den Jahren"
    return days


def _features(rng: random.Random, odds: Sequence[tuple[str, float]]) -> list[str]:
    return [name for name, chance in odds if rng.random() < chance]


def _utc(zone: ZoneInfo, day: date) -> tuple[datetime, timedelta]:
    """Midnight of ``day`` as a UTC wall clock, and the zone's offset at noon of that day.

    No synthetic opening hour lies near a daylight-saving switch (02:00–03:00), so every
    booking minute of the day has the noon offset.
    """
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    offset = noon.utcoffset()
    assert offset is not None
    return datetime(day.year, day.month, day.day, tzinfo=UTC), offset


class Generator:
    """Draws the rows; :func:`seed` writes them."""

    def __init__(
        self, *, bookings: int, seed: int, now: datetime, past_days: int, future_days: int
    ) -> None:
        if bookings < 0 or past_days < 0 or future_days < 0 or past_days + future_days < 1:
            raise ValueError("bookings and days must not be negative, and the span not empty")
        self.bookings = bookings
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.zone = ZoneInfo(TIMEZONE)
        today = now.astimezone(self.zone).date()
        days = [today + timedelta(days=d) for d in range(-past_days, future_days)]
        self.world = _World(now=now.astimezone(UTC), days=days, sites=[])
        self.created = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC) - timedelta(
            days=60
        )
        self.shared_hash = hash_password(SYNTHETIC_PASSWORD)
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._plan_sites()
        self.allocation = self._allocate()
        self._plan_members()

    # -- places -------------------------------------------------------------------------
    def _plan_sites(self) -> None:
        rng = self.rng
        total = max(
            sum(p.min_desks for p in LOCATIONS), math.ceil(self.bookings / BOOKINGS_PER_DESK)
        )
        locations, desks, features, closures = [], [], [], []
        years = sorted({day.year for day in self.world.days})
        for plan in LOCATIONS:
            site = _Site(plan=plan, id=_uuid(rng))
            locations.append(
                {
                    "id": site.id,
                    "name": plan.name,
                    "municipality": plan.municipality,
                    "address": plan.address,
                    "timezone": TIMEZONE,
                    "opening_hours": plan.opening_hours,
                    "booking_rules": dict(BOOKING_RULES),
                }
            )
            count = max(plan.min_desks, round(total * plan.desk_share))
            rooms = max(1, count // 25)
            parent_rooms = max(1, count // 40)
            inactive = count // 100
            kinds = (
                [("meeting_room", f"Besprechungsraum {n}") for n in range(1, rooms + 1)]
                + [
                    ("parent_child_room", f"Eltern-Kind-Büro {n}")
                    for n in range(1, parent_rooms + 1)
                ]
                + [("desk", f"Platz {n}") for n in range(1, count - rooms - parent_rooms + 1)]
            )
            for position, (kind, name) in enumerate(kinds):
                desk_id = _uuid(rng)
                # The last few desks were taken out of service: kept, never booked.
                active = position < len(kinds) - inactive
                if kind == "desk":
                    tags, capacity = _features(rng, DESK_FEATURES), 1
                elif kind == "meeting_room":
                    tags, capacity = _features(rng, ROOM_FEATURES), rng.choice((4, 6, 8, 10, 12))
                else:
                    tags, capacity = _features(rng, PARENT_ROOM_FEATURES), 2
                desks.append(
                    {
                        "id": desk_id,
                        "location_id": site.id,
                        "name": name,
                        "kind": kind,
                        "capacity": capacity,
                        "active": active,
                        "created_at": self.created,
                    }
                )
                features += [{"desk_id": desk_id, "feature": tag} for tag in tags]
                if active:
                    weight = POPULARITY[kind] * (1.3 if "window" in tags else 1.0)
                    site.desks.append(_Desk(desk_id, kind, weight * rng.uniform(0.6, 1.4)))
            for year in years:
                for day, reason in holidays(year).items():
                    site.closed.add(day)
                    closures.append(
                        {"id": _uuid(rng), "location_id": site.id, "date": day, "reason": reason}
                    )
            self.world.sites.append(site)
        self.rows.update(
            locations=locations, desks=desks, desk_features=features, closures=closures
        )

    def _allocate(self) -> dict[tuple[int, int], int]:
        """Bookings per (site, day): demand by weekday, season and the pilot's growth, rounded
        so that the counts add up to exactly N."""
        rng, world = self.rng, self.world
        span = len(world.days)
        today = world.now.astimezone(self.zone).date()
        weights: list[tuple[tuple[int, int], float]] = []
        for d, day in enumerate(world.days):
            ahead = (day - today).days
            future = (
                (1 - ahead / (span - (today - world.days[0]).days + 1)) ** 1.5 if ahead > 0 else 1
            )
            trend = 0.55 + 0.45 * (d / span) ** 0.7
            for s, site in enumerate(world.sites):
                intervals = site.intervals(day)
                hours = sum(close - open_ for open_, close in intervals) / 60
                if not hours or not site.desks:
                    continue
                demand = WEEKDAY_DEMAND[day.weekday()] * MONTH_DEMAND[day.month - 1]
                noise = rng.uniform(0.85, 1.15)
                weight = demand * trend * future * noise * math.sqrt(hours / 11) * len(site.desks)
                weights.append(((s, d), weight))
        total = sum(weight for _, weight in weights) or 1.0
        allocation: dict[tuple[int, int], int] = {}
        running, assigned = 0.0, 0
        for key, weight in weights:
            running += self.bookings * weight / total
            count = round(running) - assigned
            assigned += count
            if count:
                allocation[key] = count
        return allocation

    # -- people -------------------------------------------------------------------------
    def _plan_members(self) -> None:
        rng, world = self.rng, self.world
        base = max(40, self.bookings // 25)
        members: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        for s, site in enumerate(world.sites):
            peak = max((c for (ss, _), c in self.allocation.items() if ss == s), default=0)
            size = max(math.ceil(peak * 1.6) + 10, round(base * site.plan.desk_share))
            towns = [m for m in MUNICIPALITIES if m.location == site.plan.key]
            town_weights = [m.weight for m in towns]
            for _ in range(size):
                index = len(world.member_ids)
                member_id = _uuid(rng)
                world.member_ids.append(member_id)
                site.members.append(index)
                site.weighted_members += [index] * rng.choices((1, 2, 4), (50, 35, 15))[0]
                town = rng.choices(towns, town_weights)[0]
                main = rng.choices([g for g, _ in MAIN_GROUPS], [w for _, w in MAIN_GROUPS])[0]
                member_groups = {main}
                if rng.random() < PARENT_SHARE.get(main, 0.05):
                    member_groups.add("parent")
                if main == "employee" and rng.random() < 0.05:
                    member_groups.add("founder")
                km, mode = self._commute(town, main)
                members.append(
                    {
                        "id": member_id,
                        "email": f"member{index:06d}@{EMAIL_DOMAIN}",
                        "password_hash": self.shared_hash,
                        "full_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        "role": "member",
                        "home_municipality": town.name,
                        "home_postcode": town.postcode,
                        "commute_km": km,
                        "commute_mode": mode,
                        "active": True,
                        "created_at": self.created + timedelta(minutes=rng.randrange(60 * 24 * 50)),
                    }
                )
                groups += [{"member_id": member_id, "group": g} for g in sorted(member_groups)]
        analyst_id = _uuid(rng)
        members.append(
            {
                "id": analyst_id,
                "email": ANALYST_EMAIL,
                "password_hash": self.shared_hash,
                "full_name": "Evaluation Team",
                "role": "analyst",
                "home_municipality": "Oranienburg",
                "home_postcode": None,
                "commute_km": None,
                "commute_mode": None,
                "active": True,
                "created_at": self.created,
            }
        )
        groups.append({"member_id": analyst_id, "group": "other"})
        self.rows.update(members=members, member_groups=groups)

    def _commute(self, town: Municipality, main: str) -> tuple[float | None, str | None]:
        rng = self.rng
        if main in NO_COMMUTE_GROUPS and rng.random() < 0.5:
            return None, None
        if rng.random() < 0.65:
            km = town.km_to_work * rng.uniform(0.8, 1.3)
        else:
            km = rng.uniform(1.0, 25.0)
        km = round(km * 2) / 2
        if km < 5:
            mode = rng.choices(("foot", "bike", "car", "public_transport"), (25, 45, 15, 15))[0]
        else:
            mode = rng.choices(("car", "public_transport", "bike", "other"), (55, 38, 4, 3))[0]
        return km, mode

    def plan_companies(self) -> None:
        """A few local companies with seats, an admin and employees; six of them active."""
        rng, world = self.rng, self.world
        statuses = ("active",) * 6 + ("pending", "suspended")
        employee_ids = {
            g["member_id"] for g in self.rows["member_groups"] if g["group"] == "employee"
        }
        staff_pool = [
            i for i, member_id in enumerate(world.member_ids) if member_id in employee_ids
        ]
        rng.shuffle(staff_pool)
        share = len(staff_pool) // len(COMPANY_NAMES)  # small pilots: small companies
        companies, links = [], []
        for number, (name, status) in enumerate(zip(COMPANY_NAMES, statuses, strict=True)):
            company_id = _uuid(rng)
            seats = 0 if status == "pending" else rng.choice((2, 3, 4, 5, 8, 10, 15))
            companies.append(
                {
                    "id": company_id,
                    "name": name,
                    "contact_email": f"kontakt{number}@{EMAIL_DOMAIN}",
                    "seats_requested": max(seats, 2),
                    "seats": seats,
                    "status": status,
                    "created_at": self.created,
                }
            )
            world.company_ids.append(company_id)
            size = min(max(seats, 2) * 2, max(1, share), len(staff_pool))
            staff = [staff_pool.pop() for _ in range(size)]
            for position, member in enumerate(staff):
                if status == "active":
                    world.employer[member] = (number, seats)
                roles = ("admin", "employee") if position == 0 else ("employee",)
                links += [
                    {
                        "company_id": company_id,
                        "member_id": world.member_ids[member],
                        "company_role": role,
                        "joined_at": self.created,
                    }
                    for role in roles
                ]
        self.rows.update(companies=companies, company_members=links)

    def plan_tariffs(self) -> None:
        """The demo tariffs; the free, unlimited trial plan is every location's default, so
        members without a membership book right away (as in the pilot)."""
        rng = self.rng
        plans, prices = [], []
        for name, description, price, period, days, social in seed_data.DEMO_PLANS:
            plan_id = _uuid(rng)
            plans.append(
                {
                    "id": plan_id,
                    "name": name,
                    "description": description,
                    "price_cents": price,
                    "period": period,
                    "included_days": days,
                    "active": True,
                    "created_at": self.created,
                }
            )
            if social is not None:
                prices += [
                    {"plan_id": plan_id, "group": group, "price_cents": social}
                    for group in seed_data.SOCIAL_GROUPS
                ]
        trial = plans[-1]["id"]
        defaults = [{"location_id": site.id, "plan_id": trial} for site in self.world.sites]
        self.rows.update(plans=plans, plan_group_prices=prices, location_default_plans=defaults)

    # -- bookings -----------------------------------------------------------------------
    def bookings_in_batches(self, size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of ``BOOKING_COLUMNS``, day by day, in lists of ``size``."""
        batch: list[tuple[Any, ...]] = []
        upcoming: Counter[int] = Counter()
        for d, day in enumerate(self.world.days):
            company_day: Counter[int] = Counter()
            for s, site in enumerate(self.world.sites):
                count = self.allocation.get((s, d), 0)
                if count:
                    batch += self._day(site, day, count, upcoming, company_day)
                while len(batch) >= size:
                    yield batch[:size]
                    batch = batch[size:]
        if batch:
            yield batch

    def _per_desk(self, site: _Site, intervals: list[tuple[int, int]], count: int) -> Counter[int]:
        """Spread ``count`` bookings over the site's desks by popularity, within daily caps."""
        rng = self.rng
        open_units = sum(close - open_ for open_, close in intervals) // UNIT
        caps = [min(DAILY_CAP[desk.kind], open_units // 2) for desk in site.desks]
        weights = list(itertools.accumulate(desk.popularity for desk in site.desks))
        drawn = Counter(rng.choices(range(len(site.desks)), cum_weights=weights, k=count))
        excess = sum(max(0, n - caps[i]) for i, n in drawn.items())
        if not excess:
            return drawn
        if count > sum(caps):
            raise RuntimeError("more bookings on one day than the desks can hold")
        for i in list(drawn):
            drawn[i] = min(drawn[i], caps[i])
        order = list(range(len(site.desks)))
        rng.shuffle(order)
        for i in itertools.cycle(order):
            if not excess:
                break
            if drawn[i] < caps[i]:
                drawn[i] += 1
                excess -= 1
        return drawn

    def _slots(
        self, kind: str, intervals: list[tuple[int, int]], count: int
    ) -> list[tuple[int, int]]:
        """``count`` non-overlapping (start, end) local minutes inside the intervals."""
        rng = self.rng
        per_interval = [count]
        if len(intervals) > 1:
            room = [(close - open_) // UNIT // 2 for open_, close in intervals]
            per_interval = [0] * len(intervals)
            for _ in range(count):
                free = [i for i, r in enumerate(room) if per_interval[i] < r]
                i = rng.choices(free, [intervals[j][1] - intervals[j][0] for j in free])[0]
                per_interval[i] += 1
        units_of, cumulative = DURATION_UNITS[kind]
        slots: list[tuple[int, int]] = []
        for (open_, close), n in zip(intervals, per_interval, strict=True):
            if not n:
                continue
            length = (close - open_) // UNIT
            units = rng.choices(units_of, cum_weights=cumulative, k=n)
            units = [min(u, length) for u in units]
            while sum(units) > length:
                longest = units.index(max(units))
                units[longest] = max(2, units[longest] // 2)
            spare = length - sum(units)
            # Short first gaps: people come in the morning, right after opening.
            gaps = (
                [rng.random() * 0.35] + [rng.random() * 0.6 for _ in range(n - 1)] + [rng.random()]
            )
            scale = spare / sum(gaps)
            cursor = open_
            for unit, gap in zip(units, gaps, strict=False):
                cursor += int(gap * scale) * UNIT
                slots.append((cursor, cursor + unit * UNIT))
                cursor += unit * UNIT
        return slots

    def _day(
        self,
        site: _Site,
        day: date,
        count: int,
        upcoming: Counter[int],
        company_day: Counter[int],
    ) -> list[tuple[Any, ...]]:
        rng, now = self.rng, self.world.now
        intervals = site.intervals(day)
        midnight, offset = _utc(self.zone, day)
        future = midnight - offset + timedelta(days=1) > now
        planned: list[tuple[_Desk, int, int]] = []
        for i, n in sorted(self._per_desk(site, intervals, count).items()):
            desk = site.desks[i]
            planned += [(desk, a, b) for a, b in self._slots(desk.kind, intervals, n)]
        workplaces = sum(1 for desk, _, _ in planned if desk.kind in WORKPLACE_KINDS)

        def free(member: int) -> bool:
            if future and upcoming[member] >= MAX_UPCOMING - 2:
                return False
            employer = self.world.employer.get(member)
            return employer is None or company_day[employer[0]] < employer[1]

        holders = iter(self._distinct_members(site, workplaces, free))
        rows = []
        for desk, start_minute, end_minute in planned:
            if desk.kind in WORKPLACE_KINDS:
                member = next(holders)
                employer = self.world.employer.get(member)
                company = None
                if employer is not None:
                    company_day[employer[0]] += 1
                    company = self.world.company_ids[employer[0]]
            else:
                # A meeting room may overlap one's desk; only the quota of upcoming bookings counts.
                member = rng.choice(site.members)
                while future and upcoming[member] >= MAX_UPCOMING - 2:
                    member = rng.choice(site.members)
                company = None
            start = midnight + timedelta(minutes=start_minute) - offset
            end = midnight + timedelta(minutes=end_minute) - offset
            if end > now:
                upcoming[member] += 1
            rows.append(self._booking(desk, member, company, start, end, day))
        return rows

    def _distinct_members(self, site: _Site, need: int, free: Callable[[int], bool]) -> list[int]:
        """``need`` different members of the site, the keen ones more likely."""
        rng = self.rng
        chosen: list[int] = []
        seen: set[int] = set()
        if not need:
            return chosen
        draws = min(len(site.weighted_members), need * 2 + 10)
        pools: tuple[Callable[[], list[int]], ...] = (
            lambda: rng.sample(site.weighted_members, draws),
            lambda: rng.sample(site.members, len(site.members)),  # rarely needed
        )
        for pool in pools:
            for member in pool():
                if member not in seen and free(member):
                    seen.add(member)
                    chosen.append(member)
                    if len(chosen) == need:
                        return chosen
        raise RuntimeError("too few members for one day's bookings")

    def _booking(
        self,
        desk: _Desk,
        member: int,
        company: uuid.UUID | None,
        start: datetime,
        end: datetime,
        day: date,
    ) -> tuple[Any, ...]:
        rng, now = self.rng, self.world.now
        random = rng.random
        check_in_until = min(start + GRACE, end)
        roll = random()
        if roll < 0.35:  # lead times: same day, a few days, weeks, up to the advance limit
            lead = MINUTE * (15 + random() * 705)
        elif roll < 0.7:
            lead = HOUR * (12 + random() * 60)
        elif roll < 0.95:
            lead = DAY * (3 + random() * 18)
        else:
            lead = DAY * (21 + random() * 38)
        created = start - lead
        if created > now:
            created = now - MINUTE * (1 + random() * 2879)
        created = created.replace(microsecond=0)
        checked_in = checked_out = cancelled = None
        if random() < 0.07:
            status = "cancelled"
            cancelled = created + (min(start, now) - created) * random()
            cancelled = cancelled.replace(microsecond=0)
        elif start > now:
            status = "confirmed"
        elif random() < 0.06:
            status = "no_show" if check_in_until < now else "confirmed"
        else:
            arrival = start + MINUTE * int(-15 + random() * (GRACE_MINUTES + 10))
            arrival = min(arrival, check_in_until)
            if arrival > now:
                status = "confirmed"  # may still come
            elif end > now:
                status, checked_in = "checked_in", arrival
            else:
                status, checked_in = "completed", arrival
                if random() < 0.85:
                    leave = end - MINUTE * int(random() * 46)
                    checked_out = max(leave, arrival + 15 * MINUTE)
                    checked_out = min(checked_out, end)
        note = rng.choice(NOTES) if random() < 0.02 else None
        return (
            _uuid(rng),
            desk.id,
            self.world.member_ids[member],
            company,
            start,
            end,
            status,
            desk.kind in WORKPLACE_KINDS,
            check_in_until,
            created,
            lead_seconds_of(start, created),
            checked_in,
            checked_out,
            cancelled,
            note,
            day,
        )


BOOKING_COLUMNS = (
    "id",
    "desk_id",
    "member_id",
    "company_id",
    "start",
    "end",
    "status",
    "is_workplace",
    "check_in_until",
    "created_at",
    "lead_seconds",
    "checked_in_at",
    "checked_out_at",
    "cancelled_at",
    "note",
    "local_date",
)
STATUS = BOOKING_COLUMNS.index("status")


def _log(message: str) -> None:
    sys.stderr.write(f"seed-synthetic: {message}\n")
    sys.stderr.flush()


async def _insert(connection: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: ``COPY`` on PostgreSQL (JSON columns go through a plain insert), else
    ``executemany``."""
    if not rows:
        return
    stored = await _stored_columns(connection, table.name)
    columns = [name for name in rows[0] if name in stored]
    if len(columns) < len(rows[0]):
        rows = [{name: row[name] for name in columns} for row in rows]
    json_columns = any(isinstance(table.c[c].type, JSON) for c in columns)
    if connection.dialect.name == "postgresql" and not json_columns:
        await _copy(connection, table.name, columns, [tuple(r[c] for c in columns) for r in rows])
        return
    for start in range(0, len(rows), BATCH):
        await connection.execute(insert(table), rows[start : start + BATCH])


async def _stored_columns(connection: AsyncConnection, table: str) -> set[str]:
    """The table's columns as the database has them: a column a newer model adds before its
    migration exists is left out rather than breaking the load."""

    def names(sync: Connection) -> set[str]:
        return {column["name"] for column in inspect(sync).get_columns(table)}

    return await connection.run_sync(names)


async def _copy(
    connection: AsyncConnection, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]
) -> None:
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(table, records=records, columns=list(columns))


async def _refuse_non_empty(connection: AsyncConnection) -> None:
    names = ("locations", "bookings", "companies", "plans")
    for table in (Base.metadata.tables[n] for n in names if n in Base.metadata.tables):
        if await connection.scalar(select(func.count()).select_from(table)):
            raise RuntimeError(
                f"the database already has {table.name}; seed-synthetic fills an empty one"
            )


async def seed(
    database_url: str,
    *,
    bookings: int,
    seed: int = 1,
    now: datetime | None = None,
    past_days: int = 340,
    future_days: int = 25,
    quiet: bool = False,
) -> SeedReport:
    """Fill the empty database at ``database_url`` with synthetic data; what it wrote.

    ``now`` (default: the app clock) is the moment the data describes: bookings before it
    happened (completed, no-show, cancelled), bookings after it are upcoming. The year runs
    from ``past_days`` before today to ``future_days`` after.
    """
    began = time.monotonic()
    say = (lambda _message: None) if quiet else _log
    generator = Generator(
        bookings=bookings,
        seed=seed,
        now=now or clock.now(),
        past_days=past_days,
        future_days=future_days,
    )
    tables = Base.metadata.tables
    if "companies" in tables:
        generator.plan_companies()
    if "location_default_plans" in tables:
        generator.plan_tariffs()
    report = SeedReport()
    statuses: Counter[str] = Counter()
    engine = create_engine(Settings(database_url=database_url, secret_key="x" * 32))
    try:
        async with engine.begin() as connection:
            await _refuse_non_empty(connection)
            for name, rows in generator.rows.items():
                await _insert(connection, tables[name], rows)
                report.rows[name] = len(rows)
            say(
                f"{report.rows['locations']} locations, {report.rows['desks']} desks, "
                f"{report.rows['members']} members written; {bookings} bookings to go"
            )
            table = tables["bookings"]
            columns = await _stored_columns(connection, "bookings")
            keep = [i for i, name in enumerate(BOOKING_COLUMNS) if name in columns]
            names = [BOOKING_COLUMNS[i] for i in keep]
            written, reported = 0, 0
            for batch in generator.bookings_in_batches():
                statuses.update(row[STATUS] for row in batch)
                if len(keep) < len(BOOKING_COLUMNS):
                    batch = [tuple(row[i] for i in keep) for row in batch]
                if connection.dialect.name == "postgresql":
                    await _copy(connection, table.name, names, batch)
                else:
                    await connection.execute(
                        insert(table), [dict(zip(names, row, strict=True)) for row in batch]
                    )
                written += len(batch)
                if written - reported >= 200_000 or written == bookings:
                    reported = written
                    say(f"{written} bookings ({time.monotonic() - began:.0f} s)")
            report.rows["bookings"] = written
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE"))
            await connection.commit()
    finally:
        await engine.dispose()
    report.statuses = dict(sorted(statuses.items()))
    report.seconds = time.monotonic() - began
    say(f"done in {report.seconds:.0f} s")
    return report
