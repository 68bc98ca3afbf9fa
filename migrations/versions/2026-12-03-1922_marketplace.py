"""marketplace: shops and members, listings, orders, idempotent replies, the double-entry journal,
integrity runs and the event outbox

New tables only; nothing existing changes, so the downgrade drops them.

Revision ID: 6875710ede62
Revises: 4a4a0cfab2bf
Create Date: 2026-12-03 19:22:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6875710ede62"
down_revision: str | None = "4a4a0cfab2bf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "marketplace_integrity_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_integrity_run")),
    )
    with op.batch_alter_table("marketplace_integrity_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_integrity_run_ran_at"), ["ran_at"], unique=False)

    op.create_table(
        "marketplace_ledger_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_kind", sa.String(length=10), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("currency IN ('usd', 'eur')", name=op.f("ck_marketplace_ledger_account_currency")),
        sa.CheckConstraint(
            "kind IN ('cash', 'receivable', 'escrow', 'fees', 'inventory')",
            name=op.f("ck_marketplace_ledger_account_kind"),
        ),
        sa.CheckConstraint(
            "owner_kind IN ('user', 'shop', 'platform')", name=op.f("ck_marketplace_ledger_account_owner_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_ledger_account")),
        sa.UniqueConstraint(
            "owner_kind",
            "owner_id",
            "kind",
            "currency",
            name=op.f("uq_marketplace_ledger_account_owner_kind_owner_id_kind_currency"),
        ),
    )
    with op.batch_alter_table("marketplace_ledger_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_ledger_account_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "marketplace_outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_outbox_event")),
    )
    with op.batch_alter_table("marketplace_outbox_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketplace_outbox_event_published_at_created_at", ["published_at", "created_at"], unique=False
        )

    op.create_table(
        "marketplace_shop",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_shop")),
    )
    op.create_table(
        "marketplace_idempotent_reply",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account_user.id"],
            name=op.f("fk_marketplace_idempotent_reply_user_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_marketplace_idempotent_reply")),
    )
    with op.batch_alter_table("marketplace_idempotent_reply", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_idempotent_reply_created_at"), ["created_at"], unique=False)

    op.create_table(
        "marketplace_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("seller_shop_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("fee_cents", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'shipped', 'completed', 'cancelled', 'refunded')",
            name=op.f("ck_marketplace_order_status"),
        ),
        sa.CheckConstraint("total_cents >= 0", name=op.f("ck_marketplace_order_total")),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["account_user.id"],
            name=op.f("fk_marketplace_order_buyer_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["account_user.id"],
            name=op.f("fk_marketplace_order_seller_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_shop_id"],
            ["marketplace_shop.id"],
            name=op.f("fk_marketplace_order_seller_shop_id_marketplace_shop"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_order")),
    )
    with op.batch_alter_table("marketplace_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_order_buyer_id"), ["buyer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_marketplace_order_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_marketplace_order_seller_shop_id"), ["seller_shop_id"], unique=False)

    op.create_table(
        "marketplace_shop_member",
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'manager', 'staff')", name=op.f("ck_marketplace_shop_member_role")),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["marketplace_shop.id"],
            name=op.f("fk_marketplace_shop_member_shop_id_marketplace_shop"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["account_user.id"],
            name=op.f("fk_marketplace_shop_member_user_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shop_id", "user_id", name=op.f("pk_marketplace_shop_member")),
    )
    with op.batch_alter_table("marketplace_shop_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_shop_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "marketplace_journal_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["marketplace_order.id"], name=op.f("fk_marketplace_journal_entry_order_id_marketplace_order")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["marketplace_journal_entry.id"],
            name=op.f("fk_marketplace_journal_entry_reverses_id_marketplace_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_journal_entry")),
    )
    with op.batch_alter_table("marketplace_journal_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_journal_entry_order_id"), ["order_id"], unique=False)

    op.create_table(
        "marketplace_shop_collection",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("shop_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_marketplace_shop_collection_collection_id_collection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["marketplace_shop.id"],
            name=op.f("fk_marketplace_shop_collection_shop_id_marketplace_shop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", name=op.f("pk_marketplace_shop_collection")),
    )
    with op.batch_alter_table("marketplace_shop_collection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_shop_collection_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "marketplace_journal_line",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0 AND (debit = 0) <> (credit = 0)",
            name=op.f("ck_marketplace_journal_line_one_side"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["marketplace_ledger_account.id"],
            name=op.f("fk_marketplace_journal_line_account_id_marketplace_ledger_account"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["marketplace_journal_entry.id"],
            name=op.f("fk_marketplace_journal_line_entry_id_marketplace_journal_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_journal_line")),
    )
    with op.batch_alter_table("marketplace_journal_line", schema=None) as batch_op:
        batch_op.create_index(
            "ix_marketplace_journal_line_account_id_entry_id", ["account_id", "entry_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_marketplace_journal_line_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "marketplace_listing",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("shop_id", sa.Uuid(), nullable=True),
        sa.Column("collection_id", sa.Uuid(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("finish", sa.String(length=8), nullable=False),
        sa.Column("condition", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("currency IN ('usd', 'eur')", name=op.f("ck_marketplace_listing_currency")),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'sold_out', 'withdrawn')", name=op.f("ck_marketplace_listing_status")
        ),
        sa.CheckConstraint("available <= quantity", name=op.f("ck_marketplace_listing_available_le_quantity")),
        sa.CheckConstraint("available >= 0", name=op.f("ck_marketplace_listing_available")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_marketplace_listing_price")),
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_marketplace_listing_card_id_catalog_card")
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collection.id"],
            name=op.f("fk_marketplace_listing_collection_id_collection"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["collection_entry.id"],
            name=op.f("fk_marketplace_listing_entry_id_collection_entry"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"],
            ["account_user.id"],
            name=op.f("fk_marketplace_listing_seller_id_account_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["marketplace_shop.id"], name=op.f("fk_marketplace_listing_shop_id_marketplace_shop")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_listing")),
    )
    with op.batch_alter_table("marketplace_listing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_listing_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_marketplace_listing_seller_id"), ["seller_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_marketplace_listing_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index("ix_marketplace_listing_status_card_id", ["status", "card_id"], unique=False)

    op.create_table(
        "marketplace_order_line",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_marketplace_order_line_quantity")),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["marketplace_listing.id"],
            name=op.f("fk_marketplace_order_line_listing_id_marketplace_listing"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["marketplace_order.id"],
            name=op.f("fk_marketplace_order_line_order_id_marketplace_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marketplace_order_line")),
    )
    with op.batch_alter_table("marketplace_order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marketplace_order_line_listing_id"), ["listing_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_marketplace_order_line_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("marketplace_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_order_line_order_id"))
        batch_op.drop_index(batch_op.f("ix_marketplace_order_line_listing_id"))

    op.drop_table("marketplace_order_line")
    with op.batch_alter_table("marketplace_listing", schema=None) as batch_op:
        batch_op.drop_index("ix_marketplace_listing_status_card_id")
        batch_op.drop_index(batch_op.f("ix_marketplace_listing_shop_id"))
        batch_op.drop_index(batch_op.f("ix_marketplace_listing_seller_id"))
        batch_op.drop_index(batch_op.f("ix_marketplace_listing_entry_id"))

    op.drop_table("marketplace_listing")
    with op.batch_alter_table("marketplace_journal_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_journal_line_entry_id"))
        batch_op.drop_index("ix_marketplace_journal_line_account_id_entry_id")

    op.drop_table("marketplace_journal_line")
    with op.batch_alter_table("marketplace_shop_collection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_shop_collection_shop_id"))

    op.drop_table("marketplace_shop_collection")
    with op.batch_alter_table("marketplace_journal_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_journal_entry_order_id"))

    op.drop_table("marketplace_journal_entry")
    with op.batch_alter_table("marketplace_shop_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_shop_member_user_id"))

    op.drop_table("marketplace_shop_member")
    with op.batch_alter_table("marketplace_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_order_seller_shop_id"))
        batch_op.drop_index(batch_op.f("ix_marketplace_order_seller_id"))
        batch_op.drop_index(batch_op.f("ix_marketplace_order_buyer_id"))

    op.drop_table("marketplace_order")
    with op.batch_alter_table("marketplace_idempotent_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_idempotent_reply_created_at"))

    op.drop_table("marketplace_idempotent_reply")
    op.drop_table("marketplace_shop")
    with op.batch_alter_table("marketplace_outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_marketplace_outbox_event_published_at_created_at")

    op.drop_table("marketplace_outbox_event")
    with op.batch_alter_table("marketplace_ledger_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_ledger_account_owner_id"))

    op.drop_table("marketplace_ledger_account")
    with op.batch_alter_table("marketplace_integrity_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marketplace_integrity_run_ran_at"))

    op.drop_table("marketplace_integrity_run")
