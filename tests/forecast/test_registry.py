"""The registry's promotion rule, on real cards and their real daily prices (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from mtg_tracker.config import ForecastSettings
from mtg_tracker.forecast import service
from mtg_tracker.forecast.forecasters import Prediction
from mtg_tracker.forecast.models import ForecastModel
from mtg_tracker.forecast.panel import Panel
from mtg_tracker.kit.db import Database

SETTINGS = ForecastSettings(horizons=[1, 7], backtest_days=7, calibration_days=2, max_iter=4, max_rows=5_000)
END = date(2026, 2, 14)


@dataclass
class Scaled:
    """A deliberately bad model: always forecasts a 30 % rise, with a wide interval around it."""

    horizons: tuple[int, ...] = (1, 7)
    kind: str = "bad_test_model"

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction:
        now = panel.logp[:, t]
        return Prediction(now + np.log(1.3), now - 1.0, now + 1.0)


@dataclass
class Clairvoyant:
    """Test-only: reads the realised price (so it beats persistence) and covers it on 4 series in 5."""

    horizons: tuple[int, ...] = (1, 7)
    kind: str = "clairvoyant_test_model"
    miss_every: int = 5

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction:
        actual = panel.logp[:, t + horizon]
        miss = (np.arange(actual.size) % self.miss_every) == 0
        lower = np.where(miss, actual + 0.1, actual - 0.1)
        return Prediction(actual, lower, lower + 0.2)


async def _register(db: Database, model: Any) -> service.TrainResult:
    async with db.session_scope() as session:
        panel = await service.load_panel(session, end=END, days=27)
        return await service.register(
            session,
            candidate=model,
            final=model,
            panel=panel,
            backtest_targets=range(panel.n_days - 7, panel.n_days),
            settings=SETTINGS,
            params={},
        )


@pytest.mark.parametrize(
    ("metrics", "promote", "because"),
    [
        ({"h7": {"mae": 0.9, "persistence_mae": 1.0, "coverage": 0.8}}, True, "beats persistence"),
        ({"h7": {"mae": 1.0, "persistence_mae": 1.0, "coverage": 0.8}}, False, "not below persistence"),
        ({"h7": {"mae": 0.5, "persistence_mae": 1.0, "coverage": 0.95}}, False, "coverage 95.0% is outside"),
        ({"h7": {"mae": 0.5, "persistence_mae": 1.0, "coverage": 0.7}}, False, "outside 75%–85%"),
        ({"h7": {"mae": None, "persistence_mae": None, "coverage": None}}, False, "no backtest rows"),
        ({}, False, "no backtest rows"),
    ],
)
def test_promotion_decision(metrics: dict[str, Any], promote: bool, because: str) -> None:
    ok, reason = service.promotion_decision(metrics, [7], SETTINGS)
    assert ok is promote and because in reason


async def test_a_loser_is_refused_and_the_current_model_keeps_serving(db: Database, priced: Any) -> None:
    good = await _register(db, Clairvoyant())
    assert good.status == "promoted", good.reason
    assert 0.75 <= good.metrics["h7"]["coverage"] <= 0.85

    bad = await _register(db, Scaled())
    assert bad.status == "refused"
    assert "not below persistence" in bad.reason
    assert bad.metrics["h7"]["mae"] > bad.metrics["h7"]["persistence_mae"]

    # Beats persistence but its interval covers everything: refused as miscalibrated.
    overconfident = await _register(db, Clairvoyant(miss_every=10**9))
    assert overconfident.status == "refused" and "coverage 100.0% is outside" in overconfident.reason

    async with db.session(write=False) as session:
        rows = {r.version: r.status for r in await session.scalars(select(ForecastModel))}
        current, _ = await service.current_model(session)
    assert rows == {good.version: "promoted", bad.version: "refused", overconfident.version: "refused"}
    assert current.version == good.version


async def test_train_stores_a_judged_model(db: Database, priced: Any) -> None:
    async with db.session_scope() as session:
        result = await service.train(session, SETTINGS)
    assert result.series > 50
    ok, _ = service.promotion_decision(result.metrics, [1, 7], SETTINGS)
    assert result.status == ("promoted" if ok else "refused")
    for h in ("h1", "h7"):
        assert result.report["gbm_quantile"][h]["all"]["n"] == result.report["persistence"][h]["all"]["n"] > 0
    async with db.session(write=False) as session:
        row = await session.get(ForecastModel, result.version)
        assert row is not None
        decoded = service.decode(row)
    assert decoded["training_window"] == {"start": "2026-01-19", "end": "2026-02-14"}
    assert decoded["backtest_window"] == {"start": "2026-02-08", "end": "2026-02-14"}
    assert decoded["metrics"]["h7"]["persistence_mae"] > 0


async def test_train_refuses_too_short_a_history(db: Database, priced: Any) -> None:
    from mtg_tracker.forecast.errors import NotEnoughHistory

    async with db.session_scope() as session:
        with pytest.raises(NotEnoughHistory, match="needs"):
            await service.train(session, SETTINGS, end=date(2026, 1, 30))
