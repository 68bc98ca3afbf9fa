"""Marketplace fixtures: two real printings (nonfoil and foil) in the catalog, and the ``Market`` helper."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import sample_2025, write_json
from markettools import Market
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    out = []
    for i, card in enumerate(sample_2025()[:2]):
        card = copy.deepcopy(card)
        card["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"marketplace-test-{i}"))
        card["finishes"], card["foil"], card["nonfoil"] = ["nonfoil", "foil"], True, True
        out.append(card)
    await import_cards(db, write_json(tmp_path / "cards.json", out), price_day=date(2026, 1, 25))
    return out


@pytest.fixture
def market(client: httpx.AsyncClient, cards: list[dict[str, Any]], db: Database, settings: Settings) -> Market:
    return Market(client, cards, db, settings)
