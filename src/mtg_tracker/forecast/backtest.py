"""Rolling-origin backtests and their metrics (pure: arrays in, numbers out).

Every model is judged against persistence (tomorrow = today) on the same rows: in card prices that
naive forecast is hard to beat, and a model that does not beat it is not worth serving.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mtg_tracker.forecast.features import FINISHES, FloatArray
from mtg_tracker.forecast.forecasters import Forecaster
from mtg_tracker.forecast.panel import Panel

# Price bands in dollars, by the price on the origin day: [low, high).
BANDS: tuple[tuple[str, float, float], ...] = (
    ("<$1", 0.0, 1.0),
    ("$1–5", 1.0, 5.0),
    ("$5–20", 5.0, 20.0),
    ("$20–100", 20.0, 100.0),
    ("≥$100", 100.0, float("inf")),
)


@dataclass
class Rows:
    """Backtest rows of one model and horizon, prices in dollars."""

    origin: FloatArray = field(default_factory=lambda: np.zeros(0))
    actual: FloatArray = field(default_factory=lambda: np.zeros(0))
    point: FloatArray = field(default_factory=lambda: np.zeros(0))
    lower: FloatArray = field(default_factory=lambda: np.zeros(0))
    upper: FloatArray = field(default_factory=lambda: np.zeros(0))
    finish: FloatArray = field(default_factory=lambda: np.zeros(0))

    def extend(self, **arrays: FloatArray) -> None:
        for name, values in arrays.items():
            setattr(self, name, np.concatenate([getattr(self, name), values]))

    def select(self, mask: npt.NDArray[np.bool_]) -> Rows:
        return Rows(*(getattr(self, n)[mask] for n in ("origin", "actual", "point", "lower", "upper", "finish")))


def metrics(rows: Rows) -> dict[str, float | int | None]:
    """MAE, sMAPE, MASE (MAE ÷ persistence's MAE on the same rows), directional accuracy, coverage, width.

    Directional accuracy counts only rows where the price moved and the model predicted a move: persistence
    predicts none, so it has no direction to be right about. Width is relative to the origin price.
    """
    n = int(rows.actual.size)
    if n == 0:
        return {"n": 0, "mae": None, "persistence_mae": None, "mase": None, "smape": None,
                "directional_accuracy": None, "coverage": None, "width": None}  # fmt: skip
    err = np.abs(rows.point - rows.actual)
    naive = np.abs(rows.origin - rows.actual)
    mae, naive_mae = float(err.mean()), float(naive.mean())
    denom = np.abs(rows.point) + np.abs(rows.actual)
    smape = float(np.mean(np.where(denom > 0, 2 * err / np.where(denom > 0, denom, 1), 0.0)))
    moved = (rows.actual != rows.origin) & (np.abs(rows.point - rows.origin) > 1e-9)
    direction = (
        float(
            np.mean(np.sign(rows.point[moved] - rows.origin[moved]) == np.sign(rows.actual[moved] - rows.origin[moved]))
        )
        if moved.any()
        else None
    )
    covered = (rows.actual >= rows.lower) & (rows.actual <= rows.upper)
    return {
        "n": n,
        "mae": round(mae, 6),
        "persistence_mae": round(naive_mae, 6),
        "mase": round(mae / naive_mae, 6) if naive_mae > 0 else None,
        "smape": round(smape, 6),
        "directional_accuracy": round(direction, 6) if direction is not None else None,
        "coverage": round(float(covered.mean()), 6),
        "width": round(float(np.mean((rows.upper - rows.lower) / rows.origin)), 6),
    }


def breakdown(rows: Rows) -> dict[str, Any]:
    """Metrics overall, per price band and per finish."""
    bands = {name: metrics(rows.select((rows.origin >= lo) & (rows.origin < hi))) for name, lo, hi in BANDS}
    finishes = {name: metrics(rows.select(rows.finish == i)) for i, name in enumerate(FINISHES)}
    return {"all": metrics(rows), "bands": bands, "finishes": finishes}


def collect(panel: Panel, model: Forecaster, horizon: int, targets: Sequence[int]) -> Rows:
    """One model's rows: every series, every origin whose target day (a panel index) is in ``targets``."""
    return _common_rows(panel, [model], horizon, targets)[0]


def rolling_origin(
    panel: Panel, models: Sequence[Forecaster], horizons: Sequence[int], targets: Sequence[int]
) -> dict[str, Any]:
    """``{model kind: {"h<k>": breakdown}}`` over the target days.

    Every model is scored on the same rows (those all of them could forecast), so no model gains by
    abstaining: the seasonal baseline needs a week of history, the others do not.
    """
    out: dict[str, Any] = {m.kind: {} for m in models}
    for h in horizons:
        for model, rows in zip(models, _common_rows(panel, models, h, targets), strict=True):
            out[model.kind][f"h{h}"] = breakdown(rows)
    return out


def _common_rows(panel: Panel, models: Sequence[Forecaster], horizon: int, targets: Sequence[int]) -> list[Rows]:
    # Features at an origin read only columns up to it, so evaluating on the full panel is leak-free.
    result = [Rows() for _ in models]
    finish = np.array([FINISHES.index(c.finish) if c.finish in FINISHES else -1 for c in panel.cards], dtype=float)
    for day in targets:
        t = day - horizon
        if t < 0 or day >= panel.n_days:
            continue
        preds = [m.predict(panel, t, horizon) for m in models]
        now, actual = panel.logp[:, t], panel.logp[:, day]
        ok = ~(np.isnan(now) | np.isnan(actual))
        for p in preds:
            ok &= ~(np.isnan(p.point) | np.isnan(p.lower) | np.isnan(p.upper))
        for rows, p in zip(result, preds, strict=True):
            rows.extend(
                origin=np.exp(now[ok]),
                actual=np.exp(actual[ok]),
                point=np.exp(p.point[ok]),
                lower=np.exp(p.lower[ok]),
                upper=np.exp(p.upper[ok]),
                finish=finish[ok],
            )
    return result
