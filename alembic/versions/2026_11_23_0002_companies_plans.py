"""Companies, invitations, plans and memberships.

Bookings gain a foreign key to their company, the local day they fall on (the day of plan
entitlement and company usage) and the membership whose day they use.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('seats_requested', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'active', 'suspended')", name=op.f('ck_companies_status')),
    sa.CheckConstraint('seats >= 0', name=op.f('ck_companies_seats')),
    sa.CheckConstraint('seats_requested >= 0', name=op.f('ck_companies_seats_requested')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies'))
    )
    op.create_table('plans',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('included_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("period IN ('day', 'month', 'pack')", name=op.f('ck_plans_period')),
    sa.CheckConstraint('included_days IS NULL OR included_days >= 1', name=op.f('ck_plans_included_days')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_plans_price_cents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('name', name=op.f('uq_plans_name'))
    )
    op.create_table('company_members',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('company_role', sa.String(length=16), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("company_role IN ('admin', 'employee')", name=op.f('ck_company_members_company_role')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_company_members_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_company_members_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('company_id', 'member_id', 'company_role', name=op.f('pk_company_members'))
    )
    with op.batch_alter_table('company_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_members_member_id'), ['member_id'], unique=False)
        # A member is the employee of at most one company.
        batch_op.create_index('ix_company_members_one_employer', ['member_id'], unique=True, postgresql_where=sa.text("company_role = 'employee'"), sqlite_where=sa.text("company_role = 'employee'"))

    op.create_table('invitations',
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['members.id'], name=op.f('fk_invitations_accepted_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_invitations_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['members.id'], name=op.f('fk_invitations_invited_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_company_id'), ['company_id'], unique=False)

    op.create_table('location_default_plans',
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_location_default_plans_location_id_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_location_default_plans_plan_id_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('location_id', name=op.f('pk_location_default_plans'))
    )
    with op.batch_alter_table('location_default_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_default_plans_plan_id'), ['plan_id'], unique=False)

    op.create_table('memberships',
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_memberships_period')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_memberships_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_memberships_plan_id_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_member_id'), ['member_id'], unique=False)

    op.create_table('plan_group_prices',
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('group', sa.String(length=20), nullable=False),
    sa.Column('price_cents', sa.Integer(), nullable=False),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_plan_group_prices_price_cents')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_group_prices_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'group', name=op.f('pk_plan_group_prices'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('membership_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_bookings_company_id_local_date', ['company_id', 'local_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_membership_id'), ['membership_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_bookings_company_id_companies'), 'companies', ['company_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_bookings_membership_id_memberships'), 'memberships', ['membership_id'], ['id'], ondelete='RESTRICT')
    _backfill_local_dates()


def _backfill_local_dates() -> None:
    """Existing bookings get the local day of their start in their location's zone."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "UPDATE bookings AS b SET local_date = (b.start AT TIME ZONE l.timezone)::date "
            "FROM desks AS d JOIN locations AS l ON l.id = d.location_id WHERE d.id = b.desk_id"
        )
        return
    # SQLite has no time zones: convert in Python (instants are stored as naive UTC text).
    rows = bind.execute(
        sa.text(
            "SELECT b.id, b.start, l.timezone FROM bookings AS b "
            "JOIN desks AS d ON d.id = b.desk_id JOIN locations AS l ON l.id = d.location_id"
        )
    ).all()
    for booking_id, start, timezone in rows:
        instant = datetime.fromisoformat(str(start)).replace(tzinfo=UTC)
        day = instant.astimezone(ZoneInfo(timezone)).date()
        bind.execute(
            sa.text("UPDATE bookings SET local_date = :day WHERE id = :id"),
            {"day": day.isoformat(), "id": booking_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bookings_membership_id_memberships'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_bookings_company_id_companies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_bookings_membership_id'))
        batch_op.drop_index('ix_bookings_company_id_local_date')
        batch_op.drop_column('membership_id')
        batch_op.drop_column('local_date')

    op.drop_table('plan_group_prices')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_member_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('location_default_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_default_plans_plan_id'))

    op.drop_table('location_default_plans')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_company_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('company_members', schema=None) as batch_op:
        batch_op.drop_index('ix_company_members_one_employer', postgresql_where=sa.text("company_role = 'employee'"), sqlite_where=sa.text("company_role = 'employee'"))
        batch_op.drop_index(batch_op.f('ix_company_members_member_id'))

    op.drop_table('company_members')
    op.drop_table('plans')
    op.drop_table('companies')
