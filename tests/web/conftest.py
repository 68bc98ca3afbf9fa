"""Web app fixtures: a client speaking to the pages like a browser without JavaScript would (HTTPS, so the
Secure cookies come back), real cards with a few days of prices, and form helpers."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from support import make_settings

FIRST_DAY = date(2026, 1, 20)
PRICE_DAYS = 5


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path, price={"webhook_allow_networks": ["127.0.0.1/32"]})


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", headers={"Accept": "text/html"}
    ) as client:
        yield client


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """The 2025 sample's real cards by name, imported on five days with prices rising a cent a day."""
    base = sample_2025()
    for offset in range(PRICE_DAYS):
        day_cards = copy.deepcopy(base)
        for card in day_cards:
            for key, value in (card.get("prices") or {}).items():
                if value is not None and key != "tix":
                    card["prices"][key] = str(Decimal(value) + Decimal(offset) / 100)
        path = write_json(tmp_path / f"cards-{offset}.json", day_cards)
        await import_cards(db, path, price_day=FIRST_DAY + timedelta(days=offset))
    return {card["name"]: card for card in base}
