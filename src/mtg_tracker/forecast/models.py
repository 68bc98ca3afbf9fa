"""The model registry: every trained forecast model, promoted or not, with why.

The artefact (the fitted scikit-learn estimators) lives in the row itself, so every instance serves the
same bytes without a shared disk; ``artefact_sha256`` is checked before it is unpickled.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from mtg_tracker.kit.db import Base, UTCDateTime

# promoted: the one being served · retired: served before · refused: lost to persistence or miscalibrated
STATUSES = ("promoted", "retired", "refused")


class ForecastModel(Base):
    __tablename__ = "forecast_model"
    __table_args__ = (Index("ix_forecast_model_status", "status"),)

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    train_start: Mapped[date] = mapped_column(Date)
    train_end: Mapped[date] = mapped_column(Date)
    backtest_start: Mapped[date] = mapped_column(Date)
    backtest_end: Mapped[date] = mapped_column(Date)
    horizons: Mapped[str] = mapped_column(String(100))  # JSON list of days
    features: Mapped[str] = mapped_column(Text)  # JSON list of feature names
    params: Mapped[str] = mapped_column(Text)  # JSON object of hyperparameters
    metrics: Mapped[str] = mapped_column(Text)  # JSON: {"h7": {"mae", "persistence_mae", "coverage", …}, …}
    series: Mapped[int] = mapped_column(Integer)
    artefact: Mapped[bytes] = mapped_column(LargeBinary)
    artefact_sha256: Mapped[str] = mapped_column(String(64))


class ForecastPoint(Base):
    """A precomputed forecast: one per model version, printing, finish and horizon (prices in cents).

    Written in batches when a model is promoted; the endpoint reads one row by primary key.
    """

    __tablename__ = "forecast_point"

    model_version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    card_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    finish: Mapped[str] = mapped_column(String(10), primary_key=True)
    horizon_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date] = mapped_column(Date)
    point: Mapped[int] = mapped_column(Integer)
    lower: Mapped[int] = mapped_column(Integer)
    upper: Mapped[int] = mapped_column(Integer)
    persistence: Mapped[int] = mapped_column(Integer)
