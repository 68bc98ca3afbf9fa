"""The merge rules of an add or import row that lands on an existing entry (pure, table-driven)."""

from __future__ import annotations

from datetime import date

import pytest

from mtg_tracker.collection.service import Holding, merge_holding

D1, D2 = date(2024, 1, 1), date(2025, 6, 1)


@pytest.mark.parametrize(
    ("held", "add", "expected", "problems"),
    [
        pytest.param(Holding(2, 100, "USD"), Holding(1, 400, "USD"), Holding(3, 200, "USD"), [], id="weighted-average"),
        pytest.param(Holding(1, 100, "USD"), Holding(2, 101, "usd"), Holding(3, 101, "USD"), [], id="round-half-up"),
        pytest.param(Holding(1, 1, None), Holding(1, 2, None), Holding(2, 2, None), [], id="both-unlabelled"),
        pytest.param(Holding(2, 150, "USD"), Holding(1), Holding(3, 150, "USD"), [], id="row-without-price"),
        pytest.param(
            Holding(2, 100, "USD"),
            Holding(1, 300, "EUR"),
            Holding(3, 100, "USD"),
            ["purchase price 3.00 EUR not merged: the entry's is 1.00 USD (currencies are not converted)"],
            id="other-currency",
        ),
        pytest.param(
            Holding(2),
            Holding(1, 300, "EUR"),
            Holding(3, 300, "EUR"),
            ["the entry's 2 copies had no purchase price; 3.00 EUR now applies to all 3"],
            id="entry-without-price",
        ),
        pytest.param(Holding(0), Holding(1, 300, "EUR"), Holding(1, 300, "EUR"), [], id="empty-holding"),
        pytest.param(
            Holding(1, tags=["a", "b"], notes="first", acquired=D2),
            Holding(1, tags=["b", "c"], notes="second", acquired=D1),
            Holding(2, tags=["a", "b", "c"], notes="first\nsecond", acquired=D1),
            [],
            id="tags-notes-date",
        ),
        pytest.param(
            Holding(1, notes="first\nsecond", acquired=D1),
            Holding(1, notes="second", acquired=D2),
            Holding(2, notes="first\nsecond", acquired=D1),
            [],
            id="same-note-not-repeated",
        ),
        pytest.param(Holding(1), Holding(1, tags=["x"], notes="n"), Holding(2, tags=["x"], notes="n"), [], id="fill"),
    ],
)
def test_merge_holding(held: Holding, add: Holding, expected: Holding, problems: list[str]) -> None:
    assert merge_holding(held, add) == problems
    assert held == expected
