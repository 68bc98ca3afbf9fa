"""The pure forecast core on hand-made panels: each feature, target and metric against a worked answer."""

from __future__ import annotations

import math
import uuid
from datetime import date

import numpy as np
import pytest

from mtg_tracker.forecast import features as f
from mtg_tracker.forecast.backtest import Rows, metrics
from mtg_tracker.forecast.forecasters import Persistence, SeasonalNaive, conformal_widening
from mtg_tracker.forecast.panel import build_panel

NAN = float("nan")


def _logp(*rows: list[float]) -> np.ndarray:
    return np.log(np.array(rows, dtype=float))


def _same(got: np.ndarray, want: list[float]) -> bool:
    return bool(np.allclose(got, np.array(want, dtype=float), equal_nan=True))


@pytest.mark.parametrize(
    ("prices", "t", "window", "want"),
    [
        ([1.0, 2.0, 4.0], 2, 1, math.log(2)),
        ([1.0, 2.0, 4.0], 2, 2, math.log(4)),
        ([1.0, 2.0, 4.0], 1, 3, NAN),  # the window reaches before the panel
        ([1.0, NAN, 4.0], 2, 1, NAN),  # a gap on the older day
        ([1.0, 2.0, NAN], 2, 2, NAN),  # no price on the origin day
    ],
)
def test_log_return(prices: list[float], t: int, window: int, want: float) -> None:
    assert _same(f.log_return(_logp(prices), t, window), [want])


@pytest.mark.parametrize(
    ("prices", "t", "want"),
    [
        ([1.0, 1.0, 1.0, 1.0], 3, 0.0),  # flat: no volatility
        ([1.0, 2.0, 1.0, 2.0], 3, float(np.std([math.log(2), -math.log(2), math.log(2)], ddof=1))),
        ([1.0, 2.0], 1, NAN),  # one return is not enough
        ([1.0, NAN, NAN, 2.0], 3, NAN),  # gaps leave no daily return
    ],
)
def test_volatility(prices: list[float], t: int, want: float) -> None:
    assert _same(f.volatility(_logp(prices), t), [want])


@pytest.mark.parametrize(
    ("prices", "t", "want_high", "want_low"),
    [
        ([2.0, 4.0, 1.0, 2.0], 3, math.log(2 / 4), math.log(2 / 1)),
        ([2.0, NAN, 3.0], 2, 0.0, math.log(3 / 2)),  # at the high
        ([NAN, NAN, NAN], 2, NAN, NAN),
    ],
)
def test_range_position(prices: list[float], t: int, want_high: float, want_low: float) -> None:
    high, low = f.range_position(_logp(prices), t)
    assert _same(high, [want_high]) and _same(low, [want_low])


def test_history_days_counts_from_the_first_price() -> None:
    logp = _logp([NAN, NAN, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0], [NAN, NAN, NAN, NAN, NAN])
    assert _same(f.history_days(logp, 4), [2, 4, NAN])
    assert _same(f.history_days(logp, 1), [NAN, 1, NAN])


@pytest.mark.parametrize(
    ("returns", "sets", "want"),
    [
        ([0.1, 0.3, 0.2, -1.0], [0, 0, 0, 1], [0.2, 0.2, 0.2, -1.0]),
        ([0.1, NAN, 0.3], [0, 0, 0], [0.2, 0.2, 0.2]),  # missing returns are ignored, not zeros
        ([NAN, 0.5], [0, 1], [NAN, 0.5]),  # a set with no return at all stays unknown
    ],
)
def test_set_median_return(returns: list[float], sets: list[int], want: list[float]) -> None:
    got = f.set_median_return(np.array(returns), np.array(sets, dtype=np.int64))
    assert _same(got, want)


@pytest.mark.parametrize(
    ("card", "want"),
    [
        (
            f.CardInfo("rare", "foil", "khm", "expansion", date(2021, 2, 5), 3, 5),
            [2, 1, 1, (date(2021, 3, 7) - date(2021, 2, 5)).days, 3, 5],
        ),
        (f.CardInfo(), [NAN, 0, NAN, NAN, NAN, NAN]),  # unknown card: the model is told so
        (f.CardInfo("weird", "etched", "x", "something_new"), [len(f.RARITIES), 2, len(f.SET_TYPES), NAN, NAN, NAN]),
    ],
)
def test_card_matrix(card: f.CardInfo, want: list[float]) -> None:
    assert _same(f.card_matrix([card], date(2021, 3, 7))[0], want)


