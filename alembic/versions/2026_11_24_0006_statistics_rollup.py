"""The statistics rollup: sealed bookings summed per quarter hour and per local day.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_seals",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_stats_seals_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_stats_seals")),
    )
    op.create_table(
        "stats_slot_deltas",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("quarter", sa.BigInteger(), nullable=False),
        sa.Column("batch", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_n", sa.BigInteger(), nullable=False),
        sa.Column("booked_into", sa.BigInteger(), nullable=False),
        sa.Column("used_n", sa.BigInteger(), nullable=False),
        sa.Column("used_into", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "stats_start_days",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bookings", sa.BigInteger(), nullable=False),
        sa.Column("duration_seconds", sa.BigInteger(), nullable=False),
    )

    op.create_table(
        "stats_lead_days",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("lead_day", sa.BigInteger(), nullable=False),
        sa.Column("batch", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bookings", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stats_lead_days")
    op.drop_table("stats_start_days")
    op.drop_table("stats_slot_deltas")
    op.drop_table("stats_seals")
