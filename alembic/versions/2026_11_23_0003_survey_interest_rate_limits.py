"""Needs survey, expressions of interest and rate-limit counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limit_counters")),
    )
    op.create_index(
        op.f("ix_rate_limit_counters_expires_at"),
        "rate_limit_counters",
        ["expires_at"],
        unique=False,
    )
    op.create_table(
        "survey_responses",
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("home_municipality", sa.String(length=100), nullable=False),
        sa.Column("commute_km", sa.Float(), nullable=False),
        sa.Column("commute_minutes", sa.Integer(), nullable=False),
        sa.Column("commute_mode", sa.String(length=20), nullable=False),
        sa.Column("commute_days_per_week", sa.Integer(), nullable=False),
        sa.Column("coworking_days_per_week", sa.Integer(), nullable=False),
        sa.Column("needs_other", sa.String(length=500), nullable=True),
        sa.Column("price_per_day_eur", sa.Float(), nullable=False),
        sa.Column("cooperation_interest", sa.Boolean(), nullable=False),
        sa.Column("wants_trial", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "commute_days_per_week >= 0 AND commute_days_per_week <= 7",
            name=op.f("ck_survey_responses_commute_days_per_week"),
        ),
        sa.CheckConstraint(
            "commute_km >= 0 AND commute_km <= 300", name=op.f("ck_survey_responses_commute_km")
        ),
        sa.CheckConstraint(
            "commute_minutes >= 0 AND commute_minutes <= 300",
            name=op.f("ck_survey_responses_commute_minutes"),
        ),
        sa.CheckConstraint(
            "coworking_days_per_week >= 0 AND coworking_days_per_week <= 7",
            name=op.f("ck_survey_responses_coworking_days_per_week"),
        ),
        sa.CheckConstraint(
            "price_per_day_eur >= 0 AND price_per_day_eur <= 100",
            name=op.f("ck_survey_responses_price"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    op.create_index(
        op.f("ix_survey_responses_submitted_at"), "survey_responses", ["submitted_at"], unique=False
    )
    op.create_table(
        "survey_contacts",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_text_version", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_contacts_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_survey_contacts")),
    )
    op.create_table(
        "survey_response_groups",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("group", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_response_groups_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "group", name=op.f("pk_survey_response_groups")),
    )
    op.create_index(
        op.f("ix_survey_response_groups_group"), "survey_response_groups", ["group"], unique=False
    )
    op.create_table(
        "survey_response_needs",
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("need", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["survey_responses.id"],
            name=op.f("fk_survey_response_needs_response_id_survey_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "need", name=op.f("pk_survey_response_needs")),
    )
    op.create_index(
        op.f("ix_survey_response_needs_need"), "survey_response_needs", ["need"], unique=False
    )
    op.create_table(
        "expressions_of_interest",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=True),
        sa.Column("offers", sa.String(length=2000), nullable=True),
        sa.Column("needs", sa.String(length=2000), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_text_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('person', 'company', 'social_organisation', 'partner')",
            name=op.f("ck_expressions_of_interest_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expressions_of_interest")),
    )
    op.create_index(
        op.f("ix_expressions_of_interest_created_at"),
        "expressions_of_interest",
        ["created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_expressions_of_interest_kind"), "expressions_of_interest", ["kind"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_expressions_of_interest_kind"), table_name="expressions_of_interest")
    op.drop_index(
        op.f("ix_expressions_of_interest_created_at"), table_name="expressions_of_interest"
    )
    op.drop_table("expressions_of_interest")
    op.drop_index(op.f("ix_survey_response_needs_need"), table_name="survey_response_needs")
    op.drop_table("survey_response_needs")
    op.drop_index(op.f("ix_survey_response_groups_group"), table_name="survey_response_groups")
    op.drop_table("survey_response_groups")
    op.drop_table("survey_contacts")
    op.drop_index(op.f("ix_survey_responses_submitted_at"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index(op.f("ix_rate_limit_counters_expires_at"), table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
