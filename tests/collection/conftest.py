"""Collection test fixtures: four real printings with prices and finishes set by the test, and users."""

from __future__ import annotations

import copy
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from accounts import login_headers
from cardfiles import sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database

# name -> (finishes, prices): chosen so every valuation rule has a case.
CARDS: dict[str, tuple[list[str], dict[str, str | None]]] = {
    "a": (["nonfoil", "foil"], {"usd": "1.00", "usd_foil": "3.00", "eur": "0.80", "eur_foil": None}),
    "b": (["nonfoil"], {"usd": "2.50", "usd_foil": None, "eur": "2.00", "eur_foil": None}),
    "c": (["nonfoil", "foil", "etched"], {"usd": "10.00", "usd_foil": None, "usd_etched": "20.00", "eur": None}),
    "d": (["nonfoil", "foil"], {"usd": None, "usd_foil": None, "eur": None, "eur_foil": None}),
}


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """key -> card object (real Scryfall cards with fresh ids, test-chosen finishes and prices)."""
    base = sample_2025()
    out: dict[str, dict[str, Any]] = {}
    for i, (key, (finishes, prices)) in enumerate(CARDS.items()):
        card = copy.deepcopy(base[i])
        card["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"collection-test-{key}"))
        card["finishes"] = finishes
        card["foil"] = "foil" in finishes
        card["nonfoil"] = "nonfoil" in finishes
        card["prices"] = {"usd": None, "usd_foil": None, "usd_etched": None, "eur": None, "eur_foil": None, "tix": None}
        card["prices"].update(prices)
        out[key] = card
    await import_cards(db, write_json(tmp_path / "cards.json", list(out.values())), price_day=date(2026, 1, 25))
    return out


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> dict[str, str]:
    return await login_headers(client)


@pytest.fixture
async def other(client: httpx.AsyncClient) -> dict[str, str]:
    return await login_headers(client)
