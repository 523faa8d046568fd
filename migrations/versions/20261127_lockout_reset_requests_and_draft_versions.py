"""reset requests (limit on reset emails) and draft versions (restore overwritten text)

Revision ID: 5e1a7c3b9d42
Revises: c4bd00df8291
Create Date: 2026-11-27 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5e1a7c3b9d42"
down_revision: str | None = "c4bd00df8291"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reset_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reset_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reset_request_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_reset_request_email"), ["email"], unique=False)

    op.create_table(
        "draft_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overwritten", sa.Boolean(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_version_draft_id"), ["draft_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_version_draft_id"))
    op.drop_table("draft_version")
    with op.batch_alter_table("reset_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reset_request_email"))
        batch_op.drop_index(batch_op.f("ix_reset_request_address"))
    op.drop_table("reset_request")
