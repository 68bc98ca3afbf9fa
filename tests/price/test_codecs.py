"""Pure codecs: money, daily CSV rows, MTGJSON v5 price entries (tables, no I/O)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from mtg_tracker.price.codecs import BadRow, cents_to_price, mtgjson_points, parse_csv_row, to_cents

CARD = "000a5154-90ba-459e-b122-d6893dfdb56f"


@pytest.mark.parametrize(
    ("value", "cents"),
    [("0.88", 88), ("12.5", 1250), ("17", 1700), (Decimal("0.015"), 2), (0.1, 10), ("0", 0), (" 3.10 ", 310)],
)
def test_to_cents(value: Any, cents: int) -> None:
    assert to_cents(value) == cents


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "no price"),
        (None, "no price"),
        ("abc", "not a number"),
        ("-1", "negative"),
        ("nan", "not a number"),
        ("1e12", "out of range"),
        (True, "no price"),
    ],
)
def test_to_cents_refuses(value: Any, reason: str) -> None:
    with pytest.raises(BadRow, match=reason):
        to_cents(value)


@pytest.mark.parametrize(
    ("cents", "text"), [(None, None), (0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-250, "-2.50")]
)
def test_cents_to_price(cents: int | None, text: str | None) -> None:
    assert cents_to_price(cents) == text


def _row(**over: str) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "updated_at": "2026-01-19T06:39:03.591Z",
        "set": "dmr",
        "scryfall_id": CARD,
        "name": "Mystical Tutor",
        "collector_number": "421",
        "rarity": "rare",
        "finish": "foil",
        "price_usd": "17.35",
        "booster_section": "collector",
    }
    row.update(over)
    return row


@pytest.mark.parametrize(
    ("finish", "column"), [("nonfoil", "usd"), ("foil", "usd_foil"), ("etched", "usd_etched"), ("FOIL", "usd_foil")]
)
def test_csv_row_finish_maps_to_column(finish: str, column: str) -> None:
    point = parse_csv_row(_row(finish=finish))
    assert (point.day, point.card_id, point.column, point.cents) == (date(2026, 1, 19), uuid.UUID(CARD), column, 1735)
    assert point.label == "Mystical Tutor, dmr"


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"scryfall_id": "not-a-uuid"}, "is not a UUID"),
        ({"scryfall_id": None}, "is not a UUID"),
        ({"updated_at": "19/01/2026"}, "not an ISO date"),
        ({"updated_at": "2026-01-19Tgarbage"}, "not an ISO date"),
        ({"updated_at": ""}, "not an ISO date"),
        ({"finish": "gilded"}, "unknown finish"),
        ({"price_usd": ""}, "no price"),
        ({"price_usd": "12,50"}, "not a number"),
        ({"price_usd": "-0.5"}, "negative"),
    ],
)
def test_csv_bad_rows(over: dict[str, str | None], reason: str) -> None:
    with pytest.raises(BadRow, match=reason):
        parse_csv_row(_row(**over))


def test_mtgjson_mapping_takes_retail_in_its_currency() -> None:
    entry = {
        "paper": {
            "tcgplayer": {
                "retail": {
                    "normal": {"2024-01-01": Decimal("1.5")},
                    "foil": {"2024-01-01": 3},
                    "etched": {"2024-01-02": "4.25"},
                },
                "buylist": {"normal": {"2024-01-01": Decimal("0.9")}},
                "currency": "USD",
            },
            "cardmarket": {
                "retail": {"normal": {"2024-01-01": Decimal("1.2")}, "foil": {"2024-01-02": 2}},
                "currency": "EUR",
            },
            "cardkingdom": {"retail": {"normal": {"2024-01-01": 9}}, "currency": "USD"},
        },
        "mtgo": {"cardhoarder": {"retail": {"normal": {"2024-01-01": Decimal("0.02")}}, "currency": "USD"}},
    }
    days, problems = mtgjson_points(entry)
    assert problems == []
    assert days == {
        date(2024, 1, 1): {"usd": 150, "usd_foil": 300, "eur": 120, "tix": 2},
        date(2024, 1, 2): {"usd_etched": 425, "eur_foil": 200},
    }


@pytest.mark.parametrize(
    ("entry", "expected", "problem"),
    [
        ("oops", {}, "not an object"),
        ({"paper": {"tcgplayer": {"retail": {"normal": {"2024-13-01": 1}}, "currency": "USD"}}}, {}, "2024-13-01"),
        ({"paper": {"tcgplayer": {"retail": {"normal": {"2024-01-01": "x"}}, "currency": "USD"}}}, {}, "not a number"),
        ({"paper": {"cardmarket": {"retail": {"normal": {"2024-01-01": 1}}, "currency": "USD"}}}, {}, "currency"),
        (
            {"paper": {"tcgplayer": {"retail": {"normal": {"2024-01-01": 1, "2024-01-02": -1}}, "currency": "USD"}}},
            {date(2024, 1, 1): {"usd": 100}},
            "negative",
        ),
        ({"paper": {"tcgplayer": "broken"}, "mtgo": {}}, {}, None),
    ],
)
def test_mtgjson_problems_are_reported_not_fatal(
    entry: Any, expected: dict[date, dict[str, int]], problem: str | None
) -> None:
    days, problems = mtgjson_points(entry)
    assert days == expected
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]
