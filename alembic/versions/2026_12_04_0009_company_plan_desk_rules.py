"""Rules about companies, plans and desks that races and hostile input showed to need saying.

- Invitations: ``mail_status`` (``held`` while the company is not active, the token kept in
  ``held_token`` until the mail goes out; ``sent``; ``dropped``), ``revoked_at`` (a withdrawn
  invitation stays and counts for the company's daily limit) and an index on
  ``(company_id, created_at)`` for that count. Existing invitations were mailed: ``sent``.
- Member groups: ``verified`` (an operator confirmed it: only then a reduced price).
- Desks: names unique per location ignoring case, a unique index on
  ``(location_id, lower(name))`` instead of the case-sensitive constraint. Names that differ
  only in case already stored keep the oldest desk's name; the others get `` (2)``, `` (3)``…

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DESK_NAME_INDEX = "uq_desks_location_id_lower_name"


def _rename_case_duplicates() -> None:
    """Desks whose names differ only in case: all but the oldest get a numbered suffix."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, location_id, name, lower(name) FROM desks ORDER BY created_at, id")
    ).all()
    taken = {(str(location), folded) for _, location, _, folded in rows}
    seen: set[tuple[str, str]] = set()
    for desk_id, location, name, folded in rows:
        key = (str(location), folded)
        if key not in seen:
            seen.add(key)
            continue
        number = 2
        while (str(location), f"{folded} ({number})") in taken:
            number += 1
        renamed = f"{name[: 200 - len(f' ({number})')]} ({number})"
        taken.add((str(location), renamed.lower()))
        connection.execute(
            sa.text("UPDATE desks SET name = :name WHERE id = :id"), {"name": renamed, "id": desk_id}
        )


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("mail_status", sa.String(length=8), server_default="sent", nullable=False)
        )
        batch_op.add_column(sa.Column("held_token", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            "mail_status", "mail_status IN ('held', 'sent', 'dropped')"
        )
        batch_op.create_check_constraint(
            "held_token", "(mail_status = 'held') = (held_token IS NOT NULL)"
        )
        batch_op.drop_index("ix_invitations_company_id")
        batch_op.create_index(
            "ix_invitations_company_id_created_at", ["company_id", "created_at"], unique=False
        )
    with op.batch_alter_table("member_groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    _rename_case_duplicates()
    with op.batch_alter_table("desks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_desks_location_id_name", type_="unique")
    op.create_index(
        DESK_NAME_INDEX, "desks", ["location_id", sa.text("lower(name)")], unique=True
    )


def downgrade() -> None:
    op.drop_index(DESK_NAME_INDEX, table_name="desks")
    with op.batch_alter_table("desks", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_desks_location_id_name", ["location_id", "name"])
    with op.batch_alter_table("member_groups", schema=None) as batch_op:
        batch_op.drop_column("verified")
    # Withdrawn invitations were deleted before this revision; held mails are dropped.
    op.execute("DELETE FROM invitations WHERE revoked_at IS NOT NULL")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_company_id_created_at")
        batch_op.create_index("ix_invitations_company_id", ["company_id"], unique=False)
        batch_op.drop_constraint("held_token", type_="check")
        batch_op.drop_constraint("mail_status", type_="check")
        batch_op.drop_column("held_token")
        batch_op.drop_column("mail_status")
        batch_op.drop_column("revoked_at")
