"""Catalog tables: sets, printings (the full source object plus indexed columns), names, multiverse ids,
and the record of imports (for conditional bulk sync and catalog freshness)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base, UTCDateTime
from mtg_tracker.price.models import PriceCents

# Cache namespace of everything derived from the catalog (cards, search pages): an import bumps it.
CATALOG_CACHE_NAMESPACE = "catalog"


class CardSet(Base):
    __tablename__ = "catalog_set"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    set_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    released_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    block_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    parent_set_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    digital: Mapped[bool] = mapped_column(Boolean, default=False)
    card_count: Mapped[int] = mapped_column(Integer, default=0)
    # "sets" = full object from Scryfall's /sets; "cards" = known only from card objects' set_* fields.
    source: Mapped[str] = mapped_column(String(10))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Card(PriceCents, Base):
    """One printing. ``data`` is the source object without prices (JSON bytes), served verbatim."""

    __tablename__ = "catalog_card"
    __table_args__ = (
        Index("ix_catalog_card_set_cn", "set_code", "collector_number", "lang"),
        Index("ix_catalog_card_name_norm", "name_norm"),
        Index("ix_catalog_card_oracle_id", "oracle_id"),
        Index("ix_catalog_card_illustration_id", "illustration_id"),
        Index("ix_catalog_card_mtgo_id", "mtgo_id"),
        Index("ix_catalog_card_mtgo_foil_id", "mtgo_foil_id"),
        Index("ix_catalog_card_arena_id", "arena_id"),
        Index("ix_catalog_card_tcgplayer_id", "tcgplayer_id"),
        Index("ix_catalog_card_tcgplayer_etched_id", "tcgplayer_etched_id"),
        Index("ix_catalog_card_cardmarket_id", "cardmarket_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    oracle_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    name: Mapped[str] = mapped_column(String(300))
    name_norm: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(8))
    released_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    layout: Mapped[str] = mapped_column(String(30))
    set_code: Mapped[str] = mapped_column(String(16))
    set_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    collector_number: Mapped[str] = mapped_column(String(20))
    cn_sort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rarity: Mapped[str] = mapped_column(String(12))
    rarity_rank: Mapped[int] = mapped_column(SmallInteger)
    mana_cost: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cmc: Mapped[float | None] = mapped_column(Float, nullable=True)
    type_line: Mapped[str | None] = mapped_column(String(300), nullable=True)
    oracle_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    flavor_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    power: Mapped[str | None] = mapped_column(String(10), nullable=True)
    toughness: Mapped[str | None] = mapped_column(String(10), nullable=True)
    loyalty: Mapped[str | None] = mapped_column(String(10), nullable=True)
    defense: Mapped[str | None] = mapped_column(String(10), nullable=True)
    power_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    toughness_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    loyalty_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    defense_num: Mapped[float | None] = mapped_column(Float, nullable=True)
    colors: Mapped[int] = mapped_column(SmallInteger)  # bit set W=1 U=2 B=4 R=8 G=16
    color_identity: Mapped[int] = mapped_column(SmallInteger)
    color_indicator: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    produced_mana: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    keywords: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list
    legalities: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON object
    games: Mapped[int] = mapped_column(SmallInteger)  # bit set paper=1 mtgo=2 arena=4
    finishes: Mapped[int] = mapped_column(SmallInteger)  # bit set nonfoil=1 foil=2 etched=4 glossy=8
    frame: Mapped[str | None] = mapped_column(String(20), nullable=True)
    frame_effects: Mapped[str | None] = mapped_column(String(200), nullable=True)
    border_color: Mapped[str | None] = mapped_column(String(20), nullable=True)
    security_stamp: Mapped[str | None] = mapped_column(String(20), nullable=True)
    watermark: Mapped[str | None] = mapped_column(String(60), nullable=True)
    artist: Mapped[str | None] = mapped_column(String(300), nullable=True)
    illustration_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    reserved: Mapped[bool] = mapped_column(Boolean)
    digital: Mapped[bool] = mapped_column(Boolean)
    promo: Mapped[bool] = mapped_column(Boolean)
    reprint: Mapped[bool] = mapped_column(Boolean)
    oversized: Mapped[bool] = mapped_column(Boolean)
    full_art: Mapped[bool] = mapped_column(Boolean)
    textless: Mapped[bool] = mapped_column(Boolean)
    booster: Mapped[bool] = mapped_column(Boolean)
    variation: Mapped[bool] = mapped_column(Boolean)
    is_extra: Mapped[bool] = mapped_column(Boolean)
    mtgo_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    mtgo_foil_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    arena_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tcgplayer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tcgplayer_etched_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cardmarket_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    edhrec_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    penny_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Current prices come from PriceCents (history lives in price_point); style/keys say how the
    # source spelled them.
    # Day of the newest price point written for this card: lets a same-day re-import skip rewriting it.
    price_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    price_style: Mapped[int] = mapped_column(SmallInteger)
    price_keys: Mapped[int] = mapped_column(SmallInteger)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # The object exactly as imported (with its own prices) when catalog.upgrade had to bring it to the
    # current schema; None when ``data`` already is the source. Served by ?format=source.
    source: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CardSearch(Base):
    """The search index: one narrow row per printing (numbers, codes, bit sets), derived by
    ``searchdoc.search_rows`` at import. No JSON and no long text, so a scan of 150,000 rows is cheap;
    the texts live in ``catalog_card_text``. ``rid`` is an integer key because SQLite's FTS5 needs one.
    """

    __tablename__ = "catalog_card_search"
    __table_args__ = (
        Index("ix_catalog_card_search_oracle_key", "oracle_key", "pref_rank"),
        Index("ix_catalog_card_search_set_code", "set_code", "cn_num"),
        Index("ix_catalog_card_search_released", "released"),
        Index("ix_catalog_card_search_usd", "usd"),
    )

    # Column order is deliberate: SQLite decodes a row's columns left to right, so the columns most
    # queries test come first.
    rid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hidden: Mapped[int] = mapped_column(SmallInteger)  # HIDDEN_* bits: what default searches leave out
    pref_rank: Mapped[int] = mapped_column(Integer)  # 1 = the printing a card search shows by default
    # The card's place in name order (name_sort, then oracle_key): grouping and sorting on one number is
    # several times cheaper than on a 32-character key. Whole numbers after a bulk import; a card added
    # alone gets the midpoint between its neighbours.
    card_no: Mapped[float] = mapped_column(Float)
    flags: Mapped[int] = mapped_column(BigInteger)  # bit per cardflags.PRINTING_FLAGS
    types: Mapped[int] = mapped_column(Integer)  # bit per searchdoc.TYPE_WORDS found in the type line
    colors: Mapped[int] = mapped_column(SmallInteger)
    identity: Mapped[int] = mapped_column(SmallInteger)
    color_count: Mapped[int] = mapped_column(SmallInteger)
    identity_count: Mapped[int] = mapped_column(SmallInteger)
    cmc: Mapped[float | None] = mapped_column(Float, nullable=True)
    rarity: Mapped[int] = mapped_column(SmallInteger)
    legal: Mapped[int] = mapped_column(Integer)  # bit per format (searchdoc.FORMATS)
    banned: Mapped[int] = mapped_column(Integer)
    restricted: Mapped[int] = mapped_column(Integer)
    power: Mapped[float | None] = mapped_column(Float, nullable=True)
    toughness: Mapped[float | None] = mapped_column(Float, nullable=True)
    lands: Mapped[int] = mapped_column(Integer)  # bit per cardflags.LAND_FLAGS
    games: Mapped[int] = mapped_column(SmallInteger)
    set_code: Mapped[str] = mapped_column(String(16))
    released: Mapped[date | None] = mapped_column(Date, nullable=True)
    lang: Mapped[str] = mapped_column(String(8))
    usd: Mapped[int | None] = mapped_column(Integer, nullable=True)  # cents: nonfoil, else foil, else etched
    eur: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tix: Mapped[int | None] = mapped_column(Integer, nullable=True)
    name_sort: Mapped[str] = mapped_column(String(300))
    oracle_key: Mapped[uuid.UUID] = mapped_column(Uuid)  # oracle_id, or the card id when it has none
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), unique=True)
    art_key: Mapped[uuid.UUID] = mapped_column(Uuid)  # illustration_id, or the card id
    cn: Mapped[str] = mapped_column(String(20))
    cn_num: Mapped[int | None] = mapped_column(Integer, nullable=True)
    loyalty: Mapped[float | None] = mapped_column(Float, nullable=True)
    defense: Mapped[float | None] = mapped_column(Float, nullable=True)
    finishes: Mapped[int] = mapped_column(SmallInteger)
    indicator: Mapped[bool] = mapped_column(Boolean)
    produced: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # WUBRG bits + C = 32
    mana: Mapped[str | None] = mapped_column(String(400), nullable=True)  # |SYM#k|… (searchdoc.mana_tokens)
    mana_count: Mapped[int] = mapped_column(SmallInteger)
    dev_w: Mapped[int] = mapped_column(SmallInteger)
    dev_u: Mapped[int] = mapped_column(SmallInteger)
    dev_b: Mapped[int] = mapped_column(SmallInteger)
    dev_r: Mapped[int] = mapped_column(SmallInteger)
    dev_g: Mapped[int] = mapped_column(SmallInteger)
    keywords: Mapped[str | None] = mapped_column(String(600), nullable=True)  # |flying|haste|
    set_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    frame: Mapped[str | None] = mapped_column(String(20), nullable=True)
    frame_effects: Mapped[str | None] = mapped_column(String(300), nullable=True)  # |showcase|legendary|
    border: Mapped[str | None] = mapped_column(String(20), nullable=True)
    stamp: Mapped[str | None] = mapped_column(String(20), nullable=True)
    watermark: Mapped[str | None] = mapped_column(String(60), nullable=True)
    artist: Mapped[str | None] = mapped_column(String(300), nullable=True)
    artist_count: Mapped[int] = mapped_column(SmallInteger)
    edhrec_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    penny_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prefer: Mapped[int] = mapped_column(SmallInteger)  # default-printing class, lower wins
    # Facts about all of a card's printings, kept on each of them by searchindex.rank_printings so that
    # prints>20, new:art or cheapest:usd are column tests instead of per-query aggregates.
    prints: Mapped[int] = mapped_column(SmallInteger)
    paperprints: Mapped[int] = mapped_column(SmallInteger)
    sets: Mapped[int] = mapped_column(SmallInteger)
    papersets: Mapped[int] = mapped_column(SmallInteger)
    illustrations: Mapped[int] = mapped_column(SmallInteger)
    firsts: Mapped[int] = mapped_column(SmallInteger)  # searchdoc.FIRST_BITS: new:… and cheapest:…
    version: Mapped[int] = mapped_column(SmallInteger)


class CardText(Base):
    """Lowercased texts of a printing for ``name/t/o/fo/ft`` searches. Indexed by FTS5 (trigram) on
    SQLite and by pg_trgm GIN indexes on PostgreSQL, both created by the migration."""

    __tablename__ = "catalog_card_text"

    rid: Mapped[int] = mapped_column(
        Integer, ForeignKey("catalog_card_search.rid", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    name: Mapped[str] = mapped_column(Text)  # normalize_name: accents and punctuation folded
    name_lc: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(Text)
    oracle: Mapped[str] = mapped_column(Text)  # without reminder text
    full: Mapped[str] = mapped_column(Text)  # with reminder text
    tilde: Mapped[str | None] = mapped_column(Text, nullable=True)  # own name → ~, only when it names itself
    flavor: Mapped[str | None] = mapped_column(Text, nullable=True)


class CardName(Base):
    """Every name a printing answers to (full name and each face), normalised, for named look-ups."""

    __tablename__ = "catalog_card_name"
    __table_args__ = (Index("ix_catalog_card_name_name_norm", "name_norm"),)

    card_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), primary_key=True
    )
    name_norm: Mapped[str] = mapped_column(String(300), primary_key=True)


class CardMultiverse(Base):
    __tablename__ = "catalog_card_multiverse"
    __table_args__ = (Index("ix_catalog_card_multiverse_card_id", "card_id"),)

    multiverse_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), primary_key=True
    )


class CatalogImport(Base):
    """One import attempt: what, from where, how it ended. Bulk sync compares against the last success."""

    __tablename__ = "catalog_import"
    __table_args__ = (Index("ix_catalog_import_kind_started_at", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # cards | sets | bulk
    source: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))  # running | succeeded | failed | unchanged
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    bulk_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    bulk_updated_at: Mapped[str | None] = mapped_column(String(40), nullable=True)
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # sha256 of the file + normaliser version: an identical file on the same price day is a no-op.
    fingerprint: Mapped[str | None] = mapped_column(String(100), nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON counts
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class CardRuling(Base):
    """One ruling, keyed by oracle id as Scryfall keys them (a ruling belongs to the card, not a printing).

    ``key`` is a digest of (oracle_id, source, published_at, comment): the same WotC ruling arrives from
    both Scryfall's rulings file and MTGJSON, and loading either again must not duplicate it.
    """

    __tablename__ = "catalog_ruling"
    __table_args__ = (Index("ix_catalog_ruling_oracle_id", "oracle_id", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    oracle_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(10))  # wotc | scryfall
    published_at: Mapped[date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text)


class CardMigration(Base):
    """One of Scryfall's card migrations: an id that was merged into another (``merge``) or removed
    (``delete``). ``data`` is Scryfall's migration object, served as stored."""

    __tablename__ = "catalog_migration"
    __table_args__ = (Index("ix_catalog_migration_old_scryfall_id", "old_scryfall_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    performed_at: Mapped[date] = mapped_column(Date)
    strategy: Mapped[str] = mapped_column(String(10))  # merge | delete
    old_scryfall_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    new_scryfall_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
