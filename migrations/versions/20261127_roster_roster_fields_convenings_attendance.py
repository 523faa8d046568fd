"""roster fields, convening details, attendance and roster uploads

Revision ID: 5a1e0c7d9b21
Revises: 7a1d3e5c9b20
Create Date: 2026-11-27 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5a1e0c7d9b21"
down_revision: str | None = "7a1d3e5c9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("service_group", _TEXT(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("gender", _TEXT(length=32), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("disability", _TEXT(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("convening", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda", _TEXT(length=4000), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("module_ids", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "created_at",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convening_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["convening_id"], ["convening.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("convening_id", "user_id", "day"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_convening_id"), ["convening_id"])
        batch_op.create_index(batch_op.f("ix_attendance_user_id"), ["user_id"])
    op.create_table(
        "roster_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", _TEXT(length=64), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", _TEXT(length=200), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohort.id"]),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_upload_token"), ["token"], unique=True)
        batch_op.create_index("ix_roster_upload_cohort", ["cohort_id", "created_at"])


def downgrade() -> None:
    op.drop_table("roster_upload")
    op.drop_table("attendance")
    with op.batch_alter_table("convening", schema=None) as batch_op:
        batch_op.drop_column("created_at")
        batch_op.drop_column("module_ids")
        batch_op.drop_column("agenda")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_at")
        batch_op.drop_column("disability")
        batch_op.drop_column("gender")
        batch_op.drop_column("service_group")
