"""academy details (short name, languages, logo, contact) and cohort second language
and archiving

Revision ID: 7a1d3e5c9b20
Revises: 5e1a7c3b9d42
Create Date: 2026-11-27 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7a1d3e5c9b20"
down_revision: str | None = "5e1a7c3b9d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("academy") as batch:
        batch.add_column(
            sa.Column(
                "short_name",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(
            sa.Column(
                "languages",
                sqlmodel.sql.sqltypes.AutoString(length=40),
                nullable=False,
                server_default="en",
            )
        )
        batch.add_column(
            sa.Column("logo_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "contact_address",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="",
            )
        )
    # Existing academies offer English and the local language they already had.
    op.execute(
        "UPDATE academy SET languages = CASE WHEN local_language = 'en' THEN 'en'"
        " ELSE 'en,' || local_language END"
    )
    with op.batch_alter_table("cohort") as batch:
        batch.add_column(
            sa.Column(
                "second_language",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="",
            )
        )
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cohort") as batch:
        batch.drop_column("archived_at")
        batch.drop_column("second_language")
    with op.batch_alter_table("academy") as batch:
        batch.drop_column("contact_address")
        batch.drop_column("logo_name")
        batch.drop_column("languages")
        batch.drop_column("short_name")
