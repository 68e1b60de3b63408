"""The web app's tables and the member's page and mail preferences.

- ``web_sessions``: signed-in browsers, by the SHA-256 of the cookie's random id.
- ``password_reset_tokens``: single-use reset links, by the SHA-256 of the token.
- Members: ``language`` (``de`` default, ``en``) and the three notification choices.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 12:12:10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFICATIONS = ("notify_booking_confirmation", "notify_reminder", "notify_waitlist")


def _member_table(name: str) -> list[SchemaItem]:
    return [
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=f"fk_{name}_member_id_members", ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        *_member_table("web_sessions"),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_member_id", "web_sessions", ["member_id"])
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"])
    op.create_table(
        "password_reset_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        *_member_table("password_reset_tokens"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_password_reset_tokens"),
    )
    op.create_index("ix_password_reset_tokens_member_id", "password_reset_tokens", ["member_id"])
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=2), server_default="de", nullable=False)
        )
        for column in NOTIFICATIONS:
            batch_op.add_column(
                sa.Column(column, sa.Boolean(), server_default=sa.true(), nullable=False)
            )
        batch_op.create_check_constraint("language", "language IN ('de', 'en')")


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint("language", type_="check")
        for column in reversed(NOTIFICATIONS):
            batch_op.drop_column(column)
        batch_op.drop_column("language")
    op.drop_table("password_reset_tokens")
    op.drop_table("web_sessions")
