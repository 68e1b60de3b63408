"""Portable SQL: the few expressions SQLite and PostgreSQL write differently, written once.

Instants are turned into whole seconds since 0001-01-01T00:00Z (positive for every date, so
integer division is floor division on both databases) and calendar dates into day numbers
since 0001-01-01 (``date.toordinal() - 1``); local days and hours are then integer arithmetic
with UTC offsets computed in Python, since SQLite has no time zones. Everything else here
(integers written inline, ``VALUES`` tables, materialised CTEs, running sums) is SQL both
databases understand alike.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, column, func, literal_column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import CTE, FunctionElement

#: Seconds from 0001-01-01 to the Unix epoch: SQL adds it to Unix timestamps.
UNIX_EPOCH_SECONDS = 62_135_596_800


class seconds_of(FunctionElement[int]):
    """Whole seconds from 0001-01-01T00:00Z to a stored instant (sub-seconds dropped)."""

    type = BigInteger()
    inherit_cache = True
    name = "seconds_of"


@compiles(seconds_of, "postgresql")
def _seconds_postgresql(element: seconds_of, compiler: SQLCompiler, **kw: Any) -> str:
    argument = compiler.process(element.clauses, **kw)
    return f"(CAST(FLOOR(date_part('epoch', {argument})) AS BIGINT) + {UNIX_EPOCH_SECONDS})"


@compiles(seconds_of, "sqlite")
def _seconds_sqlite(element: seconds_of, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text; strftime would round.
    argument = compiler.process(element.clauses, **kw)
    return f"(CAST(strftime('%s', substr({argument}, 1, 19)) AS INTEGER) + {UNIX_EPOCH_SECONDS})"


class day_number_of(FunctionElement[int]):
    """Days from 0001-01-01 to a stored calendar date."""

    type = BigInteger()
    inherit_cache = True
    name = "day_number_of"


@compiles(day_number_of, "postgresql")
def _day_postgresql(element: day_number_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '0001-01-01')"


@compiles(day_number_of, "sqlite")
def _day_sqlite(element: day_number_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 1721425.5 AS INTEGER)"


class least(FunctionElement[Any]):
    """The smaller of two values (``LEAST`` on PostgreSQL, two-argument ``MIN`` on SQLite);
    unlike a CASE, each argument is evaluated once."""

    inherit_cache = True
    name = "least"

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(first, second)
        self.type = first.type


class greatest(FunctionElement[Any]):
    """The larger of two values (``GREATEST`` / two-argument ``MAX``)."""

    inherit_cache = True
    name = "greatest"

    def __init__(self, first: Any, second: Any) -> None:
        super().__init__(first, second)
        self.type = first.type


@compiles(least, "postgresql")
@compiles(greatest, "postgresql")
def _extreme_postgresql(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"{element.name.upper()}({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
@compiles(greatest, "sqlite")
def _extreme_sqlite(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    function = "MIN" if element.name == "least" else "MAX"
    return f"{function}({compiler.process(element.clauses, **kw)})"


def integer(value: int) -> ColumnElement[int]:
    """An integer written into the statement: repeated expressions stay identical for GROUP BY."""
    return literal_column(str(int(value)), BigInteger)


def values_table(name: str, columns: list[str], rows: Sequence[tuple[int, ...]]) -> CTE:
    """Integers computed in Python (calendars), written inline as a ``VALUES`` list.

    Inline, so thousands of rows never meet a driver's parameter limit, and written by hand
    (they are integers), which is far quicker than rendering each one as a literal. An empty
    list gets one row of -1s that joins nothing.
    """
    data = rows or [tuple(-1 for _ in columns)]
    listed = ", ".join(f"({', '.join(str(int(value)) for value in row)})" for row in data)
    names = ", ".join(
        f"column{index} AS {column_name}" for index, column_name in enumerate(columns, start=1)
    )
    return (
        text(f"SELECT {names} FROM (VALUES {listed}) AS {name}_values")  # noqa: S608 - integers
        .columns(*(column(column_name, BigInteger) for column_name in columns))
        .cte(name)
    )


def materialized(statement: Select[Any], name: str) -> CTE:
    """A CTE computed once (``AS MATERIALIZED``; SQLite and PostgreSQL know the keyword)."""
    return statement.cte(name).prefix_with("MATERIALIZED")


def held_after(
    delta: ColumnElement[int],
    *,
    at: ColumnElement[Any],
    partition_by: ColumnElement[Any] | None = None,
) -> ColumnElement[int]:
    """How many intervals are held right after each event of a stream of starts (``delta``
    +1) and ends (-1) at instants ``at``: a running sum in time order, ends first at the same
    instant (intervals are half-open: one ending when another starts is not concurrent)."""
    return func.sum(delta).over(partition_by=partition_by, order_by=(at, delta), rows=(None, 0))
