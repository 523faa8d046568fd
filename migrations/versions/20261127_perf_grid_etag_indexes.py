"""Indexes for the progress grid's ETag: the cohort's newest review and newest draft
save are read from an index (O(log n)) instead of every submission and draft row.

Revision ID: perf_grid_etag_indexes
Revises: api_tokens
Create Date: 2026-11-27 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "perf_grid_etag_indexes"
down_revision: str | None = "api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_submission_cohort_reviewed", "submission", ["cohort_id", "reviewed_at"])
    op.create_index("ix_draft_cohort_updated", "draft", ["cohort_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_draft_cohort_updated", table_name="draft")
    op.drop_index("ix_submission_cohort_reviewed", table_name="submission")
