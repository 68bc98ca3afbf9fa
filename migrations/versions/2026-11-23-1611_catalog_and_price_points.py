"""catalog and price points

Revision ID: 54bcdd888ffd
Revises: 4f49a16e5806
Create Date: 2026-11-23 16:11:10.528159
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "54bcdd888ffd"
down_revision: str | None = "4f49a16e5806"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "catalog_card",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("oracle_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_norm", sa.String(length=300), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("released_at", sa.Date(), nullable=True),
        sa.Column("layout", sa.String(length=30), nullable=False),
        sa.Column("set_code", sa.String(length=16), nullable=False),
        sa.Column("set_id", sa.Uuid(), nullable=True),
        sa.Column("collector_number", sa.String(length=20), nullable=False),
        sa.Column("cn_sort", sa.Integer(), nullable=True),
        sa.Column("rarity", sa.String(length=12), nullable=False),
        sa.Column("rarity_rank", sa.SmallInteger(), nullable=False),
        sa.Column("mana_cost", sa.String(length=200), nullable=True),
        sa.Column("cmc", sa.Float(), nullable=True),
        sa.Column("type_line", sa.String(length=300), nullable=True),
        sa.Column("oracle_text", sa.Text(), nullable=True),
        sa.Column("flavor_text", sa.Text(), nullable=True),
        sa.Column("power", sa.String(length=10), nullable=True),
        sa.Column("toughness", sa.String(length=10), nullable=True),
        sa.Column("loyalty", sa.String(length=10), nullable=True),
        sa.Column("defense", sa.String(length=10), nullable=True),
        sa.Column("power_num", sa.Float(), nullable=True),
        sa.Column("toughness_num", sa.Float(), nullable=True),
        sa.Column("loyalty_num", sa.Float(), nullable=True),
        sa.Column("defense_num", sa.Float(), nullable=True),
        sa.Column("colors", sa.SmallInteger(), nullable=False),
        sa.Column("color_identity", sa.SmallInteger(), nullable=False),
        sa.Column("color_indicator", sa.SmallInteger(), nullable=True),
        sa.Column("produced_mana", sa.SmallInteger(), nullable=True),
        sa.Column("keywords", sa.Text(), nullable=True),
        sa.Column("legalities", sa.Text(), nullable=True),
        sa.Column("games", sa.SmallInteger(), nullable=False),
        sa.Column("finishes", sa.SmallInteger(), nullable=False),
        sa.Column("frame", sa.String(length=20), nullable=True),
        sa.Column("frame_effects", sa.String(length=200), nullable=True),
        sa.Column("border_color", sa.String(length=20), nullable=True),
        sa.Column("security_stamp", sa.String(length=20), nullable=True),
        sa.Column("watermark", sa.String(length=60), nullable=True),
        sa.Column("artist", sa.String(length=300), nullable=True),
        sa.Column("illustration_id", sa.Uuid(), nullable=True),
        sa.Column("reserved", sa.Boolean(), nullable=False),
        sa.Column("digital", sa.Boolean(), nullable=False),
        sa.Column("promo", sa.Boolean(), nullable=False),
        sa.Column("reprint", sa.Boolean(), nullable=False),
        sa.Column("oversized", sa.Boolean(), nullable=False),
        sa.Column("full_art", sa.Boolean(), nullable=False),
        sa.Column("textless", sa.Boolean(), nullable=False),
        sa.Column("booster", sa.Boolean(), nullable=False),
        sa.Column("variation", sa.Boolean(), nullable=False),
        sa.Column("is_extra", sa.Boolean(), nullable=False),
        sa.Column("mtgo_id", sa.Integer(), nullable=True),
        sa.Column("mtgo_foil_id", sa.Integer(), nullable=True),
        sa.Column("arena_id", sa.Integer(), nullable=True),
        sa.Column("tcgplayer_id", sa.Integer(), nullable=True),
        sa.Column("tcgplayer_etched_id", sa.Integer(), nullable=True),
        sa.Column("cardmarket_id", sa.Integer(), nullable=True),
        sa.Column("edhrec_rank", sa.Integer(), nullable=True),
        sa.Column("penny_rank", sa.Integer(), nullable=True),
        sa.Column("usd", sa.Integer(), nullable=True),
        sa.Column("usd_foil", sa.Integer(), nullable=True),
        sa.Column("usd_etched", sa.Integer(), nullable=True),
        sa.Column("eur", sa.Integer(), nullable=True),
        sa.Column("eur_foil", sa.Integer(), nullable=True),
        sa.Column("tix", sa.Integer(), nullable=True),
        sa.Column("price_style", sa.SmallInteger(), nullable=False),
        sa.Column("price_keys", sa.SmallInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("content_hash", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_card")),
    )
    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_card_arena_id", ["arena_id"], unique=False)
        batch_op.create_index("ix_catalog_card_cardmarket_id", ["cardmarket_id"], unique=False)
        batch_op.create_index("ix_catalog_card_illustration_id", ["illustration_id"], unique=False)
        batch_op.create_index("ix_catalog_card_mtgo_foil_id", ["mtgo_foil_id"], unique=False)
        batch_op.create_index("ix_catalog_card_mtgo_id", ["mtgo_id"], unique=False)
        batch_op.create_index("ix_catalog_card_name_norm", ["name_norm"], unique=False)
        batch_op.create_index("ix_catalog_card_oracle_id", ["oracle_id"], unique=False)
        batch_op.create_index("ix_catalog_card_set_cn", ["set_code", "collector_number", "lang"], unique=False)
        batch_op.create_index("ix_catalog_card_tcgplayer_etched_id", ["tcgplayer_etched_id"], unique=False)
        batch_op.create_index("ix_catalog_card_tcgplayer_id", ["tcgplayer_id"], unique=False)

    op.create_table(
        "catalog_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bulk_type", sa.String(length=40), nullable=True),
        sa.Column("bulk_updated_at", sa.String(length=40), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_import")),
    )
    with op.batch_alter_table("catalog_import", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_import_kind_started_at", ["kind", "started_at"], unique=False)

    op.create_table(
        "catalog_set",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("set_type", sa.String(length=40), nullable=True),
        sa.Column("released_at", sa.Date(), nullable=True),
        sa.Column("block_code", sa.String(length=16), nullable=True),
        sa.Column("parent_set_code", sa.String(length=16), nullable=True),
        sa.Column("digital", sa.Boolean(), nullable=False),
        sa.Column("card_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_catalog_set")),
        sa.UniqueConstraint("id", name=op.f("uq_catalog_set_id")),
    )
    op.create_table(
        "catalog_card_multiverse",
        sa.Column("multiverse_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["catalog_card.id"],
            name=op.f("fk_catalog_card_multiverse_card_id_catalog_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("multiverse_id", "card_id", name=op.f("pk_catalog_card_multiverse")),
    )
    with op.batch_alter_table("catalog_card_multiverse", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_card_multiverse_card_id", ["card_id"], unique=False)

    op.create_table(
        "catalog_card_name",
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("name_norm", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_catalog_card_name_card_id_catalog_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("card_id", "name_norm", name=op.f("pk_catalog_card_name")),
    )
    with op.batch_alter_table("catalog_card_name", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_card_name_name_norm", ["name_norm"], unique=False)

    op.create_table(
        "price_point",
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("usd", sa.Integer(), nullable=True),
        sa.Column("usd_foil", sa.Integer(), nullable=True),
        sa.Column("usd_etched", sa.Integer(), nullable=True),
        sa.Column("eur", sa.Integer(), nullable=True),
        sa.Column("eur_foil", sa.Integer(), nullable=True),
        sa.Column("tix", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_price_point_card_id_catalog_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("card_id", "day", name=op.f("pk_price_point")),
    )


def downgrade() -> None:

    op.drop_table("price_point")
    with op.batch_alter_table("catalog_card_name", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_card_name_name_norm")

    op.drop_table("catalog_card_name")
    with op.batch_alter_table("catalog_card_multiverse", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_card_multiverse_card_id")

    op.drop_table("catalog_card_multiverse")
    op.drop_table("catalog_set")
    with op.batch_alter_table("catalog_import", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_import_kind_started_at")

    op.drop_table("catalog_import")
    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_card_tcgplayer_id")
        batch_op.drop_index("ix_catalog_card_tcgplayer_etched_id")
        batch_op.drop_index("ix_catalog_card_set_cn")
        batch_op.drop_index("ix_catalog_card_oracle_id")
        batch_op.drop_index("ix_catalog_card_name_norm")
        batch_op.drop_index("ix_catalog_card_mtgo_id")
        batch_op.drop_index("ix_catalog_card_mtgo_foil_id")
        batch_op.drop_index("ix_catalog_card_illustration_id")
        batch_op.drop_index("ix_catalog_card_cardmarket_id")
        batch_op.drop_index("ix_catalog_card_arena_id")

    op.drop_table("catalog_card")
