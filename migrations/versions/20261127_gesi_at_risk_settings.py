"""at-risk thresholds per cohort (days behind plan, days without activity)

Revision ID: 3c7e1a9b5d42
Revises: feedback_survey_replies
Create Date: 2026-11-27 18:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "3c7e1a9b5d42"
down_revision: str | None = "feedback_survey_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "at_risk_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("behind_days", sa.Integer(), nullable=False),
        sa.Column("idle_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cohort_id"),
    )


def downgrade() -> None:
    op.drop_table("at_risk_setting")
