"""price day on cards, import fingerprints

Revision ID: 79c23a0920a0
Revises: 54bcdd888ffd
Create Date: 2026-11-23 16:41:37.956536
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "79c23a0920a0"
down_revision: str | None = "54bcdd888ffd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("price_day", sa.Date(), nullable=True))

    with op.batch_alter_table("catalog_import", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=100), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("catalog_import", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")

    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.drop_column("price_day")
