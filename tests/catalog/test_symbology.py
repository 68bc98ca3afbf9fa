"""Card symbols and parse-mana: the rules (table-driven), the shipped list against the real data it was
built from, and the two routes over HTTP."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import httpx
import pytest

from mtg_tracker.catalog.symbology import ManaCostError, card_symbol, parse_mana, shipped
from support import error_body, shared_data

API = "/api/v1"
SYMBOLS = {s["symbol"]: s for s in shipped()["data"]}


@pytest.mark.parametrize(
    ("symbol", "fields"),
    [
        ("{W}", {"english": "one white mana", "mana_value": 1.0, "colors": ["W"], "loose_variant": "W"}),
        ("{2/G}", {"english": "two generic mana or one green mana", "mana_value": 2.0, "hybrid": True}),
        ("{W/U}", {"colors": ["W", "U"], "hybrid": True, "transposable": True, "phyrexian": False}),
        ("{R/P}", {"english": "one red mana or two life", "phyrexian": True, "hybrid": False, "colors": ["R"]}),
        ("{G/U/P}", {"colors": ["U", "G"], "hybrid": True, "phyrexian": True}),
        ("{T}", {"represents_mana": False, "mana_value": 0.0, "english": "tap this permanent"}),
        ("{HW}", {"mana_value": 0.5, "colors": ["W"], "represents_mana": True}),
        ("{12}", {"english": "twelve generic mana", "mana_value": 12.0, "colors": []}),
        ("{A}", {"represents_mana": False, "english": "the {A} symbol"}),
    ],
)
def test_card_symbol_rules(symbol: str, fields: dict[str, Any]) -> None:
    obj = card_symbol(symbol, in_mana_costs=True, funny=False)
    assert obj["object"] == "card_symbol" and obj["symbol"] == symbol
    assert {k: obj[k] for k in fields} == fields


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        ("2WW", ("{2}{W}{W}", 4.0, ["W"])),
        ("{2}{w}{w}", ("{2}{W}{W}", 4.0, ["W"])),
        ("2{g}2", ("{4}{G}", 5.0, ["G"])),
        ("RUx", ("{X}{R}{U}", 2.0, ["U", "R"])),
        ("{W/U}{2/B}", ("{W/U}{2/B}", 3.0, ["W", "U", "B"])),
        ("0", ("{0}", 0.0, [])),
        ("{C}{C}", ("{C}{C}", 2.0, [])),
        ("{R/P}", ("{R/P}", 1.0, ["R"])),
    ],
)
def test_parse_mana(cost: str, expected: tuple[str, float, list[str]]) -> None:
    result = parse_mana(cost, SYMBOLS)
    assert (result["cost"], result["cmc"], result["colors"]) == expected
    assert result["monocolored"] == (len(expected[2]) == 1) and result["colorless"] == (not expected[2])


@pytest.mark.parametrize("cost", ["", "   ", "{T}", "{Q}2", "2K", "{W", "hello"])
def test_parse_mana_refuses_what_is_no_cost(cost: str) -> None:
    with pytest.raises(ManaCostError):
        parse_mana(cost, SYMBOLS)


def test_shipped_list_covers_every_symbol_of_the_real_costs() -> None:
    """Every symbol in the real 2019 catalog's mana costs is listed, and marked as appearing in costs."""
    with gzip.open(shared_data("cards", "scryfall-default-cards-2019.json.gz")) as fh:
        cards = json.load(fh)
    used = {
        s
        for c in cards
        for part in [c, *(c.get("card_faces") or [])]
        for s in re.findall(r"\{[^}]+\}", part.get("mana_cost") or "")
    }
    assert used and used <= set(SYMBOLS)
    assert all(SYMBOLS[s]["appears_in_mana_costs"] for s in used)
    assert SYMBOLS["{T}"]["appears_in_mana_costs"] is False


async def test_symbology_route(client: httpx.AsyncClient) -> None:
    resp = await client.get(f"{API}/symbology")
    assert resp.status_code == 200 and resp.headers["etag"]
    body = resp.json()
    assert body["object"] == "list" and body["has_more"] is False
    assert {s["symbol"] for s in body["data"]} == set(SYMBOLS)
    assert all(s["object"] == "card_symbol" for s in body["data"])


async def test_parse_mana_route(client: httpx.AsyncClient) -> None:
    resp = await client.get(f"{API}/symbology/parse-mana", params={"cost": "2{g}2"})
    assert resp.status_code == 200
    assert resp.json() == {
        "object": "mana_cost",
        "cost": "{4}{G}",
        "cmc": 5.0,
        "colors": ["G"],
        "colorless": False,
        "monocolored": True,
        "multicolored": False,
    }
    body = error_body(await client.get(f"{API}/symbology/parse-mana", params={"cost": "{T}"}), 400)
    assert "{T}" in body["details"]
    error_body(await client.get(f"{API}/symbology/parse-mana"), 400)
