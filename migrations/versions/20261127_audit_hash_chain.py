"""Audit log: before/after JSON, the cohort it belongs to, and a hash chain (seq,
prev_hash, hash, plus a one-row chain head) so altered or removed rows show. Existing
entries are sealed into the chain in id order.

Revision ID: audit_hash_chain
Revises: 8515708f2e6e
Create Date: 2026-11-27 18:20:00
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "audit_hash_chain"
down_revision: str | None = "8515708f2e6e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def _canonical(row: sa.Row, seq: int) -> bytes:
    # Frozen copy of iil_lms.audit.chain.canonical as of this revision.
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    return json.dumps(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor_id": row.actor_id,
            "action": row.action,
            "subject": row.subject,
            "cohort_id": None,
            "detail": row.detail,
            "before": "null",
            "after": "null",
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def upgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("before", sa.Text(), nullable=False, server_default="null"))
        batch_op.add_column(sa.Column("after", sa.Text(), nullable=False, server_default="null"))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
        batch_op.create_index("ix_audit_entry_cohort_id", ["cohort_id"])
        batch_op.create_index("ix_audit_entry_actor_id", ["actor_id"])
        batch_op.create_index("ix_audit_entry_action", ["action"])
        batch_op.create_unique_constraint("uq_audit_entry_seq", ["seq"])
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    bind = op.get_bind()
    entry = sa.table(
        "audit_entry",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("subject", sa.String),
        sa.column("detail", sa.String),
        sa.column("cohort_id", sa.Integer),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    rows = bind.execute(
        sa.select(
            entry.c.id, entry.c.at, entry.c.actor_id, entry.c.action, entry.c.subject, entry.c.detail
        ).order_by(entry.c.id)
    ).all()
    prev, seq, updates = GENESIS, 0, []
    for row in rows:
        seq += 1
        digest = hashlib.sha256(prev.encode() + _canonical(row, seq)).hexdigest()
        updates.append({"row_id": row.id, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    if updates:
        bind.execute(
            entry.update()
            .where(entry.c.id == sa.bindparam("row_id"))
            .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash")),
            updates,
        )
    if updates:
        # An empty database stays empty (restore refuses a database with rows); the app
        # adds the head with the first entry.
        bind.execute(
            sa.text("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)"),
            {"seq": seq, "hash": prev},
        )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_constraint("uq_audit_entry_seq", type_="unique")
        batch_op.drop_index("ix_audit_entry_action")
        batch_op.drop_index("ix_audit_entry_actor_id")
        batch_op.drop_index("ix_audit_entry_cohort_id")
        for name in ("hash", "prev_hash", "seq", "after", "before", "cohort_id"):
            batch_op.drop_column(name)
