"""feature flags: run-time overrides set by administrators (kit/features.py)

Revision ID: 4a4a0cfab2bf
Revises: e8f2a4c6b1d3
Create Date: 2026-12-03 19:17:20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4a4a0cfab2bf"
down_revision: str | None = "e8f2a4c6b1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feature_flag",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feature_flag")),
    )


def downgrade() -> None:
    op.drop_table("feature_flag")
