"""Forecasters over a :class:`Panel`: two baselines and a gradient-boosted quantile model.

All of them forecast the log return over ``h`` days and turn it into prices; every one answers a point
and an 80 % interval, so the backtest can compare them on the same footing. No I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor

from mtg_tracker.forecast.features import CATEGORICAL, FEATURE_NAMES, FloatArray, target
from mtg_tracker.forecast.panel import Panel

INTERVAL = 0.8
LOWER_Q, UPPER_Q = (1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2
SEASON = 7  # prices are read and listed on a weekly rhythm; the seasonal baseline repeats last week


@dataclass(frozen=True)
class Prediction:
    """Log prices: the point forecast and the interval bounds, one entry per series (NaN = no forecast)."""

    point: FloatArray
    lower: FloatArray
    upper: FloatArray


class Forecaster(Protocol):
    kind: str
    horizons: tuple[int, ...]

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction: ...


ProgressFn = Callable[[str], None]


def _noop(_: str) -> None:
    return None


def training_rows(
    panel: Panel, origins: Sequence[int], horizon: int, *, max_rows: int, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    """(X, y) over the given origins, rows with both prices only; a seeded uniform sample past ``max_rows``.

    Sampling keeps memory bounded at any catalog size: 150k series × 365 origins would be 55M rows.
    """
    per_origin = max(1, max_rows // max(1, len(origins)))
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for t in origins:
        y = target(panel.logp, t, horizon)
        ok = np.flatnonzero(~np.isnan(y))
        if ok.size > per_origin:
            ok = np.sort(rng.choice(ok, size=per_origin, replace=False))
        if ok.size == 0:
            continue
        xs.append(panel.features(t)[ok].astype(np.float32))
        ys.append(y[ok])
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32), np.zeros(0)
    return np.concatenate(xs), np.concatenate(ys)


def _empirical_band(returns: FloatArray) -> tuple[float, float]:
    if returns.size == 0:
        return 0.0, 0.0
    return float(np.quantile(returns, LOWER_Q)), float(np.quantile(returns, UPPER_Q))


@dataclass
class Persistence:
    """Tomorrow = today. The interval is the training window's empirical 10–90 % band of h-day returns."""

    horizons: tuple[int, ...]
    bands: dict[int, tuple[float, float]] = field(default_factory=dict)
    kind: str = "persistence"

    def fit(self, panel: Panel, last_target: int) -> Persistence:
        for h in self.horizons:
            rows = [target(panel.logp, t, h) for t in range(0, last_target - h + 1)]
            values = np.concatenate(rows) if rows else np.zeros(0)
            self.bands[h] = _empirical_band(values[~np.isnan(values)])
        return self

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction:
        now = panel.logp[:, t]
        lo, hi = self.bands.get(horizon, (0.0, 0.0))
        return Prediction(now, now + lo, now + hi)


@dataclass
class SeasonalNaive:
    """The price one season (7 days) before the target day; at h = 7 it equals persistence."""

    horizons: tuple[int, ...]
    season: int = SEASON
    bands: dict[int, tuple[float, float]] = field(default_factory=dict)
    kind: str = "seasonal_naive"

    def _lag(self, horizon: int) -> int:
        return self.season * math.ceil(horizon / self.season) - horizon

    def fit(self, panel: Panel, last_target: int) -> SeasonalNaive:
        for h in self.horizons:
            lag = self._lag(h)
            rows = [panel.logp[:, t + h] - panel.logp[:, t - lag] for t in range(lag, last_target - h + 1)]
            values = np.concatenate(rows) if rows else np.zeros(0)
            self.bands[h] = _empirical_band(values[~np.isnan(values)])
        return self

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction:
        lag = self._lag(horizon)
        base = panel.logp[:, t - lag] if t - lag >= 0 else np.full(panel.logp.shape[0], np.nan)
        lo, hi = self.bands.get(horizon, (0.0, 0.0))
        return Prediction(base, base + lo, base + hi)


@dataclass
class GBMParams:
    max_iter: int = 200
    learning_rate: float = 0.05
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 200
    max_rows: int = 1_500_000
    calibration_days: int = 2
    seed: int = 0


