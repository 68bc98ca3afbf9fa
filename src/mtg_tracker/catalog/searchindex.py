"""Writing the search index: rows derived by ``searchdoc`` for new and changed printings, current prices
kept in step, and a rebuild of stale or missing rows (after an upgrade or a derivation change)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

import orjson
from sqlalchemy import Table, and_, bindparam, case, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mtg_tracker.catalog.models import Card, CardSearch, CardText
from mtg_tracker.catalog.normalize import BadRecord, normalize_card
from mtg_tracker.catalog.searchdoc import FIRST_BITS, SEARCH_VERSION, search_prices, search_rows
from mtg_tracker.kit.db import Database, dialect_insert
from mtg_tracker.price.models import PRICE_TYPES

SEARCH_TABLE = S = cast(Table, CardSearch.__table__)
TEXT_TABLE = T = cast(Table, CardText.__table__)
_SEARCH_COLUMNS = [c.name for c in SEARCH_TABLE.columns if c.name not in ("rid", "card_id")]
_TEXT_COLUMNS = [c.name for c in TEXT_TABLE.columns if c.name != "rid"]

SearchRows = tuple[uuid.UUID, dict[str, Any], dict[str, Any]]

# Made by the migration on SQLite (see it for why): the FTS5 table and the flag that pauses its triggers.
_PAUSE_TRIGGERS = text("INSERT INTO catalog_card_text_fts_bulk (id) VALUES (1)")
_RESUME_TRIGGERS = text("DELETE FROM catalog_card_text_fts_bulk")
_REBUILD = text("INSERT INTO catalog_card_text_fts(catalog_card_text_fts) VALUES ('rebuild')")
BULK_AFTER_ROWS = 10_000
# PostgreSQL's trigram indexes (as the migration makes them): dropped for the first import into an empty
# catalog and built once at its end, which is many times cheaper than growing six GIN indexes row by row.
_PG_TEXT_INDEXES = (
    ("ix_catalog_card_text_trgm_name", "name"),
    ("ix_catalog_card_text_trgm_type", "type"),
    ("ix_catalog_card_text_trgm_oracle", "oracle"),
    ("ix_catalog_card_text_trgm_full", "full"),
    ("ix_catalog_card_text_trgm_tilde", "tilde"),
    ("ix_catalog_card_text_trgm_flavor", "flavor"),
)


class TextIndexBatch:
    """Keeps SQLite's trigram index current during one write transaction.

    Row-by-row maintenance (triggers) suits small changes; past ``BULK_AFTER_ROWS`` rows, or from the
    start when the catalog is empty, the triggers are paused and the index is rebuilt once at the end,
    which is about five times cheaper per row. PostgreSQL's GIN indexes maintain themselves.
    """

    def __init__(self, session: AsyncSession, *, bulk: bool = False) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.want_bulk = bulk
        self.bulk = False
        self.pg_dropped = False
        self.rows = 0

    async def wrote(self, conn: AsyncConnection, rows: int) -> None:
        self.rows += rows
        if self.sqlite and not self.bulk and (self.want_bulk or self.rows > BULK_AFTER_ROWS):
            await conn.execute(_PAUSE_TRIGGERS)
            self.bulk = True
        elif not self.sqlite and self.want_bulk and not self.pg_dropped:
            # Only into an empty catalog: DROP INDEX locks the table until commit, and there is nothing
            # to search yet anyway.
            for name, _ in _PG_TEXT_INDEXES:
                await conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
            self.pg_dropped = True

    async def finish(self, conn: AsyncConnection) -> None:
        if self.bulk:
            await conn.execute(_RESUME_TRIGGERS)
            await conn.execute(_REBUILD)
            self.bulk = False
        if self.pg_dropped:
            for name, column in _PG_TEXT_INDEXES:
                await conn.execute(
                    text(f'CREATE INDEX "{name}" ON catalog_card_text USING gin ("{column}" gin_trgm_ops)')
                )
            self.pg_dropped = False


async def write_rows(
    conn: AsyncConnection, session: AsyncSession, rows: Sequence[SearchRows], text_index: TextIndexBatch | None = None
) -> None:
    """Upsert search and text rows for these printings (one executemany each)."""
    if not rows:
        return
    if text_index is not None:
        await text_index.wrote(conn, len(rows))
    insert = dialect_insert(session)
    stmt = insert(SEARCH_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SEARCH_TABLE.c.card_id], set_={c: stmt.excluded[c] for c in _SEARCH_COLUMNS}
    )
    await conn.execute(stmt, [{"card_id": card_id, **search} for card_id, search, _ in rows])
    # The row ids in one query: an upsert with RETURNING goes row by row through the PostgreSQL driver
    # (the 2019 file: 49 s for these writes with RETURNING, 13 s with a plain executemany plus one SELECT).
    ids = [card_id for card_id, _, _ in rows]
    found = await conn.execute(
        select(SEARCH_TABLE.c.card_id, SEARCH_TABLE.c.rid).where(SEARCH_TABLE.c.card_id.in_(ids))
    )
    rid_of = dict(found.all())
    text_stmt = insert(TEXT_TABLE)
    text_stmt = text_stmt.on_conflict_do_update(
        index_elements=[TEXT_TABLE.c.rid], set_={c: text_stmt.excluded[c] for c in _TEXT_COLUMNS}
    )
    await conn.execute(text_stmt, [{"rid": rid_of[card_id], **text} for card_id, _, text in rows])


async def update_prices(conn: AsyncConnection, updates: Sequence[dict[str, Any]]) -> None:
    """Keep the searchable prices in step with a price-only catalog update (rows carry ``b_id``)."""
    if not updates:
        return
    await conn.execute(
        SEARCH_TABLE.update()
        .where(SEARCH_TABLE.c.card_id == bindparam("b_id"))
        .values(usd=bindparam("s_usd"), eur=bindparam("s_eur"), tix=bindparam("s_tix")),
        [{"b_id": u["b_id"], **{f"s_{k}": v for k, v in search_prices(u).items()}} for u in updates],
    )


def default_preference(rel: Any, dialect: str) -> list[Any]:
    """The order that picks the printing a card search shows (and breaks every tie the same way on both
    backends: byte order for text, the card id last)."""
    c = rel.c

    def coll(col: Any) -> Any:
        return col.collate("C") if dialect == "postgresql" else col

    return [
        c.prefer.asc(),
        c.released.desc().nulls_last(),
        coll(c.set_code).asc(),
        c.cn_num.asc().nulls_last(),
        coll(c.cn).asc(),
        c.card_id.asc(),
    ]


_RANK_CHUNK = 500
_RANK_ALL_ABOVE = 5000


async def rank_printings(session: AsyncSession, oracle_keys: set[uuid.UUID] | None = None) -> None:
    """Number each card's printings by ``default_preference`` (1 = shown by default) and place cards in
    name order (``card_no``), for the given cards or all of them. Searches then pick a card's printing
    with a plain MIN and sort by one number instead of windows over text."""
    dialect = session.get_bind().dialect.name
    conn = await session.connection()
    if oracle_keys is not None and len(oracle_keys) > _RANK_ALL_ABOVE:
        oracle_keys = None
    if oracle_keys is None:
        await _card_facts(conn, None)
        await _renumber_all(conn, dialect)
        return
    keys = sorted(oracle_keys)
    for start in range(0, len(keys), _RANK_CHUNK):
        chunk = keys[start : start + _RANK_CHUNK]
        await _card_facts(conn, chunk)
        rn = func.row_number().over(partition_by=S.c.oracle_key, order_by=default_preference(S, dialect))
        sub = select(S.c.rid, rn.label("rn")).where(S.c.oracle_key.in_(chunk)).subquery("ranked")
        await conn.execute(S.update().where(S.c.rid == sub.c.rid, S.c.pref_rank != sub.c.rn).values(pref_rank=sub.c.rn))
    await _place_cards(conn, dialect, keys)


async def _card_facts(conn: AsyncConnection, chunk: list[uuid.UUID] | None) -> None:
    """Counts over each card's printings and the new:/cheapest: bits of each printing."""
    printing = S.c.set_code + "/" + S.c.cn
    paper = S.c.games.op("&")(1) != 0
    counts = select(
        S.c.oracle_key,
        func.count(func.distinct(printing)).label("prints"),
        func.count(func.distinct(case((paper, printing)))).label("paperprints"),
        func.count(func.distinct(S.c.set_code)).label("sets"),
        func.count(func.distinct(case((paper, S.c.set_code)))).label("papersets"),
        func.count(func.distinct(S.c.art_key)).label("illustrations"),
    ).group_by(S.c.oracle_key)
    if chunk is not None:
        counts = counts.where(S.c.oracle_key.in_(chunk))
    g = counts.subquery("g")
    names = ("prints", "paperprints", "sets", "papersets", "illustrations")
    await conn.execute(
        S.update()
        .where(S.c.oracle_key == g.c.oracle_key, or_(*(S.c[n] != g.c[n] for n in names)))
        .values({n: g.c[n] for n in names})
    )

    def first(*partition: Any) -> Any:
        earliest = func.min(S.c.released).over(partition_by=(S.c.oracle_key, *partition))
        return case((S.c.released == earliest, 1), else_=0)

    def cheapest(column: Any) -> Any:
        low = func.min(column).over(partition_by=S.c.oracle_key)
        return case((column == low, 1), else_=0)

    bits = (
        first(S.c.art_key) * FIRST_BITS["art"]
        + first(S.c.artist) * FIRST_BITS["artist"]
        + case((T.c.flavor.is_not(None), first(T.c.flavor)), else_=0) * FIRST_BITS["flavor"]
        + first(S.c.frame) * FIRST_BITS["frame"]
        + first(S.c.lang) * FIRST_BITS["language"]
        + first(S.c.rarity) * FIRST_BITS["rarity"]
        + cheapest(S.c.usd) * FIRST_BITS["cheapest_usd"]
        + cheapest(S.c.eur) * FIRST_BITS["cheapest_eur"]
        + cheapest(S.c.tix) * FIRST_BITS["cheapest_tix"]
    )
    facts = select(S.c.rid, bits.label("firsts")).select_from(S.join(T, T.c.rid == S.c.rid))
    if chunk is not None:
        facts = facts.where(S.c.oracle_key.in_(chunk))
    f = facts.subquery("f")
    await conn.execute(S.update().where(S.c.rid == f.c.rid, S.c.firsts != f.c.firsts).values(firsts=f.c.firsts))


