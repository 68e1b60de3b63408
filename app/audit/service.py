"""The audit trail: every operator and company-admin change, with before and after values.

Services call :func:`record` (or change a row inside :func:`update`) in the same transaction
as the change, so a change and its audit event are stored together or not at all. Values are
plain JSON; personal data (emails, names) is not copied in — members are referred to by id.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

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


class _Target(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


T = TypeVar("T", bound=_Target)


@asynccontextmanager
async def update(
    session: AsyncSession,
    *,
    actor: Member,
    target: T,
    action: str,
    target_type: str,
    audited: tuple[str, ...] | Callable[[T], dict[str, Any]],
    flush: Callable[[], Awaitable[None]] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Apply a change to ``target`` and audit it, the one way every service does.

    The body puts the new field values into the dict it is given (and may change more of
    ``target`` itself). On leaving, the values are set, the session is flushed (by ``flush``
    when given, e.g. one that answers a duplicate name with 409) and one event records the
    ``audited`` fields (their names, or a function of ``target``) before and after. An error
    in the body changes and records nothing.
    """

    def taken() -> dict[str, Any]:
        return audited(target) if callable(audited) else snapshot(target, audited)

    before = taken()
    values: dict[str, Any] = {}
    yield values
    for field, value in values.items():
        setattr(target, field, value)
    await (flush() if flush is not None else session.flush())
    await record(
        session,
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target.id,
        before=before,
        after=taken(),
    )