@dataclass
class _HorizonModel:
    median: HistGradientBoostingRegressor
    lower: HistGradientBoostingRegressor
    upper: HistGradientBoostingRegressor
    # Split-conformal widening (conformalized quantile regression): added to both sides of the raw
    # quantile interval so that the calibration window's coverage is 80 %. Negative narrows it.
    widen: float
    # Features with no value at all in the training window (a 30-day return on 20 days of history, card
    # fields without a catalog) are left out: the model cannot learn from them.
    columns: list[int]
    calibration_rows: int
    training_rows: int


def conformal_widening(lower: FloatArray, upper: FloatArray, actual: FloatArray, coverage: float = INTERVAL) -> float:
    """The CQR correction: the ⌈(n + 1)·coverage⌉-th smallest conformity score max(lo − y, y − hi)."""
    scores = np.sort(np.maximum(lower - actual, actual - upper))
    n = scores.size
    if n == 0:
        return 0.0
    rank = min(n, math.ceil((n + 1) * coverage))
    return float(scores[rank - 1])


def _regressor(params: GBMParams, quantile: float, columns: list[int]) -> HistGradientBoostingRegressor:
    categorical = [FEATURE_NAMES[i] in CATEGORICAL for i in columns]
    return HistGradientBoostingRegressor(
        loss="quantile",
        quantile=quantile,
        max_iter=params.max_iter,
        learning_rate=params.learning_rate,
        max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=params.min_samples_leaf,
        categorical_features=categorical,
        early_stopping=False,
        random_state=params.seed,
    )


@dataclass
class GradientBoosted:
    """HistGradientBoosting quantile regressors (10 %, 50 %, 90 %) of the h-day log return, per horizon,
    with the interval calibrated on the last ``calibration_days`` target days of the training window."""

    horizons: tuple[int, ...]
    params: GBMParams = field(default_factory=GBMParams)
    models: dict[int, _HorizonModel] = field(default_factory=dict)
    kind: str = "gbm_quantile"

    def fit(self, panel: Panel, last_target: int, progress: ProgressFn = _noop) -> GradientBoosted:
        """Learn from targets on days ≤ ``last_target`` (a panel index) and nothing later."""
        cal_days = self.params.calibration_days
        for h in self.horizons:
            fit_origins = list(range(0, last_target - cal_days - h + 1))
            cal_origins = list(range(max(0, last_target - cal_days - h + 1), last_target - h + 1))
            if not fit_origins or not cal_origins:
                raise ValueError(
                    f"{panel.n_days} days are too few to train the {h}-day horizon with {cal_days} calibration days"
                )
            x, y = training_rows(panel, fit_origins, h, max_rows=self.params.max_rows, seed=self.params.seed)
            if y.size == 0:
                raise ValueError(f"no series has two prices {h} days apart in the training window")
            columns = [int(i) for i in np.flatnonzero(~np.all(np.isnan(x), axis=0))]
            x = x[:, columns]
            models = []
            for q in (0.5, LOWER_Q, UPPER_Q):
                progress(f"{h}-day horizon, quantile {q:.1f}, {y.size:,} rows")
                models.append(_regressor(self.params, q, columns).fit(x, y))
            median, lower, upper = models
            xc, yc = training_rows(panel, cal_origins, h, max_rows=self.params.max_rows, seed=self.params.seed + 1)
            xc = xc[:, columns]
            widen = conformal_widening(lower.predict(xc), upper.predict(xc), yc) if yc.size else 0.0
            self.models[h] = _HorizonModel(median, lower, upper, widen, columns, int(yc.size), int(y.size))
            del x, y, xc, yc
        return self

    def predict(self, panel: Panel, t: int, horizon: int) -> Prediction:
        model = self.models[horizon]
        now = panel.logp[:, t]
        x = panel.features(t).astype(np.float32)[:, model.columns]
        point = model.median.predict(x)
        lo = model.lower.predict(x) - model.widen
        hi = model.upper.predict(x) + model.widen
        # Quantile models fitted separately can cross; the interval must still contain the point.
        lo, hi = np.minimum(lo, point), np.maximum(hi, point)
        return Prediction(now + point, now + lo, now + hi)
