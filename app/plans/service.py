"""Plans (tariffs), memberships and the entitlement rule of bookings.

Entitlement: a personal booking (not on a company seat) uses one day of the member's plan —
the local day of the booking's location it falls on; more bookings on that day use no more.
A membership covers one period, ``starts_on`` to ``ends_on``; within it at most
``included_days`` days (none: unlimited). A member with no membership valid on the day books
under the location's default plan (none set: unlimited; the demo's is the unlimited
"Pilot-Testphase"). Cancelled bookings free their day. The booking service calls
:func:`claim_day` after locking the member's row, so a member's concurrent bookings are
counted exactly. No payment processing: prices are recorded, never charged.
"""

import uuid
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import clock
from app.core.db import raise_for_integrity
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.members import repository as member_repository
from app.models import LocationDefaultPlan, Member, Membership, Plan, PlanGroupPrice
from app.plans import repository
from app.plans.schemas import MembershipCreate, PlanCreate, PlanUpdate

#: The pilot's home zone: "today" for a membership that names no first day.
HOME_ZONE = ZoneInfo("Europe/Berlin")
MAX_START_AHEAD = timedelta(days=366)
PLAN_FIELDS = ("name", "description", "price_cents", "period", "included_days", "active")


def _snapshot(plan: Plan) -> dict[str, Any]:
    values = audit.snapshot(plan, PLAN_FIELDS)
    values["group_prices"] = {row.group: row.price_cents for row in plan.group_prices}
    return values


async def _flush_unique_name(session: AsyncSession, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        duplicate = Conflict(f"A plan named {name!r} exists already.")
        raise_for_integrity(error, {"uq_plans_name": duplicate})


async def create(session: AsyncSession, *, actor: Member, data: PlanCreate) -> Plan:
    values = data.model_dump(exclude={"group_prices"})
    plan = Plan(
        **values,
        created_at=clock.now(),
        group_prices=[PlanGroupPrice(**price.model_dump()) for price in data.group_prices],
    )
    session.add(plan)
    await _flush_unique_name(session, data.name)
    await audit.record(
        session,
        actor=actor,
        action="plan.created",
        target_type="plan",
        target_id=plan.id,
        after=_snapshot(plan),
    )
    return plan


async def update(session: AsyncSession, *, actor: Member, plan: Plan, changes: PlanUpdate) -> Plan:
    """Existing memberships keep their price and period; new ones get the new terms."""
    async with audit.update(
        session,
        actor=actor,
        target=plan,
        action="plan.updated",
        target_type="plan",
        audited=_snapshot,
        flush=lambda: _flush_unique_name(session, plan.name),
    ) as values:
        values.update(changes.model_dump(exclude_unset=True))
        if "group_prices" in values:
            plan.group_prices = [PlanGroupPrice(**price) for price in values.pop("group_prices")]
    return plan


async def remove(session: AsyncSession, *, actor: Member, plan: Plan) -> None:
    """Only a plan nobody subscribed to and no location uses; otherwise deactivate it."""
    if await repository.in_use(session, plan.id):
        raise Conflict(
            "The plan has memberships or is a location's default; set `active: false` instead."
        )
    before = _snapshot(plan)
    await session.delete(plan)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="plan.deleted",
        target_type="plan",
        target_id=plan.id,
        before=before,
    )


async def set_default(
    session: AsyncSession, *, actor: Member, location_id: uuid.UUID, plan_id: uuid.UUID | None
) -> Plan | None:
    """The plan members without a membership book under at the location (None: unlimited)."""
    plan = None
    if plan_id is not None:
        plan = await repository.get(session, plan_id)
        if plan is None:
            raise ValidationFailed("plan_id: no such plan.")
    previous = await repository.default_of(session, location_id)
    await session.execute(
        delete(LocationDefaultPlan).where(LocationDefaultPlan.location_id == location_id)
    )
    if plan is not None:
        session.add(LocationDefaultPlan(location_id=location_id, plan_id=plan.id))
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="location.default_plan_set",
        target_type="location",
        target_id=location_id,
        before={"plan_id": previous and previous.id},
        after={"plan_id": plan_id},
    )
    return plan


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def membership_end(period: str, starts_on: date) -> date:
    """Last day of a membership: a day pass its day; a month until the day before the same
    day next month (the month's last day when it has no such day); a pack twelve months."""
    if period == "day":
        return starts_on
    following = _add_months(starts_on, 1 if period == "month" else 12)
    return following if following.day != starts_on.day else following - timedelta(days=1)


