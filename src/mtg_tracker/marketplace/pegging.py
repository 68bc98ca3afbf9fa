"""Pegged listing prices: the newest stored market price of a printing's finish, less a percentage.

The market price is the newest ``price_point`` row of the printing (the day's snapshot written by the
catalog import); if that day has no price for the finish in the listing's currency, there is none — a
price that disappeared from the newest day is gone, not replaced by an older one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.marketplace.models import Listing
from mtg_tracker.price.models import PricePoint

# (currency, finish) → price column; EUR has no etched price.
PRICE_COLUMN: dict[tuple[str, str], str] = {
    ("usd", "nonfoil"): "usd",
    ("usd", "foil"): "usd_foil",
    ("usd", "etched"): "usd_etched",
    ("eur", "nonfoil"): "eur",
    ("eur", "foil"): "eur_foil",
}


def pegged_cents(market_cents: int, discount_pct: int) -> int:
    """``market × (100 − pct) / 100`` rounded half up to the cent, in integers (no float)."""
    return (market_cents * (100 - discount_pct) + 50) // 100


async def market_points(session: AsyncSession, card_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The newest price point row of each printing (absent when it has none)."""
    ids = list(set(card_ids))
    if not ids:
        return {}
    newest = (
        select(PricePoint.card_id, func.max(PricePoint.day).label("day"))
        .where(PricePoint.card_id.in_(ids))
        .group_by(PricePoint.card_id)
        .subquery()
    )
    rows = await session.execute(
        select(PricePoint).join(newest, (PricePoint.card_id == newest.c.card_id) & (PricePoint.day == newest.c.day))
    )
    return {point.card_id: point for point in rows.scalars()}


def market_cents(point: Any, currency: str, finish: str) -> int | None:
    column = PRICE_COLUMN.get((currency, finish))
    if point is None or column is None:
        return None
    value: int | None = getattr(point, column)
    return value


def effective_cents(point: Any, currency: str, finish: str, discount_pct: int) -> int | None:
    market = market_cents(point, currency, finish)
    return None if market is None else pegged_cents(market, discount_pct)


async def effective_prices(session: AsyncSession, listings: Iterable[Listing]) -> dict[uuid.UUID, int | None]:
    """Each pegged listing's effective price now (None: no market price); fixed listings are left out."""
    pegged = [listing for listing in listings if listing.peg_pct is not None]
    points = await market_points(session, (listing.card_id for listing in pegged))
    return {
        listing.id: effective_cents(points.get(listing.card_id), listing.currency, listing.finish, listing.peg_pct or 0)
        for listing in pegged
    }


async def refresh_stored(session: AsyncSession) -> dict[str, int]:
    """Store the effective price of every live pegged listing (what searches and sorts read).

    A listing whose market price is gone keeps its last stored price (it is refused at order time).
    """
    listings = list(
        await session.scalars(
            select(Listing).where(
                Listing.peg_pct.is_not(None), Listing.deleted_at.is_(None), Listing.status != "withdrawn"
            )
        )
    )
    prices = await effective_prices(session, listings)
    changed = missing = 0
    for listing in listings:
        cents = prices.get(listing.id)
        if cents is None:
            missing += 1
        elif cents != listing.price_cents:
            await session.execute(
                update(Listing)
                .where(Listing.id == listing.id)
                .values(price_cents=cents)
                .execution_options(synchronize_session=False)
            )
            changed += 1
    return {"pegged": len(listings), "changed": changed, "no_market_price": missing}
