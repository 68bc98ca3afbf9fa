"""forecast_model and forecast_point: the registry of trained price-forecast models, their artefacts and
the forecasts they serve, precomputed

Revision ID: f1a2b3c4d5e6
Revises: 6875710ede62
Create Date: 2026-12-03 19:31:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1a2b3c4d5e6"
down_revision: str | None = "6875710ede62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_model",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("train_start", sa.Date(), nullable=False),
        sa.Column("train_end", sa.Date(), nullable=False),
        sa.Column("backtest_start", sa.Date(), nullable=False),
        sa.Column("backtest_end", sa.Date(), nullable=False),
        sa.Column("horizons", sa.String(length=100), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("series", sa.Integer(), nullable=False),
        sa.Column("artefact", sa.LargeBinary(), nullable=False),
        sa.Column("artefact_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_forecast_model")),
    )
    op.create_index("ix_forecast_model_status", "forecast_model", ["status"], unique=False)
    op.create_table(
        "forecast_point",
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Uuid(), nullable=False),
        sa.Column("finish", sa.String(length=10), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("point", sa.Integer(), nullable=False),
        sa.Column("lower", sa.Integer(), nullable=False),
        sa.Column("upper", sa.Integer(), nullable=False),
        sa.Column("persistence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("model_version", "card_id", "finish", "horizon_days", name=op.f("pk_forecast_point")),
    )


def downgrade() -> None:
    op.drop_table("forecast_point")
    op.drop_index("ix_forecast_model_status", table_name="forecast_model")
    op.drop_table("forecast_model")