def test_feature_matrix_reads_no_day_after_the_origin() -> None:
    """Changing every price after the origin must leave the features unchanged (no look-ahead)."""
    rng = np.random.default_rng(1)
    logp = rng.normal(size=(6, 40))
    later = logp.copy()
    later[:, 31:] += 5.0
    cards = f.card_matrix([f.CardInfo(set_code=str(i % 2)) for i in range(6)], date(2026, 1, 1))
    sets = np.array([i % 2 for i in range(6)], dtype=np.int64)
    a = f.feature_matrix(logp, 30, cards, sets)
    b = f.feature_matrix(later, 30, cards, sets)
    assert a.shape == (6, len(f.FEATURE_NAMES))
    assert np.array_equal(a, b, equal_nan=True)
    assert not np.array_equal(a, f.feature_matrix(later, 31, cards, sets), equal_nan=True)


def test_build_panel_places_points_and_treats_zero_as_missing() -> None:
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)
    panel = build_panel(
        [
            (a, "nonfoil", date(2026, 1, 1), 100),
            (a, "nonfoil", date(2026, 1, 3), 200),
            (b, "foil", date(2026, 1, 2), 0),
        ],
        {a: f.CardInfo(rarity="rare", set_code="abc")},
    )
    assert panel.keys == [(a, "nonfoil")]  # b's only point was $0.00
    assert panel.start == date(2026, 1, 1) and panel.n_days == 3
    assert _same(panel.logp[0], [0.0, NAN, math.log(2)])
    assert panel.cards[0].rarity == "rare" and panel.cards[0].finish == "nonfoil"


@pytest.mark.parametrize(
    ("lower", "upper", "actual", "want"),
    [
        # Scores max(lo - y, y - hi): -1, -1, 1, 3 → rank ceil(5 × 0.8) = 4 → 3.
        ([0, 0, 0, 0], [2, 2, 2, 2], [1, 1, 3, 5], 3.0),
        # Every row inside with room to spare: the interval narrows (negative widening).
        ([0] * 9, [10] * 9, [5] * 9, -5.0),
        ([], [], [], 0.0),
    ],
)
def test_conformal_widening(lower: list[float], upper: list[float], actual: list[float], want: float) -> None:
    assert conformal_widening(np.array(lower, float), np.array(upper, float), np.array(actual, float)) == want


def test_metrics_against_worked_numbers() -> None:
    rows = Rows(
        origin=np.array([10.0, 10.0, 2.0, 2.0]),
        actual=np.array([12.0, 9.0, 2.0, 3.0]),
        point=np.array([11.0, 10.5, 2.0, 2.5]),
        lower=np.array([9.0, 9.5, 1.0, 2.0]),
        upper=np.array([13.0, 11.0, 3.0, 2.8]),
        finish=np.zeros(4),
    )
    got = metrics(rows)
    assert got["n"] == 4
    assert got["mae"] == pytest.approx((1 + 1.5 + 0 + 0.5) / 4)
    assert got["persistence_mae"] == pytest.approx((2 + 1 + 0 + 1) / 4)
    assert got["mase"] == pytest.approx(0.75)
    assert got["coverage"] == pytest.approx(0.5)  # 9.0 is below 9.5, 3.0 above 2.8
    # Directions: rows 1 (up/up), 2 (up/down), 4 (up/up); row 3 did not move.
    assert got["directional_accuracy"] == pytest.approx(2 / 3)
    assert got["width"] == pytest.approx(np.mean([0.4, 0.15, 1.0, 0.4]))
    assert metrics(Rows())["mae"] is None


def test_baselines() -> None:
    logp = _logp([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    panel = build_panel([], {})
    panel = type(panel)(
        date(2026, 1, 1), [(uuid.UUID(int=1), "nonfoil"), (uuid.UUID(int=2), "nonfoil")], logp, [f.CardInfo()] * 2
    )
    persistence = Persistence((1,)).fit(panel, 9)
    assert _same(persistence.predict(panel, 8, 1).point, list(logp[:, 8]))
    seasonal = SeasonalNaive((1, 7)).fit(panel, 9)
    assert _same(seasonal.predict(panel, 8, 1).point, list(logp[:, 2]))  # the target day a week earlier
    assert _same(seasonal.predict(panel, 8, 7).point, list(logp[:, 8]))
    assert _same(seasonal.predict(panel, 3, 1).point, [NAN, NAN])  # not a week of history yet
