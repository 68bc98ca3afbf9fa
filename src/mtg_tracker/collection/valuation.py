"""What a collection is worth: one SQL aggregate over entries × the catalog's current prices, and the
daily snapshots that make "value over time".

Price per finish (the catalog's current prices, integer cents):

=========  ==================================  ==================================
finish     usd                                 eur
=========  ==================================  ==================================
nonfoil    usd                                 eur
foil       usd_foil, else usd                  eur_foil, else eur
etched     usd_etched, else usd_foil, else usd eur_foil, else eur (Scryfall has no eur_etched)
=========  ==================================  ==================================

A fallback is only taken when the finish's own price is missing, and the copies valued that way are
counted in ``fallback_priced_cards`` so a UI can say so; copies with no price at all are
``unpriced_cards`` and add nothing. ``cost_basis`` sums the purchase prices recorded in the requested
currency (other currencies are not converted) and ``gain`` compares it with the current value of those
same copies, so entries without a purchase price do not inflate the gain.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from sqlalchemy import BigInteger, Table, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.models import Card
from mtg_tracker.collection.models import CURRENCIES, Collection, CollectionEntry, CollectionValueSnapshot
from mtg_tracker.collection.service import cents_str
from mtg_tracker.kit.db import dialect_insert

SNAPSHOT_TABLE = cast(Table, CollectionValueSnapshot.__table__)
E = CollectionEntry
# Quantities are 64-bit in every product: PostgreSQL multiplies integer by integer in 32 bits and
# raises "integer out of range" past $21M (a million copies of a $20 card).
QTY = E.quantity.cast(BigInteger)


def _prices(currency: str) -> tuple[Any, Any]:
    """(the finish's own price, the price used after fallbacks) as SQL expressions."""
    if currency == "usd":
        own = case((E.finish == "foil", Card.usd_foil), (E.finish == "etched", Card.usd_etched), else_=Card.usd)
        used = case(
            (E.finish == "foil", func.coalesce(Card.usd_foil, Card.usd)),
            (E.finish == "etched", func.coalesce(Card.usd_etched, Card.usd_foil, Card.usd)),
            else_=Card.usd,
        )
    else:
        own = case((E.finish == "foil", Card.eur_foil), (E.finish == "etched", literal(None)), else_=Card.eur)
        used = case((E.finish == "nonfoil", Card.eur), else_=func.coalesce(Card.eur_foil, Card.eur))
    return own, used


def _sum(expr: Any) -> Any:
    return func.coalesce(func.sum(expr), 0)


def _aggregates(currency: str) -> list[Any]:
    own, used = _prices(currency)
    has_cost = (E.purchase_cents.is_not(None)) & (func.upper(E.currency) == currency.upper())
    return [
        _sum(QTY),
        func.count(),
        _sum(QTY * used),
        _sum(case((used.is_(None), QTY), else_=0)),
        _sum(case((own.is_(None) & used.is_not(None), QTY), else_=0)),
        _sum(case((has_cost, QTY * E.purchase_cents), else_=0)),
        _sum(case((has_cost, QTY * func.coalesce(used, 0)), else_=0)),
        _sum(case((has_cost, QTY), else_=0)),
    ]


async def collection_value(session: AsyncSession, collection_id: uuid.UUID, currency: str) -> dict[str, Any]:
    """The ``collection_value`` object: one grouped aggregate (three rows at most, one per finish)."""
    stmt = (
        select(E.finish, *_aggregates(currency))
        .join(Card, Card.id == E.card_id)
        .where(E.collection_id == collection_id)
        .group_by(E.finish)
    )
    totals = [0] * 8
    by_finish = {"nonfoil": 0, "foil": 0, "etched": 0}
    for finish, *values in await session.execute(stmt):
        values = [int(v or 0) for v in values]
        by_finish[finish] = values[2]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
    cards, entries, total, unpriced, fallback, cost, cost_value, cost_cards = totals
    return {
        "object": "collection_value",
        "currency": currency,
        "cards": cards,
        "entries": entries,
        "total": cents_str(total),
        "by_finish": {f: cents_str(v) for f, v in by_finish.items()},
        "cost_basis": cents_str(cost),
        "cost_basis_cards": cost_cards,
        "gain": cents_str(cost_value - cost),
        "unpriced_cards": unpriced,
        "fallback_priced_cards": fallback,
    }


async def snapshot_all(session: AsyncSession, day: date) -> dict[str, int]:
    """Write every collection's value for ``day`` in each currency; running twice replaces the rows.

    One grouped aggregate per currency over all entries, then one executemany upsert.
    """
    collection_ids = [row[0] for row in await session.execute(select(Collection.id))]
    rows: list[dict[str, Any]] = []
    for currency in CURRENCIES:
        _, used = _prices(currency)
        stmt = (
            select(
                E.collection_id,
                _sum(QTY * used),
                _sum(QTY),
                _sum(case((used.is_(None), QTY), else_=0)),
            )
            .join(Card, Card.id == E.card_id)
            .group_by(E.collection_id)
        )
        found = {cid: (int(t), int(c), int(u)) for cid, t, c, u in await session.execute(stmt)}
        for cid in collection_ids:
            total, cards, unpriced = found.get(cid, (0, 0, 0))
            rows.append(
                {
                    "collection_id": cid,
                    "day": day,
                    "currency": currency,
                    "total_cents": total,
                    "cards": cards,
                    "unpriced_cards": unpriced,
                }
            )
    if rows:
        insert = dialect_insert(session)(SNAPSHOT_TABLE)
        stmt = insert.on_conflict_do_update(
            index_elements=[SNAPSHOT_TABLE.c.collection_id, SNAPSHOT_TABLE.c.day, SNAPSHOT_TABLE.c.currency],
            set_={c: insert.excluded[c] for c in ("total_cents", "cards", "unpriced_cards")},
        )
        conn = await session.connection()
        for start in range(0, len(rows), 5000):
            await conn.execute(stmt, rows[start : start + 5000])
    return {"collections": len(collection_ids), "rows": len(rows)}


async def value_history(
    session: AsyncSession, collection_id: uuid.UUID, currency: str, *, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    stmt = select(CollectionValueSnapshot.day, CollectionValueSnapshot.total_cents).where(
        CollectionValueSnapshot.collection_id == collection_id, CollectionValueSnapshot.currency == currency
    )
    if start is not None:
        stmt = stmt.where(CollectionValueSnapshot.day >= start)
    if end is not None:
        stmt = stmt.where(CollectionValueSnapshot.day <= end)
    return [
        {"date": day, "total": cents_str(total)}
        for day, total in await session.execute(stmt.order_by(CollectionValueSnapshot.day))
    ]


async def holdings_history(
    session: AsyncSession, collection_id: uuid.UUID, currency: str, *, start: date | None = None
) -> list[dict[str, Any]]:
    """What the collection's *current* entries were worth on each day of the price history.

    Not a replay of the collection (the snapshots are that): it answers "how did the cards I hold move",
    so a collection imported today already has a curve. Same finish rules as ``collection_value``, over
    each day's price points; days on which none of the printings had a price are absent.
    """
    # Imported here: the price tables belong to the price domain, which ranks below this one.
    from mtg_tracker.price.models import PricePoint as P

    if currency == "usd":
        used = case(
            (E.finish == "foil", func.coalesce(P.usd_foil, P.usd)),
            (E.finish == "etched", func.coalesce(P.usd_etched, P.usd_foil, P.usd)),
            else_=P.usd,
        )
    else:
        used = case((E.finish == "nonfoil", P.eur), else_=func.coalesce(P.eur_foil, P.eur))
    stmt = (
        select(P.day, _sum(QTY * used), func.count(used))
        .join(P, P.card_id == E.card_id)
        .where(E.collection_id == collection_id)
        .group_by(P.day)
        .order_by(P.day)
    )
    if start is not None:
        stmt = stmt.where(P.day >= start)
    return [
        {"date": day, "total": cents_str(int(total)), "priced_entries": int(priced)}
        for day, total, priced in await session.execute(stmt)
        if priced
    ]
