"""Bookings keep their lead time in whole seconds, indexed for the median lead time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Whole seconds of an instant, sub-seconds dropped (as app.core.sql.seconds_of).
SECONDS = {
    "postgresql": "CAST(FLOOR(date_part('epoch', {0})) AS BIGINT)",
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text.
    "sqlite": "CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER)",
}


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_seconds", sa.BigInteger(), nullable=True))
    seconds = SECONDS[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE bookings SET lead_seconds = {seconds.format('start')} - "  # noqa: S608
        f"{seconds.format('created_at')}"
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.alter_column("lead_seconds", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(
            "ix_bookings_lead_seconds_start", ["lead_seconds", "start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_lead_seconds_start")
        batch_op.drop_column("lead_seconds")
