"""Engine, sessions and the one-transaction-per-request dependency.

SQLite: every connection runs in WAL mode with foreign keys on, and write requests open their
transaction with ``BEGIN IMMEDIATE`` so that two requests can never interleave their
check-then-insert (the second waits for the first to commit). PostgreSQL enforces the booking
invariants itself (exclusion constraints) and locks rows where a count is involved.
"""

import re
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any, NoReturn

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.schema import Index, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.sql import Executable

from app.core.config import Settings
from app.core.errors import AppError, Conflict
from app.models.base import Base

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_IMMEDIATE = "coworking_begin_immediate"


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.async_database_url
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    # No ``pool_pre_ping``: on asyncpg it costs three round trips per checkout (BEGIN, ping,
    # ROLLBACK). A connection the database dropped fails its first statement instead; SQLAlchemy
    # then recognises the disconnect and invalidates the whole pool, the request answers 503
    # (app.core.errors), and the next request connects afresh (tests/faults).
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_timeout=10,
        # Fail fast instead of hanging when the database stops answering: connecting may take
        # 5 s, a statement 60 s; both answer 503 like any other outage.
        # Statements are prepared once per connection; after five runs PostgreSQL may switch a
        # prepared statement to a generic plan that ignores the values — the availability
        # search then took ten times longer (``make bench``). Plan every run for its values.
        connect_args={
            "timeout": 5,
            "command_timeout": 60,
            "server_settings": {"plan_cache_mode": "force_custom_plan"},
        },
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _unique_key(table_name: str, columns: list[str]) -> str | None:
    """The name of the table's primary key, unique constraint or unique index on exactly
    ``columns`` (SQLite reports the columns, not the name)."""
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    keys: list[Index | PrimaryKeyConstraint | UniqueConstraint] = [
        table.primary_key,
        *(c for c in table.constraints if isinstance(c, UniqueConstraint)),
        *(index for index in table.indexes if index.unique),
    ]
    wanted = set(columns)
    return next((str(key.name) for key in keys if {c.name for c in key.columns} == wanted), None)


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint an :class:`IntegrityError` reports, as the naming
    convention (``app.models.base``) and the migrations spell it; None if it names none."""
    # asyncpg names it on its own exception, which SQLAlchemy's adapter wraps.
    for source in (error.orig, getattr(error.orig, "__cause__", None)):
        name = getattr(source, "constraint_name", None)
        if isinstance(name, str):
            return name
    message = str(error.orig)
    # An index on an expression, such as lower(name), is reported by its name.
    if index := re.fullmatch(r"UNIQUE constraint failed: index '(\w+)'", message):
        return index[1]
    if unique := re.fullmatch(r"UNIQUE constraint failed: (.+)", message):
        qualified = [column.strip().partition(".") for column in unique[1].split(",")]
        return _unique_key(qualified[0][0], [column for _, _, column in qualified])
    if check := re.fullmatch(r"CHECK constraint failed: (\w+)", message):
        return check[1]
    return None


def raise_for_integrity(error: IntegrityError, by_constraint: Mapping[str, AppError]) -> NoReturn:
    """Raise the error ``by_constraint`` gives for the violated constraint; one it does not
    know is a 409 that claims no cause (not, say, a duplicate name it is not)."""
    known = by_constraint.get(violated_constraint(error) or "")
    raise known or Conflict("The change conflicts with stored data.") from error


def is_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"


async def execute_plain(
    session: AsyncSession, statement: Executable, values: dict[str, Any]
) -> CursorResult[Any]:
    """Run a statement that loads no ORM objects on the session's connection, inside its
    transaction, past the ORM's per-statement work (execution hooks, result wrapping; an
    ORM-enabled UPDATE even computes a new cache key on every run). For the statements every
    booking runs that is a third or more of the CPU they cost (``make bench``).

    The session does not autoflush here: call it with no ORM changes pending.
    """
    connection = await session.connection()
    return await connection.execute(statement, values)


class Database:
    """The engine and two session factories: one for reads, one for writes."""

    def __init__(self, settings: Settings) -> None:
        self.engine = create_engine(settings)
        self.read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = async_sessionmaker(
            self.engine.execution_options(**{_IMMEDIATE: True}), expire_on_commit=False
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: commit on success, roll back on any error.

    An :class:`AppError` may ask for its changes to be kept (refresh-token reuse revokes the
    family and still answers 401).
    """
    database: Database = request.app.state.database
    factory = database.write_sessions if request.method in WRITE_METHODS else database.read_sessions
    async with factory() as session:
        try:
            yield session
        except AppError as error:
            if error.commit:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
