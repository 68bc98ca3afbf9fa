"""Real cards (the 2023 search page and the 2025 sample) with their real 27 days of daily USD prices.

The daily file is filtered once per session to the 49 printings (87 series) those cards share with it,
so each backend imports a few thousand rows instead of 741,632.
"""

from __future__ import annotations

import csv
import lzma
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database
from mtg_tracker.price.backfill import import_csv
from support import shared_data

DAILY = ("prices", "daily-usd-2026-01-19_2026-02-14.csv.xz")


@pytest.fixture(scope="session")
def small_daily_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    items = sample_2025() + page_2023()
    ids = {c["id"] for c in items}
    out = tmp_path_factory.mktemp("forecast") / "daily-small.csv"
    with lzma.open(shared_data(*DAILY), "rt", encoding="utf-8", newline="") as src, out.open("w", newline="") as dst:
        reader = csv.DictReader(src)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["scryfall_id"] in ids:
                writer.writerow(row)
    return out


@pytest.fixture
async def priced(db: Database, tmp_path: Path, small_daily_csv: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items), price_day=date(2026, 1, 19))
    summary = await import_csv(db, small_daily_csv)
    assert summary.points_written > 1000
    return items
