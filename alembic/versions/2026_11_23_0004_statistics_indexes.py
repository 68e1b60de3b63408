"""Indexes for the statistics queries.

Statistics read the bookings that overlap a range (``start < range end AND "end" > range
start``). ``ix_bookings_start`` (0001) serves ranges in the past; ``ix_bookings_end`` serves the
usual question about recent weeks, where ``"end" > range start`` is the selective half. Counts
by start use ``ix_bookings_start``; the company figures use ``ix_bookings_company_id_local_date``
(0002).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_end", ["end"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_end")
