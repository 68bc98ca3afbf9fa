"""A price panel: series × consecutive days of log prices, with what the catalog says about each series.

Pure (no I/O): the registry and the tests build panels from the database or from the daily CSV.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from mtg_tracker.forecast.features import CardInfo, FloatArray, IntArray, card_matrix, feature_matrix, set_indices

# The days-since-release column of the card block; it grows by one per panel day.
_RELEASE_COLUMN = 3


@dataclass
class Panel:
    """``logp[i, j]`` is log(price in dollars) of ``keys[i]`` on ``start + j`` days, NaN when unknown."""

    start: date
    keys: list[tuple[uuid.UUID, str]]
    logp: FloatArray
    cards: list[CardInfo]
    _card_block: FloatArray = field(init=False, repr=False)
    _set_index: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._card_block = card_matrix(self.cards, self.start)
        self._set_index = set_indices(self.cards)

    @property
    def n_days(self) -> int:
        return int(self.logp.shape[1])

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def index(self, day: date) -> int:
        return (day - self.start).days

    def features(self, t: int) -> FloatArray:
        block = self._card_block.copy()
        block[:, _RELEASE_COLUMN] += t
        return feature_matrix(self.logp, t, block, self._set_index)

    def head(self, n_days: int) -> Panel:
        """The same series restricted to the first ``n_days`` days (a backtest's view of the past)."""
        return Panel(self.start, self.keys, self.logp[:, :n_days], self.cards)

    def subset(self, rows: Sequence[int]) -> Panel:
        idx = np.asarray(rows, dtype=np.int64)
        return Panel(self.start, [self.keys[i] for i in idx], self.logp[idx], [self.cards[i] for i in idx])


def build_panel(
    points: Iterable[tuple[uuid.UUID, str, date, int]], cards: dict[uuid.UUID, CardInfo], *, end: date | None = None
) -> Panel:
    """A panel from ``(card_id, finish, day, cents)`` points; days run from the first point to ``end``.

    Zero prices are treated as missing (a log needs a positive price and $0.00 is a data hole, not a sale).
    """
    by_key: dict[tuple[uuid.UUID, str], list[tuple[date, int]]] = {}
    first: date | None = None
    last: date | None = None
    for card_id, finish, day, cents in points:
        if cents <= 0 or (end is not None and day > end):
            continue
        by_key.setdefault((card_id, finish), []).append((day, cents))
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    if first is None or last is None:
        return Panel(end or date.today(), [], np.zeros((0, 0)), [])
    last = end or last
    n_days = (last - first).days + 1
    keys = sorted(by_key)
    logp = np.full((len(keys), n_days), np.nan)
    for i, key in enumerate(keys):
        for day, cents in by_key[key]:
            logp[i, (day - first).days] = np.log(cents / 100.0)
    infos = []
    for card_id, finish in keys:
        base = cards.get(card_id, CardInfo())
        infos.append(
            CardInfo(
                rarity=base.rarity,
                finish=finish,
                set_code=base.set_code,
                set_type=base.set_type,
                released_at=base.released_at,
                reprint_count=base.reprint_count,
                legal_formats=base.legal_formats,
            )
        )
    return Panel(first, keys, logp, infos)
