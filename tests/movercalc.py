"""An independent movers computation for tests: plain Python over a series, no SQL."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from fractions import Fraction

Series = dict[uuid.UUID, dict[date, dict[str, int | None]]]


def expected_movers(
    series: Series, day: date, window: int, price_type: str, metric: str, direction: str, min_cents: int, top: int
) -> list[tuple[uuid.UUID, int, int]]:
    """The independent computation: exact fractions, ties by card id (as UUID strings sort)."""
    rows = []
    for card_id, days in series.items():
        new = days.get(day, {}).get(price_type)
        old = days.get(day - timedelta(days=window), {}).get(price_type)
        if new is None or old is None or new == old or (new > old) != (direction == "up"):
            continue
        if metric == "percent" and (old < min_cents or old == 0):
            continue
        change = Fraction(new - old, old) if metric == "percent" else Fraction(new - old)
        rows.append((change, card_id.hex, card_id, old, new))
    rows.sort(key=lambda r: (-r[0] if direction == "up" else r[0], r[1]))
    return [(r[2], r[3], r[4]) for r in rows[:top]]
