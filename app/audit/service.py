"""The audit trail: every operator and company-admin change, with before and after values.

Services call :func:`record` in the same transaction as the change, so a change and its audit
event are stored together or not at all. Values are plain JSON; personal data (emails, names)
is not copied in — members are referred to by id.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Member


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-ready values."""
    return {field: _plain(getattr(obj, field)) for field in fields}


async def record(
    session: AsyncSession,
    *,
    actor: Member | None,
    action: str,
    target_type: str,
    target_id: uuid.UUID | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the current transaction (``actor`` None: the system)."""
    session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else "system",
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=_plain(before),
            after=_plain(after),
        )
    )
    await session.flush()
