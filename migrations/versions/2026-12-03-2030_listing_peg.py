"""marketplace_listing.peg_pct: listings pegged to the market price less a percentage

Revision ID: b7c1e2d3f4a5
Revises: f1a7c3e9d5b2
Create Date: 2026-12-03 20:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7c1e2d3f4a5"
down_revision: str | None = "f1a7c3e9d5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("marketplace_listing") as batch:
        batch.add_column(sa.Column("peg_pct", sa.SmallInteger(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_marketplace_listing_peg_pct"), "peg_pct IS NULL OR (peg_pct >= 0 AND peg_pct <= 90)"
        )


def downgrade() -> None:
    with op.batch_alter_table("marketplace_listing") as batch:
        batch.drop_constraint(op.f("ck_marketplace_listing_peg_pct"), type_="check")
        batch.drop_column("peg_pct")
