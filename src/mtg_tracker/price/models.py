"""Daily price history (one compact row per printing per day, prices in integer cents), the movers
computed from it, and price alerts with their delivery log.

The price domain owns the vocabulary of price types; the catalog's current prices use the same columns.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base, UTCDateTime

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
    """One printing on one day.

    On SQLite the table is ``WITHOUT ROWID``: the rows live in the primary-key B-tree itself instead of
    a rowid table plus a second B-tree repeating (card_id, day) for the key — measured 48 % smaller
    (docs/BENCHMARKS.md). There is deliberately no index on ``day`` (it would cost 80 % more on SQLite):
    "every printing on one day" is read by walking the catalog's ids through the primary key.
    """

    __tablename__ = "price_point"
    __table_args__ = ({"sqlite_with_rowid": False},)

    card_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class PriceMover(Base):
    """One ranked entry of a day's movers: the top N per (window, type, metric, direction).

    Only the two prices are stored; change and percentage are derived from them exactly when read.
    """

    __tablename__ = "price_mover"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    window_days: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    price_type: Mapped[str] = mapped_column(String(12), primary_key=True)
    metric: Mapped[str] = mapped_column(String(10), primary_key=True)  # absolute | percent
    direction: Mapped[str] = mapped_column(String(4), primary_key=True)  # up | down
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"))
    old_cents: Mapped[int] = mapped_column(Integer)
    new_cents: Mapped[int] = mapped_column(Integer)


class PriceAlert(Base):
    """A threshold on one printing's price type, delivered by webhook when the price crosses it.

    ``owner_id`` is the user the alert belongs to; it is null only for alerts created with the operator
    token before accounts existed, which only admins see. ``armed`` is the crossing state: true while
    waiting for the price to cross, false once fired until the price crosses back.
    """

    __tablename__ = "price_alert"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), nullable=True, index=True
    )
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("catalog_card.id", ondelete="CASCADE"), index=True)
    price_type: Mapped[str] = mapped_column(String(12))
    direction: Mapped[str] = mapped_column(String(5))  # above | below
    threshold_cents: Mapped[int] = mapped_column(Integer)
    webhook_url: Mapped[str] = mapped_column(String(2000))
    # The HMAC key must be usable to sign, so it cannot be stored hashed; it is shown once at creation.
    secret: Mapped[str] = mapped_column(String(100))
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    last_price_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    fired_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PriceAlertEvent(Base):
    """One webhook delivery attempt (the delivery log): attempts of one firing share ``delivery_id``."""

    __tablename__ = "price_alert_event"
    __table_args__ = (Index("ix_price_alert_event_alert_id_id", "alert_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("price_alert.id", ondelete="CASCADE"))
    delivery_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    attempt: Mapped[int] = mapped_column(SmallInteger)
    # delivered | retrying | failed (no attempts left) | refused (the address is not allowed)
    outcome: Mapped[str] = mapped_column(String(10))
    status_code: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    day: Mapped[date] = mapped_column(Date)
    price_cents: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
