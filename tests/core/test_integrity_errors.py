"""Integrity errors are read by the name of the constraint that failed, on both databases."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.db import create_engine, raise_for_integrity, violated_constraint
from app.core.errors import AppError, Conflict, NotFound
from tests.conftest import make_settings

PLAN = (
    "INSERT INTO plans (id, name, description, price_cents, period, active, created_at) "
    "VALUES (:id, :name, '', :price, 'day', true, '2030-01-01')"
)
MEMBER = (
    "INSERT INTO members (id, email, role, home_municipality, active, created_at) "
    "VALUES (:id, :email, 'member', 'Velten', true, '2030-01-01')"
)
COMPANY = (
    "INSERT INTO companies (id, name, status, seats, seats_requested, contact_email, created_at)"
    " VALUES (:id, :name, 'active', 1, 1, 'hr@example.org', '2030-01-01')"
)
EMPLOYEE = (
    "INSERT INTO company_members (company_id, member_id, company_role, joined_at) "
    "VALUES (:company_id, :member_id, :role, '2030-01-01')"
)


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection whose changes are all rolled back."""
    # The app's engine: on SQLite it sets the pragmas and emits BEGIN itself (savepoints work).
    engine = create_engine(make_settings(database_url))
    async with engine.connect() as open_connection, open_connection.begin() as transaction:
        yield open_connection
        await transaction.rollback()
    await engine.dispose()


async def _violation(connection: AsyncConnection, sql: str, **values: object) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught:
        async with connection.begin_nested():
            await connection.execute(text(sql), values)
    return caught.value


async def test_each_kind_of_constraint_is_named(connection: AsyncConnection) -> None:
    plan_id = str(uuid.uuid4())
    await connection.execute(text(PLAN), {"id": plan_id, "name": "Tag", "price": 1})

    duplicate_name = await _violation(connection, PLAN, id=str(uuid.uuid4()), name="Tag", price=1)
    duplicate_key = await _violation(connection, PLAN, id=plan_id, name="Monat", price=1)
    negative_price = await _violation(connection, PLAN, id=str(uuid.uuid4()), name="X", price=-1)

    assert violated_constraint(duplicate_name) == "uq_plans_name"
    assert violated_constraint(duplicate_key) == "pk_plans"
    assert violated_constraint(negative_price) == "ck_plans_price_cents"


async def test_a_unique_index_and_a_composite_key_are_named(connection: AsyncConnection) -> None:
    member_id, first, second = (str(uuid.uuid4()) for _ in range(3))
    await connection.execute(text(MEMBER), {"id": member_id, "email": "a@example.org"})
    await connection.execute(text(COMPANY), {"id": first, "name": "Erste GmbH"})
    await connection.execute(text(COMPANY), {"id": second, "name": "Zweite GmbH"})
    employ = {"member_id": member_id, "role": "employee"}
    await connection.execute(text(EMPLOYEE), {"company_id": first, **employ})

    second_employer = await _violation(connection, EMPLOYEE, company_id=second, **employ)
    same_again = await _violation(
        connection, EMPLOYEE, company_id=first, member_id=member_id, role="employee"
    )

    # SQLite names only the columns; both answer with the name the migrations gave.
    assert violated_constraint(second_employer) == "ix_company_members_one_employer"
    assert violated_constraint(same_again) in {
        "pk_company_members",
        "ix_company_members_one_employer",
    }


async def test_the_error_is_the_one_mapped_to_the_constraint(connection: AsyncConnection) -> None:
    plan_id = str(uuid.uuid4())
    await connection.execute(text(PLAN), {"id": plan_id, "name": "Tag", "price": 1})
    duplicate_name = await _violation(connection, PLAN, id=str(uuid.uuid4()), name="Tag", price=1)
    negative_price = await _violation(connection, PLAN, id=str(uuid.uuid4()), name="X", price=-1)
    by_constraint: dict[str, AppError] = {"uq_plans_name": NotFound("a duplicate name")}

    with pytest.raises(NotFound, match="a duplicate name") as mapped:
        raise_for_integrity(duplicate_name, by_constraint)
    # Another constraint is not read as a duplicate name: a neutral 409.
    with pytest.raises(Conflict, match="conflicts with stored data") as other:
        raise_for_integrity(negative_price, by_constraint)

    assert mapped.value.__cause__ is duplicate_name
    assert other.value.__cause__ is negative_price