async def _renumber_all(conn: AsyncConnection, dialect: str) -> None:
    name = S.c.name_sort.collate("C") if dialect == "postgresql" else S.c.name_sort
    rn = func.row_number().over(partition_by=S.c.oracle_key, order_by=default_preference(S, dialect))
    no = func.dense_rank().over(order_by=(name, S.c.oracle_key))
    sub = select(S.c.rid, rn.label("rn"), no.label("no")).subquery("ranked")
    await conn.execute(
        S.update()
        .where(S.c.rid == sub.c.rid, or_(S.c.pref_rank != sub.c.rn, S.c.card_no != sub.c.no))
        .values(pref_rank=sub.c.rn, card_no=sub.c.no)
    )
    # Fresh statistics after a bulk change, so the planners choose between an index and a scan from
    # real selectivities (SQLite otherwise assumes every index is selective).
    await conn.execute(text("ANALYZE catalog_card_search"))
    await conn.execute(text("ANALYZE catalog_card_text"))


async def _place_cards(conn: AsyncConnection, dialect: str, keys: list[uuid.UUID]) -> None:
    """Give cards written outside a bulk import (``card_no`` 0) the midpoint between their neighbours in
    name order, so that one fetched card does not renumber the whole catalog."""
    new = (
        await conn.execute(select(S.c.oracle_key, S.c.name_sort).where(S.c.oracle_key.in_(keys), S.c.card_no == 0))
    ).all()
    name = S.c.name_sort.collate("C") if dialect == "postgresql" else S.c.name_sort
    for key, name_sort in {(k, n) for k, n in new}:
        placed = S.c.card_no > 0
        before = (
            select(func.max(S.c.card_no))
            .where(placed, or_(name < name_sort, and_(S.c.name_sort == name_sort, S.c.oracle_key < key)))
            .scalar_subquery()
        )
        after = (
            select(func.min(S.c.card_no))
            .where(placed, or_(name > name_sort, and_(S.c.name_sort == name_sort, S.c.oracle_key > key)))
            .scalar_subquery()
        )
        low, high = (await conn.execute(select(before, after))).one()
        low = low or 0.0
        high = high if high is not None else low + 2.0
        await conn.execute(S.update().where(S.c.oracle_key == key).values(card_no=(low + high) / 2))


