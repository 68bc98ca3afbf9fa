"""Daily price history: one compact row per printing per day, prices in integer cents.

The price domain owns the vocabulary of price types; the catalog's current prices use the same columns.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base

# Scryfall's price types, in Scryfall's order (the order of the ``prices`` object and of our bit masks).
PRICE_TYPES = ("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix")


class PriceCents:
    """One nullable integer-cents column per price type (exact, compact: 4 bytes or a null bit)."""

    usd: Mapped[int | None] = mapped_column(Integer, nullable=True)
    usd_foil: Mapped[int | None] = mapped_column(Integer, nullable=True)
    usd_etched: Mapped[int | None] = mapped_column(Integer, nullable=True)
    eur: Mapped[int | None] = mapped_column(Integer, nullable=True)
    eur_foil: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tix: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PricePoint(PriceCents, Base):
    __tablename__ = "price_point"

    card_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
