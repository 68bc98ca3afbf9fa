"""price history movers alerts; price_point WITHOUT ROWID on SQLite

Revision ID: 920c8f6a70ae
Revises: 79c23a0920a0
Create Date: 2026-11-23 17:22:26.827314
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "920c8f6a70ae"
down_revision: str | None = "79c23a0920a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_price_point(*, with_rowid: bool) -> None:
    """SQLite only: the rows move into the primary-key B-tree (WITHOUT ROWID), about half the bytes per
    point (docs/BENCHMARKS.md). PostgreSQL tables have no rowid; nothing to do there."""
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "price_point", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ) as batch_op:
        batch_op.alter_column("day", existing_type=sa.Date(), existing_nullable=False)


def upgrade() -> None:
    _rebuild_price_point(with_rowid=False)
    op.create_table(
        "price_alert",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("price_type", sa.String(length=12), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("threshold_cents", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("armed", sa.Boolean(), nullable=False),
        sa.Column("last_price_cents", sa.Integer(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("fired_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_price_alert_card_id_catalog_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_alert")),
    )
    with op.batch_alter_table("price_alert", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_alert_card_id"), ["card_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_price_alert_owner"), ["owner"], unique=False)

    op.create_table(
        "price_mover",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("window_days", sa.SmallInteger(), nullable=False),
        sa.Column("price_type", sa.String(length=12), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("old_cents", sa.Integer(), nullable=False),
        sa.Column("new_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["catalog_card.id"], name=op.f("fk_price_mover_card_id_catalog_card"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "day", "window_days", "price_type", "metric", "direction", "rank", name=op.f("pk_price_mover")
        ),
    )
    op.create_table(
        "price_alert_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["price_alert.id"], name=op.f("fk_price_alert_event_alert_id_price_alert"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_alert_event")),
    )
    with op.batch_alter_table("price_alert_event", schema=None) as batch_op:
        batch_op.create_index("ix_price_alert_event_alert_id_id", ["alert_id", "id"], unique=False)


def downgrade() -> None:
    _rebuild_price_point(with_rowid=True)
    with op.batch_alter_table("price_alert_event", schema=None) as batch_op:
        batch_op.drop_index("ix_price_alert_event_alert_id_id")

    op.drop_table("price_alert_event")
    op.drop_table("price_mover")
    with op.batch_alter_table("price_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_alert_owner"))
        batch_op.drop_index(batch_op.f("ix_price_alert_card_id"))

    op.drop_table("price_alert")
