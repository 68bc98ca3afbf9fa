"""search index: narrow per-printing rows, texts, and FTS5 trigram (SQLite) / pg_trgm (PostgreSQL)

Rows are filled by the importer; an existing catalog is indexed by `mtg-tracker catalog reindex`,
which `db upgrade` runs by itself when the index is missing rows.

Revision ID: bae02a880c45
Revises: 920c8f6a70ae
Create Date: 2026-11-23 17:19:34.849591
"""

# Identifiers in the f-string SQL below are constants of this file, never input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bae02a880c45"
down_revision: str | None = "920c8f6a70ae"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Substring searches go through these; oracle (without reminder text) and tilde are checked against the
# stored text after an index lookup on "full", which contains them.
_INDEXED = ("name", "type", "full", "flavor")
_PG_INDEXED = ("name", "type", "oracle", "full", "tilde", "flavor")
_FTS = "catalog_card_text_fts"
_BULK = "catalog_card_text_fts_bulk"


def _create_text_search() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        cols = ", ".join(f'"{c}"' for c in _INDEXED)
        new = ", ".join(f'new."{c}"' for c in _INDEXED)
        old = ", ".join(f'old."{c}"' for c in _INDEXED)
        # External content (the text is stored once, in catalog_card_text); trigram tokens make
        # GLOB '*words*' an index lookup; detail=none keeps the index small (GLOB re-checks the text).
        op.execute(
            f"CREATE VIRTUAL TABLE {_FTS} USING fts5({cols}, content='catalog_card_text', content_rowid='rid', "
            "tokenize='trigram', detail='none', columnsize=0)"
        )
        # While a bulk import holds a row here (inside its own transaction) the triggers stand aside and
        # the import rebuilds the index once at the end: five times faster than row by row.
        op.execute(f"CREATE TABLE {_BULK} (id INTEGER PRIMARY KEY)")
        idle = f"WHEN NOT EXISTS (SELECT 1 FROM {_BULK})"
        op.execute(
            f"CREATE TRIGGER catalog_card_text_ai AFTER INSERT ON catalog_card_text {idle} BEGIN "
            f"INSERT INTO {_FTS}(rowid, {cols}) VALUES (new.rid, {new}); END"
        )
        op.execute(
            f"CREATE TRIGGER catalog_card_text_ad AFTER DELETE ON catalog_card_text {idle} BEGIN "
            f"INSERT INTO {_FTS}({_FTS}, rowid, {cols}) VALUES ('delete', old.rid, {old}); END"
        )
        op.execute(
            f"CREATE TRIGGER catalog_card_text_au AFTER UPDATE ON catalog_card_text {idle} BEGIN "
            f"INSERT INTO {_FTS}({_FTS}, rowid, {cols}) VALUES ('delete', old.rid, {old}); "
            f"INSERT INTO {_FTS}(rowid, {cols}) VALUES (new.rid, {new}); END"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for c in _PG_INDEXED:
            op.execute(
                f'CREATE INDEX ix_catalog_card_text_trgm_{c} ON catalog_card_text USING gin ("{c}" gin_trgm_ops)'
            )


def _drop_text_search() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("catalog_card_text_ai", "catalog_card_text_ad", "catalog_card_text_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute(f"DROP TABLE IF EXISTS {_BULK}")
        op.execute(f"DROP TABLE IF EXISTS {_FTS}")
    else:
        for c in _PG_INDEXED:
            op.execute(f"DROP INDEX IF EXISTS ix_catalog_card_text_trgm_{c}")


def upgrade() -> None:
    op.create_table(
        "catalog_card_search",
        sa.Column("rid", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hidden", sa.SmallInteger(), nullable=False),
        sa.Column("pref_rank", sa.Integer(), nullable=False),
        sa.Column("card_no", sa.Float(), nullable=False),
        sa.Column("flags", sa.BigInteger(), nullable=False),
        sa.Column("types", sa.Integer(), nullable=False),
        sa.Column("colors", sa.SmallInteger(), nullable=False),
        sa.Column("identity", sa.SmallInteger(), nullable=False),
        sa.Column("color_count", sa.SmallInteger(), nullable=False),
        sa.Column("identity_count", sa.SmallInteger(), nullable=False),
        sa.Column("cmc", sa.Float(), nullable=True),
        sa.Column("rarity", sa.SmallInteger(), nullable=False),
        sa.Column("legal", sa.Integer(), nullable=False),
        sa.Column("banned", sa.Integer(), nullable=False),
        sa.Column("restricted", sa.Integer(), nullable=False),
        sa.Column("power", sa.Float(), nullable=True),
        sa.Column("toughness", sa.Float(), nullable=True),
        sa.Column("lands", sa.Integer(), nullable=False),
        sa.Column("games", sa.SmallInteger(), nullable=False),
        sa.Column("set_code", sa.String(length=16), nullable=False),
        sa.Column("released", sa.Date(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("usd", sa.Integer(), nullable=True),
        sa.Column("eur", sa.Integer(), nullable=True),
        sa.Column("tix", sa.Integer(), nullable=True),
        sa.Column("name_sort", sa.String(length=300), nullable=False),
        sa.Column("oracle_key", sa.Uuid(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("art_key", sa.Uuid(), nullable=False),
        sa.Column("cn", sa.String(length=20), nullable=False),
        sa.Column("cn_num", sa.Integer(), nullable=True),
        sa.Column("loyalty", sa.Float(), nullable=True),
        sa.Column("defense", sa.Float(), nullable=True),
        sa.Column("finishes", sa.SmallInteger(), nullable=False),
        sa.Column("indicator", sa.Boolean(), nullable=False),
        sa.Column("produced", sa.SmallInteger(), nullable=True),
        sa.Column("mana", sa.String(length=400), nullable=True),
        sa.Column("mana_count", sa.SmallInteger(), nullable=False),
        sa.Column("dev_w", sa.SmallInteger(), nullable=False),
        sa.Column("dev_u", sa.SmallInteger(), nullable=False),
        sa.Column("dev_b", sa.SmallInteger(), nullable=False),
        sa.Column("dev_r", sa.SmallInteger(), nullable=False),
        sa.Column("dev_g", sa.SmallInteger(), nullable=False),
        sa.Column("keywords", sa.String(length=600), nullable=True),
        sa.Column("set_type", sa.String(length=40), nullable=True),
        sa.Column("frame", sa.String(length=20), nullable=True),
        sa.Column("frame_effects", sa.String(length=300), nullable=True),
        sa.Column("border", sa.String(length=20), nullable=True),
        sa.Column("stamp", sa.String(length=20), nullable=True),
        sa.Column("watermark", sa.String(length=60), nullable=True),
        sa.Column("artist", sa.String(length=300), nullable=True),
        sa.Column("artist_count", sa.SmallInteger(), nullable=False),
        sa.Column("edhrec_rank", sa.Integer(), nullable=True),
        sa.Column("penny_rank", sa.Integer(), nullable=True),
        sa.Column("prefer", sa.SmallInteger(), nullable=False),
        sa.Column("prints", sa.SmallInteger(), nullable=False),
        sa.Column("paperprints", sa.SmallInteger(), nullable=False),
        sa.Column("sets", sa.SmallInteger(), nullable=False),
        sa.Column("papersets", sa.SmallInteger(), nullable=False),
        sa.Column("illustrations", sa.SmallInteger(), nullable=False),
        sa.Column("firsts", sa.SmallInteger(), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["catalog_card.id"],
            name=op.f("fk_catalog_card_search_card_id_catalog_card"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rid", name=op.f("pk_catalog_card_search")),
        sa.UniqueConstraint("card_id", name=op.f("uq_catalog_card_search_card_id")),
    )
    with op.batch_alter_table("catalog_card_search", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_card_search_oracle_key", ["oracle_key", "pref_rank"], unique=False)
        batch_op.create_index("ix_catalog_card_search_released", ["released"], unique=False)
        batch_op.create_index("ix_catalog_card_search_set_code", ["set_code", "cn_num"], unique=False)
        batch_op.create_index("ix_catalog_card_search_usd", ["usd"], unique=False)

    op.create_table(
        "catalog_card_text",
        sa.Column("rid", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_lc", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("oracle", sa.Text(), nullable=False),
        sa.Column("full", sa.Text(), nullable=False),
        sa.Column("tilde", sa.Text(), nullable=True),
        sa.Column("flavor", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rid"],
            ["catalog_card_search.rid"],
            name=op.f("fk_catalog_card_text_rid_catalog_card_search"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("rid", name=op.f("pk_catalog_card_text")),
    )

    _create_text_search()


def downgrade() -> None:
    _drop_text_search()
    op.drop_table("catalog_card_text")
    with op.batch_alter_table("catalog_card_search", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_card_search_usd")
        batch_op.drop_index("ix_catalog_card_search_set_code")
        batch_op.drop_index("ix_catalog_card_search_released")
        batch_op.drop_index("ix_catalog_card_search_oracle_key")

    op.drop_table("catalog_card_search")
