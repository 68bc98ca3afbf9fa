"""Price points: the write paths (catalog imports replace a day, backfills merge into it) and history reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

import orjson
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.errors import CardNotFound
from mtg_tracker.catalog.models import Card
from mtg_tracker.kit.db import dialect_insert
from mtg_tracker.price.codecs import cents_to_price
from mtg_tracker.price.models import PRICE_TYPES as PRICE_COLUMNS
from mtg_tracker.price.models import PricePoint

POINT_TABLE = cast(Table, PricePoint.__table__)
# Movers responses are cached under this namespace; whatever changes history or movers bumps it.
PRICE_CACHE_NAMESPACE = "price"


async def record_points(
    session: AsyncSession, day: date, points: Sequence[tuple[uuid.UUID, dict[str, int | None]]]
) -> int:
    """Write one day's prices for many printings; a second write the same day replaces the row.

    Points with no price at all are skipped: a row of nulls says nothing and costs 40 bytes.
    """
    rows: list[dict[str, Any]] = []
    for card_id, cents in points:
        if not any(cents.get(c) is not None for c in PRICE_COLUMNS):
            continue
        rows.append({"card_id": card_id, "day": day, **{c: cents.get(c) for c in PRICE_COLUMNS}})
    if not rows:
        return 0
    stmt = dialect_insert(session)(POINT_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[POINT_TABLE.c.card_id, POINT_TABLE.c.day], set_={c: stmt.excluded[c] for c in PRICE_COLUMNS}
    )
    conn = await session.connection()
    await conn.execute(stmt, rows)  # Core executemany: the ORM bulk path would send a statement per row
    return len(rows)


async def merge_points(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Merge backfilled points: a column the source does not carry keeps what the day already holds.

    ``rows`` are ``{"card_id", "day", <some price columns>}``; a USD-only file must not erase a day's
    EUR price, so every column is ``COALESCE(new, existing)``. The catalog's current prices are never
    touched: history is backfilled, today is what the last catalog import says.
    """
    if not rows:
        return 0
    full = [{"card_id": r["card_id"], "day": r["day"], **{c: r.get(c) for c in PRICE_COLUMNS}} for r in rows]
    stmt = dialect_insert(session)(POINT_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=[POINT_TABLE.c.card_id, POINT_TABLE.c.day],
        set_={c: func.coalesce(stmt.excluded[c], POINT_TABLE.c[c]) for c in PRICE_COLUMNS},
    )
    conn = await session.connection()
    await conn.execute(stmt, full)
    return len(full)


async def latest_day(session: AsyncSession) -> date | None:
    """The newest day any printing has a price for (served by the index on ``day``)."""
    day: date | None = await session.scalar(select(func.max(PricePoint.day)))
    return day


async def card_ids(session: AsyncSession) -> set[uuid.UUID]:
    """Every printing the catalog knows (backfills count rows for other ids as unknown)."""
    return {row[0] for row in await session.execute(select(Card.id))}


async def history(
    session: AsyncSession,
    card_id: uuid.UUID,
    *,
    start: date | None = None,
    end: date | None = None,
    price_type: str | None = None,
) -> bytes:
    """A printing's ``price_history`` object, oldest day first, prices as decimal strings.

    With ``price_type`` only that column is returned, and only the days that have it.
    """
    columns = (price_type,) if price_type else PRICE_COLUMNS
    stmt = select(PricePoint.day, *(POINT_TABLE.c[c] for c in columns)).where(PricePoint.card_id == card_id)
    if start is not None:
        stmt = stmt.where(PricePoint.day >= start)
    if end is not None:
        stmt = stmt.where(PricePoint.day <= end)
    if price_type:
        stmt = stmt.where(POINT_TABLE.c[price_type].is_not(None))
    data = [
        {"date": row[0].isoformat(), **{c: cents_to_price(v) for c, v in zip(columns, row[1:], strict=True)}}
        for row in await session.execute(stmt.order_by(PricePoint.day))
    ]
    # Points imply the card (foreign key); only an empty answer needs to ask whether the card exists.
    if not data and await session.scalar(select(Card.id).where(Card.id == card_id)) is None:
        raise CardNotFound(f"No card found with id {card_id}.")
    return orjson.dumps({"object": "price_history", "card_id": str(card_id), "data": data})
