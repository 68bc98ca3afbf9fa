"""Movers: the biggest rises and falls per window and price type, computed in SQL once a day and stored.

For a day D and a window of N days a printing moves when it has a price of that type on both D and
D−N. Each (window, type) keeps the top N by absolute change (cents) and by percentage change, up and
down; percentages only rank printings whose old price is at least the configured minimum, so a
$0.02 → $0.10 card (+400 %) does not push real movers off the list. Ties are broken by card id, so
the ranking is deterministic on both backends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import Date, bindparam, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.kit.cache import Cache, bump_generation
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.price import service as price_service
from mtg_tracker.price.codecs import cents_to_price
from mtg_tracker.price.errors import NoMovers
from mtg_tracker.price.models import PRICE_TYPES, PriceMover, PricePoint
from mtg_tracker.price.rules import change_pct

log = get_logger("mtg_tracker.price.movers")

WINDOWS = {"1d": 1, "7d": 7, "30d": 30, "90d": 90}
METRICS = ("absolute", "percent")
DIRECTIONS = ("up", "down")


def _branch(index: int, window: int, price_type: str, metric: str, direction: str, top: int) -> str:
    new, old = f"n_{price_type}", f"o_{price_type}"
    key = f"({new} - {old})" if metric == "absolute" else f"(CAST({new} - {old} AS FLOAT) / {old})"
    order = "DESC" if direction == "up" else "ASC"
    cond = f"{new} > {old}" if direction == "up" else f"{new} < {old}"
    if metric == "percent":
        cond += f" AND {old} >= :min_cents AND {old} > 0"
    # Every name here comes from the fixed tuples above, never from a request.
    return (
        f"SELECT * FROM (SELECT {window} AS window_days, '{price_type}' AS price_type, '{metric}' AS metric, "  # noqa: S608  # nosec B608
        f"'{direction}' AS direction, ROW_NUMBER() OVER (ORDER BY {key} {order}, card_id) AS rank, card_id, "
        f"{old} AS old_cents, {new} AS new_cents FROM pairs WHERE {cond} "
        f"ORDER BY {key} {order}, card_id LIMIT {int(top)}) AS b{index}"
    )


def window_sql(window: int, top: int) -> str:
    """One INSERT … SELECT for a window: every type, metric and direction from one materialised join.

    The join walks the catalog's ids through price_point's primary key (card_id, day) — two seeks per
    printing — so price_point needs no index on ``day``. ``CROSS JOIN`` fixes that join order on SQLite
    and is an ordinary inner join to PostgreSQL's planner.
    """
    new_cols = ", ".join(f"n.{t} AS n_{t}" for t in PRICE_TYPES)
    old_cols = ", ".join(f"o.{t} AS o_{t}" for t in PRICE_TYPES)
    branches = [
        _branch(i, window, t, m, d, top)
        for i, (t, m, d) in enumerate((t, m, d) for t in PRICE_TYPES for m in METRICS for d in DIRECTIONS)
    ]
    # Values travel as bound parameters; only names from the fixed tuples are spliced in.
    return (
        "INSERT INTO price_mover (day, window_days, price_type, metric, direction, rank, card_id, old_cents, "  # noqa: S608  # nosec B608
        "new_cents) SELECT :day, window_days, price_type, metric, direction, rank, card_id, old_cents, new_cents "
        f"FROM (WITH pairs AS MATERIALIZED (SELECT n.card_id AS card_id, {new_cols}, {old_cols} "
        "FROM catalog_card c CROSS JOIN price_point n CROSS JOIN price_point o "
        "WHERE n.card_id = c.id AND n.day = :day AND o.card_id = c.id AND o.day = :old_day) "
        + " UNION ALL ".join(branches)
        + ") AS movers"
    )


async def compute(
    db: Database, *, day: date | None = None, top: int = 100, min_price: Decimal = Decimal("1.00")
) -> dict[str, Any]:
    """Compute and store the movers of ``day`` (default: the newest day with prices); safe to repeat:
    the day's previous movers are replaced in the same transaction."""
    started = time.perf_counter()
    min_cents = int((min_price * 100).to_integral_value())
    async with db.session_scope() as session:
        if day is None:
            day = await price_service.latest_day(session)
        if day is None:
            return {"day": None, "rows": 0, "note": "no price points yet"}
        await session.execute(delete(PriceMover).where(PriceMover.day == day))
        counts: dict[str, int] = {}
        for label, days in WINDOWS.items():
            stmt = text(window_sql(days, top)).bindparams(
                bindparam("day", type_=Date), bindparam("old_day", type_=Date), bindparam("min_cents")
            )
            result = await session.execute(
                stmt, {"day": day, "old_day": day - timedelta(days=days), "min_cents": min_cents}
            )
            counts[label] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        await bump_generation(session, price_service.PRICE_CACHE_NAMESPACE)
    seconds = time.perf_counter() - started
    log.info("price_movers_computed", day=day.isoformat(), rows=counts, seconds=round(seconds, 2))
    return {"day": day.isoformat(), "rows": counts, "seconds": round(seconds, 2)}


