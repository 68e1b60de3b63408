"""Rules about desks and rooms."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.db import raise_for_integrity
from app.core.enums import DeskKind
from app.core.errors import Conflict, ValidationFailed
from app.desks.schemas import DeskCreate, DeskUpdate
from app.models import Desk, DeskFeature, Member
from app.models.desk import DESK_NAME_INDEX
from app.stats import rollup

DUPLICATE_NAME = "A desk with this name (ignoring case) already exists at the location."
AUDITED_FIELDS = ("name", "capacity", "features", "active")


async def _flush_unique_name(session: AsyncSession) -> None:
    """Flush; a name the location has already (ignoring case) answers 409, any other
    integrity error is not read as a duplicate name."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise_for_integrity(error, {DESK_NAME_INDEX: Conflict(DUPLICATE_NAME)})


async def create(session: AsyncSession, *, actor: Member, data: DeskCreate) -> Desk:
    values = data.model_dump(exclude={"features"})
    desk = Desk(**values, feature_rows=[DeskFeature(feature=f) for f in data.features])
    session.add(desk)
    await _flush_unique_name(session)
    await audit.record(
        session,
        actor=actor,
        action="desk.created",
        target_type="desk",
        target_id=desk.id,
        after={
            "location_id": desk.location_id,
            "kind": desk.kind,
            **audit.snapshot(desk, AUDITED_FIELDS),
        },
    )
    return desk


async def update(session: AsyncSession, *, actor: Member, desk: Desk, changes: DeskUpdate) -> Desk:
    async with audit.update(
        session,
        actor=actor,
        target=desk,
        action="desk.updated",
        target_type="desk",
        audited=AUDITED_FIELDS,
        flush=lambda: _flush_unique_name(session),
    ) as values:
        values.update(changes.model_dump(exclude_unset=True))
        if desk.kind == DeskKind.DESK and values.get("capacity", 1) != 1:
            raise ValidationFailed("A desk has capacity 1.")
        if "features" in values:
            kept = {row.feature: row for row in desk.feature_rows}
            features = values.pop("features")
            desk.feature_rows = [kept.get(f) or DeskFeature(feature=f) for f in features]
        if values.get("active", desk.active) != desk.active:
            # Statistics count the desks active now: the location's rollup no longer holds.
            await rollup.forget(session, desk.location_id)
    return desk
