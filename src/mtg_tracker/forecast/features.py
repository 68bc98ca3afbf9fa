"""Forecast features, computed from a price panel: pure numpy, no I/O, no tables.

A *panel* is one row per series (a printing in one finish) and one column per consecutive day, holding the
natural log of the price or NaN where there is none (the daily file lists only prices ≥ $0.50, so gaps
are common). Every feature at origin day ``t`` uses columns ``≤ t`` only: a backtest that builds features
this way cannot see its own answers. Missing history stays NaN (the gradient-boosted model routes NaN
down its own branch), and the ``history_days`` feature tells the model how much it had to go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RETURN_WINDOWS = (1, 3, 7, 14, 30)
VOLATILITY_WINDOW = 14
RANGE_WINDOW = 30
SET_RETURN_WINDOW = 7
RARITIES = ("common", "uncommon", "rare", "mythic", "special", "bonus")
FINISHES = ("nonfoil", "foil", "etched")
# Set types in Scryfall's vocabulary; anything else is "other" (code len(SET_TYPES)).
SET_TYPES = (
    "core", "expansion", "masters", "draft_innovation", "commander", "funny", "promo", "token", "memorabilia",
    "masterpiece", "from_the_vault", "spellbook", "premium_deck", "duel_deck", "starter", "box", "alchemy",
    "arsenal", "planechase", "archenemy", "vanguard", "treasure_chest", "minigame",
)  # fmt: skip

FEATURE_NAMES: tuple[str, ...] = (
    *(f"log_return_{w}d" for w in RETURN_WINDOWS),
    f"volatility_{VOLATILITY_WINDOW}d",
    f"from_high_{RANGE_WINDOW}d",
    f"from_low_{RANGE_WINDOW}d",
    "history_days",
    "log_price",
    "rarity",
    "finish",
    "set_type",
    "days_since_release",
    "reprint_count",
    "legal_formats",
    f"set_median_return_{SET_RETURN_WINDOW}d",
)
CATEGORICAL = ("rarity", "finish", "set_type")


@dataclass(frozen=True)
class CardInfo:
    """What the catalog says about a series' printing (any field may be unknown)."""

    rarity: str | None = None
    finish: str = "nonfoil"
    set_code: str = ""
    set_type: str | None = None
    released_at: date | None = None
    reprint_count: int | None = None
    legal_formats: int | None = None


def _code(value: str | None, vocabulary: Sequence[str]) -> float:
    """A category as a small integer code (NaN when unknown) for HistGradientBoosting's categorical support."""
    if value is None:
        return float("nan")
    try:
        return float(vocabulary.index(value))
    except ValueError:
        return float(len(vocabulary))


def log_return(logp: FloatArray, t: int, window: int) -> FloatArray:
    """log(p[t] / p[t - window]); NaN when either day has no price or the window reaches before the panel."""
    if t - window < 0:
        return np.full(logp.shape[0], np.nan)
    return logp[:, t] - logp[:, t - window]


def volatility(logp: FloatArray, t: int, window: int = VOLATILITY_WINDOW) -> FloatArray:
    """Standard deviation of the daily log returns in the ``window`` days up to ``t`` (≥ 2 returns needed)."""
    lo = max(0, t - window)
    block = logp[:, lo : t + 1]
    if block.shape[1] < 3:
        return np.full(logp.shape[0], np.nan)
    daily = np.diff(block, axis=1)
    count = np.sum(~np.isnan(daily), axis=1)
    out = np.full(logp.shape[0], np.nan)
    ok = count >= 2
    if ok.any():
        out[ok] = np.nanstd(daily[ok], axis=1, ddof=1)
    return out


def range_position(logp: FloatArray, t: int, window: int = RANGE_WINDOW) -> tuple[FloatArray, FloatArray]:
    """(log(p / recent high), log(p / recent low)) over the window up to ``t``: ≤ 0 and ≥ 0 respectively."""
    block = logp[:, max(0, t - window + 1) : t + 1]
    has = ~np.all(np.isnan(block), axis=1)
    high = np.full(logp.shape[0], np.nan)
    low = np.full(logp.shape[0], np.nan)
    high[has] = np.nanmax(block[has], axis=1)
    low[has] = np.nanmin(block[has], axis=1)
    return logp[:, t] - high, logp[:, t] - low


def history_days(logp: FloatArray, t: int) -> FloatArray:
    """Days since the series' first price in the panel, as of ``t`` (NaN before it)."""
    present = ~np.isnan(logp[:, : t + 1])
    first = np.argmax(present, axis=1).astype(np.float64)
    out: FloatArray = t - first
    out[~present.any(axis=1)] = np.nan
    return out


def set_median_return(returns: FloatArray, set_index: IntArray) -> FloatArray:
    """Each series gets the median of its set's returns (NaN returns ignored; NaN when the set has none)."""
    out = np.full(returns.shape[0], np.nan)
    if returns.size == 0:
        return out
    order = np.argsort(set_index, kind="stable")
    sorted_sets = set_index[order]
    bounds = np.flatnonzero(np.diff(sorted_sets)) + 1
    for group in np.split(order, bounds):
        values = returns[group]
        values = values[~np.isnan(values)]
        if values.size:
            out[group] = float(np.median(values))
    return out


def card_matrix(cards: Sequence[CardInfo], as_of: date) -> FloatArray:
    """The card columns (rarity … legal_formats) for every series, as of one day."""
    out = np.full((len(cards), 6), np.nan)
    for i, card in enumerate(cards):
        out[i, 0] = _code(card.rarity, RARITIES)
        out[i, 1] = _code(card.finish, FINISHES)
        out[i, 2] = _code(card.set_type, SET_TYPES)
        if card.released_at is not None:
            out[i, 3] = (as_of - card.released_at).days
        if card.reprint_count is not None:
            out[i, 4] = card.reprint_count
        if card.legal_formats is not None:
            out[i, 5] = card.legal_formats
    return out


def set_indices(cards: Sequence[CardInfo]) -> IntArray:
    """A dense integer per distinct set code, for :func:`set_median_return`."""
    codes: dict[str, int] = {}
    return np.array([codes.setdefault(c.set_code, len(codes)) for c in cards], dtype=np.int64)


def feature_matrix(logp: FloatArray, t: int, card_block: FloatArray, set_index: IntArray) -> FloatArray:
    """All of :data:`FEATURE_NAMES` for every series at origin ``t``, shape (series, features)."""
    returns = [log_return(logp, t, w) for w in RETURN_WINDOWS]
    from_high, from_low = range_position(logp, t)
    columns = [
        *returns,
        volatility(logp, t),
        from_high,
        from_low,
        history_days(logp, t),
        logp[:, t],
        *card_block.T,
        set_median_return(returns[RETURN_WINDOWS.index(SET_RETURN_WINDOW)], set_index),
    ]
    return np.column_stack(columns)


def target(logp: FloatArray, t: int, horizon: int) -> FloatArray:
    """The quantity the models learn: log(p[t + h] / p[t]) (NaN where either price is missing)."""
    out: FloatArray = logp[:, t + horizon] - logp[:, t]
    return out