def price_for(plan: Plan, member: Member) -> int:
    """The lowest of the plan's price and the reduced prices of the member's groups that an
    operator has confirmed (``verified_groups``): declaring a group never lowers a price."""
    groups = set(member.verified_groups)
    reduced = [row.price_cents for row in plan.group_prices if row.group in groups]
    return min([plan.price_cents, *reduced])


def today() -> date:
    return clock.now().astimezone(HOME_ZONE).date()


async def subscribe(session: AsyncSession, *, member: Member, data: MembershipCreate) -> Membership:
    """A membership of ``member`` in an active plan, from ``starts_on`` (default today).

    A member holds at most one membership of a plan at a time: 409 when the new period
    overlaps one of the member's memberships of the same plan (checked under the member's
    row lock, so concurrent subscriptions cannot both pass)."""
    plan = await repository.get(session, data.plan_id)
    if plan is None:
        raise NotFound("No such plan.")
    if not plan.active:
        raise Conflict("The plan is no longer offered.")
    starts_on = data.starts_on or today()
    if starts_on < today():
        raise ValidationFailed("starts_on is in the past.")
    if starts_on > today() + MAX_START_AHEAD:
        raise ValidationFailed("starts_on may be at most a year ahead.")
    ends_on = membership_end(plan.period, starts_on)
    await member_repository.lock(session, member.id)
    if await repository.overlapping_membership(
        session, member_id=member.id, plan_id=plan.id, first=starts_on, last=ends_on
    ):
        raise Conflict(
            f"You already hold a membership of {plan.name!r} for part of "
            f"{starts_on.isoformat()} to {ends_on.isoformat()}; one at a time."
        )
    membership = Membership(
        member_id=member.id,
        plan_id=plan.id,
        starts_on=starts_on,
        ends_on=ends_on,
        price_cents=price_for(plan, member),
        created_at=clock.now(),
    )
    session.add(membership)
    await session.flush()
    return membership


def _default_window(period: str, day: date) -> tuple[date, date]:
    """The period of a default plan containing ``day``: the day, its calendar month, or (a
    pack) the whole pilot."""
    if period == "day":
        return day, day
    if period == "month":
        first = day.replace(day=1)
        return first, _add_months(first, 1) - timedelta(days=1)
    return date.min, date.max


async def claim_day(
    session: AsyncSession,
    *,
    member_id: uuid.UUID,
    location_id: uuid.UUID,
    day: date,
    facts: repository.DayFacts,
) -> uuid.UUID | None:
    """The membership whose day a new personal booking on local ``day`` uses (None: the
    location's default plan); 409 ``conflict`` when the member's entitlement is used up.

    ``facts`` come with the booking's other checks, in one statement (app.bookings.checks):
    the common cases — the day already used, or no membership and a default plan that does
    not count days — then cost no statement here.
    """
    if facts.used:
        return facts.used_by
    if facts.covered:
        memberships = await repository.covering(session, member_id, day)
        if memberships:  # (else deleted since the facts were read)
            return _membership_with_a_day_left(memberships, day)
    if not facts.default_counts_days:
        return None
    default = await repository.default_of(session, location_id)
    if default is None or default.included_days is None:
        return None  # changed since the facts were read
    first, last = _default_window(default.period, day)
    if await repository.default_plan_days(session, member_id, first, last) >= (
        default.included_days
    ):
        raise Conflict(
            "You have used the {days} days the location's plan {plan} includes without a "
            "membership. Subscribe to a plan to book more.",
            days=default.included_days,
            plan=repr(default.name),
        )
    return None


def _membership_with_a_day_left(
    memberships: list[tuple[Membership, Plan, int]], day: date
) -> uuid.UUID:
    """The first of the memberships valid on ``day`` (soonest to end first) with a day left;
    409 ``conflict`` when every one has used its days."""
    for membership, plan, used_days in memberships:
        if plan.included_days is None or used_days < plan.included_days:
            return membership.id
    names = ", ".join(sorted({plan.name for _, plan, _ in memberships}))
    raise Conflict(
        "All days included in your membership ({plans}) valid on {day} are used. Cancel a "
        "booking on another day or subscribe to another plan.",
        plans=names,
        day=day,
    )
