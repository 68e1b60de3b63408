"""The statistics rollup per member and local month.

The rollup is emptied: the next refresh rebuilds all of it, the months included.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_member_months",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("bookings", sa.BigInteger(), nullable=False),
        sa.Column("booked_seconds", sa.BigInteger(), nullable=False),
        sa.Column("visit_days", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_stats_member_months_location_id_month",
        "stats_member_months",
        ["location_id", "month"],
    )
    for table in ("stats_slot_deltas", "stats_start_days", "stats_lead_days", "stats_seals"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def downgrade() -> None:
    op.drop_index("ix_stats_member_months_location_id_month", table_name="stats_member_months")
    op.drop_table("stats_member_months")
