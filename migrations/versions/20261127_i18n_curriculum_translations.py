"""Curriculum translations from module.<lang>.yaml: module.translations (review state and
outcomes per language) and exercise.translations (the exercise's text per language).

Revision ID: i18n_curriculum_translations
Revises: audit_hash_chain
Create Date: 2026-11-27 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i18n_curriculum_translations"
down_revision: str | None = "audit_hash_chain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("module") as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )
    with op.batch_alter_table("exercise") as batch_op:
        batch_op.add_column(
            sa.Column("translations", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("exercise") as batch_op:
        batch_op.drop_column("translations")
    with op.batch_alter_table("module") as batch_op:
        batch_op.drop_column("translations")
