"""catalog_ruling: card rulings keyed by oracle id (from Scryfall's rulings file and MTGJSON);
catalog_migration: Scryfall's card migrations (merged or deleted card ids)

Revision ID: f1a7c3e9d5b2
Revises: f1a7c3e9d2b5
Create Date: 2026-12-03 19:33:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a7c3e9d5b2"
down_revision: str | None = "f1a7c3e9d2b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_ruling",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("oracle_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("published_at", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_ruling")),
        sa.UniqueConstraint("key", name=op.f("uq_catalog_ruling_key")),
    )
    op.create_index("ix_catalog_ruling_oracle_id", "catalog_ruling", ["oracle_id", "published_at"], unique=False)
    op.create_table(
        "catalog_migration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("performed_at", sa.Date(), nullable=False),
        sa.Column("strategy", sa.String(length=10), nullable=False),
        sa.Column("old_scryfall_id", sa.Uuid(), nullable=False),
        sa.Column("new_scryfall_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_migration")),
    )
    op.create_index("ix_catalog_migration_old_scryfall_id", "catalog_migration", ["old_scryfall_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_catalog_migration_old_scryfall_id", table_name="catalog_migration")
    op.drop_table("catalog_migration")
    op.drop_index("ix_catalog_ruling_oracle_id", table_name="catalog_ruling")
    op.drop_table("catalog_ruling")
