"""format=text|image on card routes and format=csv|text on search: the pure renderers (table-driven) and
the routes over HTTP on SQLite and PostgreSQL with real cards."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog import cardtext
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database
from support import error_body

API = "/api/v1"

BOLT = {
    "name": "Lightning Bolt",
    "mana_cost": "{R}",
    "type_line": "Instant",
    "oracle_text": "Lightning Bolt deals 3 damage to any target.",
}
BEARS = {"name": "Grizzly Bears", "mana_cost": "{1}{G}", "type_line": "Creature — Bear", "power": "2", "toughness": "2"}
TWO_FACES = {
    "name": "A // B",
    "card_faces": [
        {"name": "A", "mana_cost": "{W}", "type_line": "Creature — Human", "power": "1", "toughness": "1"},
        {"name": "B", "mana_cost": "", "type_line": "Planeswalker — B", "oracle_text": "+1: Draw.", "loyalty": "3"},
    ],
}


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        (BOLT, "Lightning Bolt {R}\nInstant\nLightning Bolt deals 3 damage to any target."),
        (BEARS, "Grizzly Bears {1}{G}\nCreature — Bear\n2/2"),
        (TWO_FACES, "A {W}\nCreature — Human\n1/1\n----\nB\nPlaneswalker — B\n+1: Draw.\nLoyalty: 3"),
        ({"name": "Forest", "type_line": "Basic Land — Forest", "mana_cost": ""}, "Forest\nBasic Land — Forest"),
    ],
)
def test_card_text(card: dict[str, Any], expected: str) -> None:
    assert cardtext.card_text(card) == expected


IMAGES = {"small": "https://img/s.jpg", "large": "https://img/l.jpg"}


@pytest.mark.parametrize(
    ("card", "version", "face", "expected"),
    [
        ({"image_uris": IMAGES}, "small", None, "https://img/s.jpg"),
        ({"image_uris": IMAGES}, "large", "front", "https://img/l.jpg"),
        (
            {"card_faces": [{"image_uris": IMAGES}, {"image_uris": {"large": "https://img/b.jpg"}}]},
            "large",
            "back",
            "https://img/b.jpg",
        ),
        (
            {"card_faces": [{"image_uris": IMAGES}, {"image_uris": {"large": "https://img/b.jpg"}}]},
            "small",
            None,
            "https://img/s.jpg",
        ),
        ({"image_uris": IMAGES}, "large", "back", cardtext.NoSuchFace),
        ({"image_uris": IMAGES}, "png", None, cardtext.NoImage),
        ({}, "large", None, cardtext.NoImage),
    ],
)
def test_image_uri(card: dict[str, Any], version: str, face: str | None, expected: Any) -> None:
    if isinstance(expected, str):
        assert cardtext.image_uri(card, version, face) == expected
    else:
        with pytest.raises(expected):
            cardtext.image_uri(card, version, face)


def test_csv_quotes_multiline_text_and_joins_lists() -> None:
    card = {**BOLT, "id": "x", "colors": ["R"], "cmc": 1.0, "prices": {"usd": "1.50", "eur": None}}
    rows = list(csv.DictReader(io.StringIO(cardtext.cards_csv([card, {**TWO_FACES, "id": "y"}]))))
    assert rows[0]["colors"] == "R" and rows[0]["cmc"] == "1" and rows[0]["usd"] == "1.50" and rows[0]["eur"] == ""
    assert rows[1]["type_line"] == "Creature — Human // Planeswalker — B"
    assert rows[1]["oracle_text"] == "\n//\n+1: Draw."
    assert list(rows[0]) == list(cardtext.CSV_COLUMNS)


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    return items


def _named(cards: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in cards if c["name"] == name)


async def test_card_image_redirects_to_the_stored_uri(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    bolt = _named(cards, "Lightning Bolt")
    resp = await client.get(f"{API}/cards/{bolt['id']}", params={"format": "image"})
    assert resp.status_code == 302
    assert resp.headers["location"] == bolt["image_uris"]["large"] == resp.headers["x-scryfall-card-image"]
    resp = await client.get(f"{API}/cards/{bolt['set']}/{bolt['collector_number']}?format=image&version=small")
    assert resp.status_code == 302 and resp.headers["location"] == bolt["image_uris"]["small"]
    resp = await client.get(f"{API}/cards/named?exact=Lightning Bolt&format=image&version=art_crop")
    assert resp.status_code == 302 and "/art_crop/" in resp.headers["location"]


async def test_back_face_image(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    dfc = next(c for c in cards if c.get("card_faces") and c["card_faces"][1].get("image_uris"))
    resp = await client.get(f"{API}/cards/{dfc['id']}?format=image&face=back&version=normal")
    assert resp.status_code == 302 and resp.headers["location"] == dfc["card_faces"][1]["image_uris"]["normal"]
    bolt = _named(cards, "Lightning Bolt")
    error_body(await client.get(f"{API}/cards/{bolt['id']}?format=image&face=back"), 422)


@pytest.mark.parametrize("query", ["format=xml", "format=image&version=huge", "format=image&face=side"])
async def test_bad_format_parameters_are_400(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], query: str
) -> None:
    bolt = _named(cards, "Lightning Bolt")
    error_body(await client.get(f"{API}/cards/{bolt['id']}?{query}"), 400)


async def test_card_format_text(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    bolt = _named(cards, "Lightning Bolt")
    resp = await client.get(f"{API}/cards/{bolt['id']}?format=text")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    assert resp.text == f"Lightning Bolt {{R}}\nInstant\n{bolt['oracle_text']}\n"
    hound = _named(cards, "Hound Tamer // Untamed Pup")
    text = (await client.get(f"{API}/cards/{hound['id']}?format=text")).text
    assert text.startswith("Hound Tamer ") and "\n----\nUntamed Pup" in text
    if bolt.get("mtgo_id"):
        assert (await client.get(f"{API}/cards/mtgo/{bolt['mtgo_id']}?format=text")).text == resp.text


async def test_search_csv(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": "t:dragon", "format": "csv"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    json_page = (await client.get(f"{API}/cards/search", params={"q": "t:dragon"})).json()
    assert [r["id"] for r in rows] == [c["id"] for c in json_page["data"]]
    assert resp.headers["x-total-cards"] == str(json_page["total_cards"])
    assert all("Dragon" in r["type_line"] for r in rows)


async def test_search_text_and_warnings(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    resp = await client.get(f"{API}/cards/search", params={"q": '!"Sol Ring" frobnicate:yes', "format": "text"})
    assert resp.status_code == 200, resp.text
    assert resp.text.startswith("Sol Ring {1}\nArtifact\n")
    assert "frobnicate" in resp.headers["warning"]
    error_body(await client.get(f"{API}/cards/search", params={"q": "t:dragon", "format": "xml"}), 400)
