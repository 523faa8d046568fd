"""survey_reply: a trainer's "you said, we did" response to a survey's results

Revision ID: feedback_survey_replies
Revises: i18n_curriculum_translations
Create Date: 2026-11-27 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "feedback_survey_replies"
down_revision: str | None = "i18n_curriculum_translations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "survey_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercise.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("survey_reply", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_reply_cohort_exercise", ["cohort_id", "exercise_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_reply", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_reply_cohort_exercise")
    op.drop_table("survey_reply")