async def compute_days(
    db: Database,
    first: date,
    last: date,
    *,
    top: int = 100,
    min_price: Decimal = Decimal("1.00"),
    progress: Callable[[date], None] | None = None,
) -> dict[str, Any]:
    """Movers for every day from ``first`` to ``last`` that has prices (a backfill's days), one
    transaction per day so that a long range shows progress and a failure keeps the days already done."""
    days = 0
    day = first
    while day <= last:
        async with db.session(write=False) as session:
            has = await session.scalar(select(PricePoint.card_id).where(PricePoint.day == day).limit(1))
        if has is not None:
            await compute(db, day=day, top=top, min_price=min_price)
            days += 1
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    return {"first": first.isoformat(), "last": last.isoformat(), "days": days}


async def latest_movers_day(session: AsyncSession) -> date | None:
    value: date | None = await session.scalar(select(func.max(PriceMover.day)))
    return value


async def movers(
    session: AsyncSession,
    cache: Cache,
    *,
    window: str,
    price_type: str,
    direction: str,
    metric: str,
    min_price_cents: int | None,
    limit: int,
    day: date | None = None,
) -> bytes:
    """The stored movers of ``day`` (default: the newest computed day) as a list of ``price_mover`` objects.

    ``min_price_cents`` filters on the old price within the stored top list; it cannot bring back
    printings the job's own minimum kept out.
    """
    # Card objects embed today's prices, so the catalog's generation is part of the key as well.
    key = (
        f"movers:{cache.generations.get('catalog', 0)}:{window}:{price_type}:{direction}:{metric}:"
        f"{min_price_cents}:{limit}:{day}"
    )
    cached = await cache.get(price_service.PRICE_CACHE_NAMESPACE, key)
    if cached is not None:
        return cached
    if day is None:
        day = await latest_movers_day(session)
        if day is None:
            raise NoMovers()
    elif (
        await session.scalar(select(PriceMover.day).where(PriceMover.day == day).limit(1)) is None
        # A day with prices but no movers (nothing to compare with yet) is an empty list, not a 404.
        and await session.scalar(select(PricePoint.day).where(PricePoint.day == day).limit(1)) is None
    ):
        raise NoMovers(
            f"No movers are stored for {day.isoformat()}: compute them with "
            f"`mtg-tracker prices movers --day {day.isoformat()}` once the day has price points."
        )
    stmt = (
        select(PriceMover.card_id, PriceMover.old_cents, PriceMover.new_cents)
        .where(
            PriceMover.day == day,
            PriceMover.window_days == WINDOWS[window],
            PriceMover.price_type == price_type,
            PriceMover.metric == metric,
            PriceMover.direction == direction,
        )
        .order_by(PriceMover.rank)
        .limit(limit)
    )
    if min_price_cents is not None:
        stmt = stmt.where(PriceMover.old_cents >= min_price_cents)
    rows = (await session.execute(stmt)).all()
    bodies = await catalog_service.card_bodies(session, [r[0] for r in rows])
    items = [_item(bodies[card_id], old, new) for card_id, old, new in rows if card_id in bodies]
    head = orjson.dumps(
        {
            "object": "list",
            "has_more": False,
            "total": len(items),
            "date": day.isoformat(),
            "window": window,
            "type": price_type,
            "metric": metric,
            "direction": direction,
        }
    )
    body = head[:-1] + b',"data":[' + b",".join(items) + b"]}"
    await cache.set(price_service.PRICE_CACHE_NAMESPACE, key, body)
    return body


def _item(card: bytes, old: int, new: int) -> bytes:
    tail = orjson.dumps(
        {"old": cents_to_price(old), "new": cents_to_price(new), "change": cents_to_price(new - old)}
        | {"change_pct": change_pct(old, new)}
    )
    return b'{"object":"price_mover","card":' + card + b"," + tail[1:]
