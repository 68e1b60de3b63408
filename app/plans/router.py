from fastapi import APIRouter, status

from app.auth.dependencies import CurrentMember, OperatorOnly, OptionalMember
from app.core.db import DbSession
from app.core.enums import Role
from app.core.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    ValidationFailed,
    problem_responses,
)
from app.core.pagination import Page, Pagination, page_of, paginate
from app.locations.dependencies import ValidLocation
from app.models import Membership, Plan
from app.plans import repository, service
from app.plans.dependencies import ValidPlan
from app.plans.schemas import (
    DefaultPlanRead,
    DefaultPlanUpdate,
    MembershipCreate,
    MembershipRead,
    PlanCreate,
    PlanRead,
    PlanUpdate,
)

PLANS_DESCRIPTION = """Tariffs. Prices are in cent (EUR); **no payment is processed** — a
membership records the price agreed, billing happens outside the service. A member pays the
lowest of the plan's price and the reduced prices of their groups that an operator has
confirmed (`verified_groups`; the social tariff, e.g. for `parent`, `senior`, `job_seeker`):
a group one declares oneself gives no reduction until it is confirmed."""

# Public routes answer 401 only to a bad bearer token (operators see more with a good one).
router = APIRouter(
    prefix="/plans", tags=["plans"], responses=problem_responses(NotAuthenticated, ValidationFailed)
)
locations_router = APIRouter(
    prefix="/locations", tags=["plans"], responses=problem_responses(ValidationFailed)
)
me_router = APIRouter(
    prefix="/me", tags=["me"], responses=problem_responses(NotAuthenticated, ValidationFailed)
)
OPERATOR_ERRORS = problem_responses(NotAuthenticated, Forbidden)


@router.get("", summary="List plans", description=PLANS_DESCRIPTION + "\n\nOrdered by name.")
async def list_plans(
    session: DbSession, caller: OptionalMember, page: Pagination
) -> Page[PlanRead]:
    """Public: the active plans; operators also see inactive ones."""
    operator = caller is not None and caller.role == Role.OPERATOR
    rows, total = await paginate(session, repository.search(active_only=not operator), page)
    return page_of(PlanRead, rows, total, page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a plan (operator)",
    description=PLANS_DESCRIPTION,
    responses={**OPERATOR_ERRORS, **problem_responses(Conflict)},
)
async def create_plan(body: PlanCreate, actor: OperatorOnly, session: DbSession) -> PlanRead:
    plan = await service.create(session, actor=actor, data=body)
    return PlanRead.model_validate(plan)


@router.get("/{plan_id}", summary="A plan", responses=problem_responses(NotFound))
async def read_plan(plan: ValidPlan) -> PlanRead:
    return PlanRead.model_validate(plan)


@router.patch(
    "/{plan_id}",
    summary="Change a plan (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound, Conflict)},
)
async def update_plan(
    body: PlanUpdate, plan: ValidPlan, actor: OperatorOnly, session: DbSession
) -> PlanRead:
    """Only the fields sent change. Existing memberships keep their price and period.
    `active: false` retires a plan: no new memberships, existing ones run on."""
    plan = await service.update(session, actor=actor, plan=plan, changes=body)
    return PlanRead.model_validate(plan)


@router.delete(
    "/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a plan (operator)",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound, Conflict)},
)
async def delete_plan(plan: ValidPlan, actor: OperatorOnly, session: DbSession) -> None:
    """Only a plan without memberships that is no location's default (409 otherwise;
    retire it with `active: false`)."""
    await service.remove(session, actor=actor, plan=plan)


DEFAULT_PLAN_DESCRIPTION = """A member without a membership valid on the booking's day books
under the location's default plan: its `included_days` per period (a `day` plan: per day, a
`month` plan: per calendar month, a `pack`: over the whole pilot) are the most days such a
member may book there. A location without a default plan — e.g. one an operator just created —
is unlimited, so the pilot works out of the box; the demo location's default is the
unlimited "Pilot-Testphase"."""


@locations_router.get(
    "/{location_id}/default-plan",
    summary="The location's default plan",
    description=DEFAULT_PLAN_DESCRIPTION,
    responses=problem_responses(NotFound),
)
async def read_default_plan(location: ValidLocation, session: DbSession) -> DefaultPlanRead:
    plan = await repository.default_of(session, location.id)
    return DefaultPlanRead(location_id=location.id, plan=plan and PlanRead.model_validate(plan))


@locations_router.put(
    "/{location_id}/default-plan",
    summary="Set the location's default plan (operator)",
    description=DEFAULT_PLAN_DESCRIPTION + "\n\n`plan_id: null` removes it (unlimited).",
    responses={**OPERATOR_ERRORS, **problem_responses(NotFound)},
)
async def set_default_plan(
    body: DefaultPlanUpdate, location: ValidLocation, actor: OperatorOnly, session: DbSession
) -> DefaultPlanRead:
    plan = await service.set_default(
        session, actor=actor, location_id=location.id, plan_id=body.plan_id
    )
    return DefaultPlanRead(location_id=location.id, plan=plan and PlanRead.model_validate(plan))


def _membership(membership: Membership, plan: Plan, used_days: int) -> MembershipRead:
    return MembershipRead(
        id=membership.id,
        plan_id=plan.id,
        plan_name=plan.name,
        period=plan.period,
        starts_on=membership.starts_on,
        ends_on=membership.ends_on,
        price_cents=membership.price_cents,
        included_days=plan.included_days,
        used_days=used_days,
        remaining_days=None
        if plan.included_days is None
        else max(plan.included_days - used_days, 0),
        created_at=membership.created_at,
    )


MEMBERSHIP_DESCRIPTION = """A membership covers one period: a `day` plan its day, a `month`
plan one month from `starts_on`, a `pack` twelve months; subscribe again for the next. Each
local day (of the location) with a personal booking uses one included day, however many
bookings it has; cancelled bookings free their day; bookings on company seats use none. When
the days are used up, a booking answers 409 `conflict`. A member holds at most one
membership of a plan at a time: a period overlapping one's membership of the same plan
answers 409 `conflict`. **No payment processing**: the price (social tariff of the member's
verified groups applied) is recorded, not charged."""


@me_router.post(
    "/memberships",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe to a plan",
    description=MEMBERSHIP_DESCRIPTION,
    responses=problem_responses(NotFound, Conflict),
)
async def create_membership(
    body: MembershipCreate, member: CurrentMember, session: DbSession
) -> MembershipRead:
    membership = await service.subscribe(session, member=member, data=body)
    plan = await repository.get(session, membership.plan_id)
    assert plan is not None
    return _membership(membership, plan, 0)


@me_router.get(
    "/memberships",
    summary="Your memberships",
    description=MEMBERSHIP_DESCRIPTION + "\n\nOrdered by `starts_on`, then creation.",
)
async def list_my_memberships(
    member: CurrentMember, session: DbSession, page: Pagination
) -> Page[MembershipRead]:
    rows, total = await repository.page_of_memberships(
        session, member.id, limit=page.limit, offset=page.offset
    )
    return Page[MembershipRead](
        items=[_membership(*row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )
