"""Collections, their entries (one row per printing × finish × condition × language) and daily values.

Money is integer cents, like the price domain: exact, compact, and summable in one SQL aggregate.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.collection.formats import CONDITIONS, FINISHES
from mtg_tracker.kit.db import Base, UTCDateTime

KINDS = ("collection", "binder", "deck", "wishlist")
CURRENCIES = ("usd", "eur")  # the currencies a value is computed in (the catalog's price currencies)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Collection(Base):
    """A named set of entries owned by one user; private unless ``is_public`` (read-only by link)."""

    __tablename__ = "collection"
    __table_args__ = (
        Index("ix_collection_owner_id_name", "owner_id", "name"),
        CheckConstraint(_one_of("kind", KINDS), name="kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CollectionEntry(Base):
    """Copies of one printing in one finish, condition and language: a second identical add merges
    (the unique constraint is the merge key). ``tags`` is ``|a|b|`` so one LIKE finds a tag."""

    __tablename__ = "collection_entry"
    __table_args__ = (
        UniqueConstraint("collection_id", "card_id", "finish", "condition", "language"),
        Index("ix_collection_entry_card_id", "card_id"),
        # The API and the importer already refuse these; the database refuses them for every other path.
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint(_one_of("finish", FINISHES), name="finish"),
        CheckConstraint(_one_of("condition", CONDITIONS), name="condition"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("collection.id", ondelete="CASCADE"))
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("catalog_card.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    finish: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8))
    purchase_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)  # per copy
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)  # USD, EUR, …
    acquired: Mapped[date | None] = mapped_column(Date, nullable=True)
    tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CollectionValueSnapshot(Base):
    """A collection's value on one day in one currency (written by the daily job; re-runs replace it)."""

    __tablename__ = "collection_value_snapshot"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    cards: Mapped[int] = mapped_column(Integer)
    unpriced_cards: Mapped[int] = mapped_column(Integer)
