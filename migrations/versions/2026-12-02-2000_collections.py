"""collections: collections, entries, daily value snapshots

Revision ID: d7e3f1a9b2c4
Revises: c4a1e2b3d5f6
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d7e3f1a9b2c4"
down_revision: str | None = "c4a1e2b3d5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["account_user.id"], name=op.f("fk_collection_owner_id_account_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.CheckConstraint("kind IN ('collection', 'binder', 'deck', 'wishlist')", name=op.f("ck_collection_kind")),
    )
    with op.batch_alter_table("collection", schema=None) as batch_op:
        batch_op.create_index("ix_collection_owner_id_name", ["owner_id", "name"], unique=False)

    op.create_table(
        "collection_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("finish", sa.String(length=8), nullable=False),
        sa.Column("condition", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("purchase_cents", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("acquired", sa.Date(), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        # No ON DELETE: removing a printing from the catalog must never silently remove what users own.
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_collection_entry_card_id_catalog_card")
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_entry_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_entry")),
        sa.UniqueConstraint(
            "collection_id",
            "card_id",
            "finish",
            "condition",
            "language",
            name=op.f("uq_collection_entry_collection_id_card_id_finish_condition_language"),
        ),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_collection_entry_quantity")),
        sa.CheckConstraint("finish IN ('nonfoil', 'foil', 'etched')", name=op.f("ck_collection_entry_finish")),
        sa.CheckConstraint(
            "condition IN ('M', 'NM', 'LP', 'MP', 'HP', 'D')", name=op.f("ck_collection_entry_condition")
        ),
    )
    with op.batch_alter_table("collection_entry", schema=None) as batch_op:
        batch_op.create_index("ix_collection_entry_card_id", ["card_id"], unique=False)

    op.create_table(
        "collection_value_snapshot",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("unpriced_cards", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_collection_value_snapshot_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "day", "currency", name=op.f("pk_collection_value_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("collection_value_snapshot")
    with op.batch_alter_table("collection_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_collection_entry_card_id")
    op.drop_table("collection_entry")
    with op.batch_alter_table("collection", schema=None) as batch_op:
        batch_op.drop_index("ix_collection_owner_id_name")
    op.drop_table("collection")