async def unbounded(session: AsyncSession) -> None:
    """Lift the statement time limit for this transaction (must be the session's first statement)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL statement_timeout = 0"))
    else:
        await session.connection(execution_options={"statement_timeout_ms": 0})


def stale_filter() -> Any:
    return or_(SEARCH_TABLE.c.rid.is_(None), SEARCH_TABLE.c.version != SEARCH_VERSION)


async def stale_count(session: AsyncSession) -> int:
    """Printings whose search row is missing or was derived by an older version."""
    stmt = (
        select(func.count())
        .select_from(Card.__table__.outerjoin(SEARCH_TABLE, SEARCH_TABLE.c.card_id == Card.id))
        .where(stale_filter())
    )
    return int((await session.execute(stmt)).scalar_one())


def _derive(rows: list[Any]) -> list[SearchRows]:
    out: list[SearchRows] = []
    for row in rows:
        try:
            obj = orjson.loads(row[1])
            card = normalize_card(obj)
        except (BadRecord, orjson.JSONDecodeError):  # stored by an older, laxer importer: leave unindexed
            continue
        flat = {**card.row, **{k: row[2 + i] for i, k in enumerate(PRICE_TYPES)}}
        search, text = search_rows(card.current, flat)
        out.append((card.id, search, text))
    return out


async def reindex(
    db: Database, *, full: bool = False, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild the search rows of printings whose row is missing or stale (every printing with ``full``).

    Runs in one transaction so searches never see a half-built index; returns the number rebuilt.
    """
    prices = [getattr(Card, k) for k in PRICE_TYPES]
    done = 0
    async with db.session_scope() as session:
        await unbounded(session)
        base = select(Card.id).select_from(Card.__table__.outerjoin(SEARCH_TABLE, SEARCH_TABLE.c.card_id == Card.id))
        if not full:
            base = base.where(stale_filter())
        ids = [r[0] for r in await session.execute(base.order_by(Card.id))]
        conn = await session.connection()
        keys: set[uuid.UUID] = set()
        text_index = TextIndexBatch(session)
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            rows = (await session.execute(select(Card.id, Card.data, *prices).where(Card.id.in_(chunk)))).all()
            derived = await asyncio.to_thread(_derive, list(rows))
            await write_rows(conn, session, derived, text_index)
            keys.update(search["oracle_key"] for _, search, _ in derived)
            done += len(derived)
            if progress is not None:
                progress(done, len(ids))
        await text_index.finish(conn)
        if keys:
            await rank_printings(session, keys)
    return done
