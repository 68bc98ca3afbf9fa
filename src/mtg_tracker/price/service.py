"""Price points: the write path used by catalog imports (and, later, backfills and history reads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.kit.db import dialect_insert
from mtg_tracker.price.models import PRICE_TYPES as PRICE_COLUMNS
from mtg_tracker.price.models import PricePoint


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
    table = cast(Table, PricePoint.__table__)
    stmt = dialect_insert(session)(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.card_id, table.c.day], set_={c: stmt.excluded[c] for c in PRICE_COLUMNS}
    )
    conn = await session.connection()
    await conn.execute(stmt, rows)  # Core executemany: the ORM bulk path would send a statement per row
    return len(rows)
