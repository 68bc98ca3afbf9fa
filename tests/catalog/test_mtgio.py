"""magicthegathering.io v1 under /mtgio/v1: the calls mtgsdk makes (Card.find, Card.where(...).all(),
Set.all()) replayed over HTTP with real cards, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.catalog.mtgio import card_object
from mtg_tracker.kit.db import Database
from support import error_body, shared_data

BASE = "/mtgio/v1"


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    return items


async def _all(client: httpx.AsyncClient, resource: str, **params: Any) -> list[dict[str, Any]]:
    """mtgsdk's QueryBuilder.all(): page 1, 2, … until a page comes back empty."""
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        resp = await client.get(f"{BASE}/{resource}", params={**params, "page": page})
        assert resp.status_code == 200, resp.text
        items = resp.json()[resource]
        if not items:
            return out
        out.extend(items)
        page += 1


def test_card_object_shape() -> None:
    bolt = next(c for c in sample_2025() if c["name"] == "Lightning Bolt")
    obj = card_object(bolt)
    assert obj["name"] == "Lightning Bolt" and obj["manaCost"] == "{R}" and obj["colors"] == ["Red"]
    assert obj["types"] == ["Instant"] and obj["set"] == bolt["set"].upper() and obj["id"] == bolt["id"]
    assert {"format": "Modern", "legality": "Legal"} in obj["legalities"]
    hound = next(c for c in sample_2025() if c["name"] == "Hound Tamer // Untamed Pup")
    assert card_object(hound)["names"] == ["Hound Tamer", "Untamed Pup"]


async def test_card_find_by_id_and_multiverse_id(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    card = next(c for c in cards if c.get("multiverse_ids") and not c.get("card_faces"))
    for key in (card["id"], str(card["multiverse_ids"][0])):
        resp = await client.get(f"{BASE}/cards/{key}")
        assert resp.status_code == 200
        assert resp.json()["card"]["name"] == card["name"]
    error_body(await client.get(f"{BASE}/cards/00000000-0000-0000-0000-000000000000"), 404)
    error_body(await client.get(f"{BASE}/cards/nope"), 404)


async def test_card_where_all_pages_through(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    set_code = max({c["set"] for c in cards}, key=lambda s: sum(c["set"] == s for c in cards))
    expected = sorted(c["id"] for c in cards if c["set"] == set_code and c["lang"] == "en")
    found = await _all(client, "cards", set=set_code, pageSize=2)
    assert sorted(c["id"] for c in found) == expected and len(expected) > 2
    dragons = await _all(client, "cards", name="dragon", type="creature")
    assert dragons and all("dragon" in c["name"].lower() and "Creature" in c["types"] for c in dragons)
    named = await _all(client, "cards", set=set_code.upper(), name=found[0]["name"])
    assert found[0]["id"] in {c["id"] for c in named}


async def test_headers_and_colors(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    resp = await client.get(f"{BASE}/cards", params={"colors": "red", "pageSize": 3})
    total = int(resp.headers["total-count"])
    reds = [c for c in cards if c["lang"] == "en" and "R" in (c.get("colors") or [])]
    assert total >= len(reds) > 3 and 'rel="next"' in resp.headers["link"]
    assert all("Red" in c["colors"] for c in resp.json()["cards"])
    both = (await client.get(f"{BASE}/cards", params={"colors": "red,green", "pageSize": 100})).json()["cards"]
    assert all({"Red", "Green"} <= set(c["colors"]) for c in both)
    error_body(await client.get(f"{BASE}/cards", params={"colors": "purple"}), 400)
    error_body(await client.get(f"{BASE}/cards", params={"pageSize": 101}), 400)


async def test_sets_types_and_formats(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    sets = await _all(client, "sets")  # Set.all(): page 2 must come back empty
    assert len(sets) >= 666 and {"code", "name"} <= set(sets[0])
    assert len({s["code"] for s in sets}) == len(sets)
    paged = await _all(client, "sets", pageSize=100)
    assert [s["code"] for s in paged] == [s["code"] for s in sets]
    lea = (await client.get(f"{BASE}/sets/lea")).json()["set"]
    assert lea["name"] == "Limited Edition Alpha" and lea["code"] == "LEA"
    assert "Creature" in (await client.get(f"{BASE}/types")).json()["types"]
    assert "Legendary" in (await client.get(f"{BASE}/supertypes")).json()["supertypes"]
    assert "Dragon" in (await client.get(f"{BASE}/subtypes")).json()["subtypes"]
    assert "Modern" in (await client.get(f"{BASE}/formats")).json()["formats"]
