"""catalog_card.source: the card object as imported, kept when the importer upgraded it to the current
Scryfall schema (``data`` then holds the upgraded object)

Existing rows keep a null source; the next import (the normaliser version changed) rewrites them.

Revision ID: f1a7c3e9d2b5
Revises: f1a2b3c4d5e6
Create Date: 2026-12-03 19:32:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a7c3e9d2b5"
down_revision: str | None = "f1a2b3c4d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_card", schema=None) as batch_op:
        batch_op.drop_column("source")
