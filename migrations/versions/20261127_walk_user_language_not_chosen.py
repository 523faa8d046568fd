"""user.language may be empty: an account that never chose a language follows the one
the person uses (sign-in page choice, browser, academy) instead of English.

Revision ID: walk_language_optional
Revises: 5a1e0c7d9b21
Create Date: 2026-11-27 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "walk_language_optional"
down_revision: str | None = "5a1e0c7d9b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column(
            "language",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=8),
            nullable=True,
        )


def downgrade() -> None:
    op.execute(sa.text("UPDATE \"user\" SET language = 'en' WHERE language IS NULL"))
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column(
            "language",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=8),
            nullable=False,
        )
