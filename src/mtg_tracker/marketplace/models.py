"""Listings, orders, idempotent replies, the double-entry journal and integrity audit runs.

Money is integer cents. The journal is append-only: the service only ever inserts entries and lines;
a correction is a new entry that reverses an old one (``reverses_id``). Balances are never stored, they
are the sums of the lines.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base, UTCDateTime

LISTING_STATUSES = ("active", "paused", "sold_out", "withdrawn")
ORDER_STATUSES = ("pending", "paid", "shipped", "completed", "cancelled", "refunded")
# Orders whose copies are still the seller's (in the collection entry) but promised to the buyer.
OPEN_ORDER_STATUSES = ("pending", "paid", "shipped")
# Orders whose copies left (completed) or are on their way to leave (open) the seller's listing.
COMMITTED_ORDER_STATUSES = (*OPEN_ORDER_STATUSES, "completed")
CURRENCIES = ("usd", "eur")
ACCOUNT_KINDS = ("cash", "receivable", "escrow", "fees", "inventory")
OWNER_KINDS = ("user", "shop", "platform")
SHOP_ROLES = ("owner", "manager", "staff")
# The platform's own accounts (escrow, fees) are owned by this fixed id, so one unique key covers all.
PLATFORM_ID = uuid.UUID(int=0)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shop(Base):
    """A seller that is an organisation: members in roles, inventory in the collections attached to it.
    Soft-deleted (``deleted_at``): hidden from reads, kept for its orders and ledger, restorable by an admin."""

    __tablename__ = "marketplace_shop"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ShopMember(Base):
    __tablename__ = "marketplace_shop_member"
    __table_args__ = (CheckConstraint(_one_of("role", SHOP_ROLES), name="role"),)

    shop_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("marketplace_shop.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ShopCollection(Base):
    """A collection that is part of a shop's inventory (a collection belongs to at most one shop)."""

    __tablename__ = "marketplace_shop_collection"

    collection_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_shop.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Listing(Base):
    """Copies of one collection entry offered for sale.

    ``quantity`` is what was ever put up (available + in open or completed orders); ``available`` is what a
    buyer can still take. Card, finish, condition and language are copied from the entry, so a listing
    still describes what was sold after the entry is gone.
    """

    __tablename__ = "marketplace_listing"
    __table_args__ = (
        Index("ix_marketplace_listing_status_card_id", "status", "card_id"),
        CheckConstraint("available >= 0", name="available"),
        CheckConstraint("available <= quantity", name="available_le_quantity"),
        CheckConstraint("price_cents >= 0", name="price"),
        CheckConstraint("peg_pct IS NULL OR (peg_pct >= 0 AND peg_pct <= 90)", name="peg_pct"),
        CheckConstraint(_one_of("status", LISTING_STATUSES), name="status"),
        CheckConstraint(_one_of("currency", CURRENCIES), name="currency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    seller_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), index=True)
    # Set when the shop sells (``seller_id`` is then the member who listed it).
    shop_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("marketplace_shop.id"), nullable=True, index=True
    )
    collection_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("collection.id", ondelete="SET NULL"), nullable=True
    )
    entry_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("collection_entry.id", ondelete="SET NULL"), nullable=True, index=True
    )
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("catalog_card.id"))
    finish: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    available: Mapped[int] = mapped_column(Integer)
    # For a pegged listing: the effective price when last computed (at creation, at each order and by the
    # ``marketplace.refresh_pegged_prices`` job); searches and sorts read it, orders recompute it.
    price_cents: Mapped[int] = mapped_column(Integer)
    # Set when the price is pegged: the market price of the finish less this whole percentage.
    peg_pct: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Soft delete: hidden from every read but kept for the orders and journal entries that name it.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Order(Base):
    """One buyer buying from one seller in one currency; ``total_cents`` is the sum of its lines."""

    __tablename__ = "marketplace_order"
    __table_args__ = (
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
        CheckConstraint("total_cents >= 0", name="total"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    buyer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), index=True)
    seller_shop_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("marketplace_shop.id"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    total_cents: Mapped[int] = mapped_column(BigInteger)
    fee_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # fixed when the order completes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderLine(Base):
    __tablename__ = "marketplace_order_line"
    __table_args__ = (CheckConstraint("quantity >= 1", name="quantity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("marketplace_order.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_listing.id"), index=True)
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cents: Mapped[int] = mapped_column(Integer)


class IdempotentReply(Base):
    """The stored reply of one POST /orders, replayed byte for byte for the same key and body."""

    __tablename__ = "marketplace_idempotent_reply"

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("account_user.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LedgerAccount(Base):
    """One party's account of one kind in one currency; its balance is derived from journal lines."""

    __tablename__ = "marketplace_ledger_account"
    __table_args__ = (
        UniqueConstraint("owner_kind", "owner_id", "kind", "currency"),
        CheckConstraint(_one_of("owner_kind", OWNER_KINDS), name="owner_kind"),
        CheckConstraint(_one_of("kind", ACCOUNT_KINDS), name="kind"),
        CheckConstraint(_one_of("currency", CURRENCIES), name="currency"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    owner_kind: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[str] = mapped_column(String(12))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JournalEntry(Base):
    __tablename__ = "marketplace_journal_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(12))  # payment | settlement | refund | correction
    memo: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("marketplace_order.id"), nullable=True, index=True
    )
    reverses_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("marketplace_journal_entry.id"), nullable=True)


class JournalLine(Base):
    """Exactly one of ``debit``/``credit`` is positive: a zero line says nothing and a signed one hides
    which side it is on."""

    __tablename__ = "marketplace_journal_line"
    __table_args__ = (
        CheckConstraint("debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)", name="one_side"),
        Index("ix_marketplace_journal_line_account_id_entry_id", "account_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(Integer, ForeignKey("marketplace_journal_entry.id"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("marketplace_ledger_account.id"))
    debit: Mapped[int] = mapped_column(BigInteger)
    credit: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class IntegrityRun(Base):
    """One run of the integrity audit; ``findings`` is a JSON list of ``{check, detail}``."""

    __tablename__ = "marketplace_integrity_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    checks: Mapped[int] = mapped_column(Integer)
    finding_count: Mapped[int] = mapped_column(Integer)
    findings: Mapped[str] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float)


class OutboxEvent(Base):
    """An event written in the same transaction as the change it announces (transactional outbox); the
    relay publishes it later and stamps ``published_at``. ``id`` is the idempotent event id consumers
    (and JetStream's duplicate window, as ``Nats-Msg-Id``) deduplicate on: delivery is at least once."""

    __tablename__ = "marketplace_outbox_event"
    __table_args__ = (Index("ix_marketplace_outbox_event_published_at_created_at", "published_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
