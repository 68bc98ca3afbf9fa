"""price alerts belong to users: price_alert.owner (an unused placeholder string) becomes owner_id

Alerts made with the operator token before accounts existed keep a null owner_id (only admins see them).

Revision ID: e8f2a4c6b1d3
Revises: d7e3f1a9b2c4
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e8f2a4c6b1d3"
down_revision: str | None = "d7e3f1a9b2c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("price_alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_price_alert_owner_id_account_user"), "account_user", ["owner_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index(batch_op.f("ix_price_alert_owner_id"), ["owner_id"], unique=False)
        # Nothing ever wrote `owner` (there were no accounts to name), so there is nothing to carry over.
        batch_op.drop_index(batch_op.f("ix_price_alert_owner"))
        batch_op.drop_column("owner")


def downgrade() -> None:
    with op.batch_alter_table("price_alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_price_alert_owner"), ["owner"], unique=False)
    # The old column held a principal's id as text: keep who owned what.
    op.execute("UPDATE price_alert SET owner = CAST(owner_id AS VARCHAR(64)) WHERE owner_id IS NOT NULL")
    with op.batch_alter_table("price_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_price_alert_owner_id"))
        batch_op.drop_constraint(batch_op.f("fk_price_alert_owner_id_account_user"), type_="foreignkey")
        batch_op.drop_column("owner_id")
