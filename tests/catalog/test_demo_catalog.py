"""The built-in demo catalog: real Scryfall cards and sets, shipped with the package."""

from __future__ import annotations

import gzip
import importlib.util
import json
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from mtg_tracker.catalog.demo import CARDS_PATH, MISSING_SET_CODES, SETS_PATH
from support import shared_data

# Every major layout. ``modal_dfc`` (2020+) is in none of the real source files the demo is built from, so it
# is absent (scripts/build_demo_catalog.py reports it); the demo never invents cards.
REQUIRED_LAYOUTS = {
    "normal", "split", "flip", "transform", "meld", "adventure", "saga", "leveler", "token", "emblem", "planar",
    "scheme", "vanguard",
}  # fmt: skip
# Sets of demo cards newer than the 2021 /sets snapshot: left out of sets.json.gz, never invented.
EXPECTED_MISSING_SETS = {"bro", "clu", "cmm", "drc", "fdn", "mh2", "mid", "rvr", "woe"}
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_demo_catalog.py"


def _load(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rb") as fh:
        data = json.load(fh)
    assert isinstance(data, list)
    return data


@pytest.fixture(scope="module")
def cards() -> list[dict[str, Any]]:
    return _load(CARDS_PATH)


@pytest.fixture(scope="module")
def sets() -> list[dict[str, Any]]:
    return _load(SETS_PATH)


def _printing(cards: list[dict[str, Any]], name: str, set_code: str, lang: str = "en") -> dict[str, Any]:
    matches = [c for c in cards if c["name"] == name and c["set"] == set_code and c["lang"] == lang]
    assert len(matches) == 1, (name, set_code, lang, len(matches))
    return matches[0]


def _colours(card: dict[str, Any]) -> set[str]:
    if "colors" in card:
        return set(card["colors"])
    return {c for face in card.get("card_faces", []) for c in face.get("colors", [])}


def test_files_are_shipped_small_and_load(cards: list[dict[str, Any]], sets: list[dict[str, Any]]) -> None:
    assert CARDS_PATH.parent == SETS_PATH.parent
    assert CARDS_PATH.stat().st_size + SETS_PATH.stat().st_size < 400_000
    assert len(cards) >= 80
    assert all(card["object"] == "card" for card in cards)
    assert all(set_obj["object"] == "set" for set_obj in sets)
    assert not any(card.get("synthetic") for card in cards)


def test_ids_are_unique(cards: list[dict[str, Any]], sets: list[dict[str, Any]]) -> None:
    assert len({card["id"] for card in cards}) == len(cards)
    assert len({(c["set"], c["collector_number"], c["lang"]) for c in cards}) == len(cards)
    assert len({s["code"] for s in sets}) == len(sets)
    assert len({s["id"] for s in sets}) == len(sets)


def test_every_major_layout_is_present(cards: list[dict[str, Any]]) -> None:
    layouts = {card["layout"] for card in cards}
    assert layouts >= REQUIRED_LAYOUTS
    meld = {card["name"] for card in cards if card["layout"] == "meld"}
    assert meld == {"Bruna, the Fading Light", "Gisela, the Broken Blade", "Brisela, Voice of Nightmares"}


def test_every_colour_colourless_and_multicolour_are_present(cards: list[dict[str, Any]]) -> None:
    mono = {next(iter(_colours(c))) for c in cards if len(_colours(c)) == 1}
    assert mono == {"W", "U", "B", "R", "G"}
    assert any(not _colours(c) for c in cards if "Land" not in c["type_line"])
    assert any(len(_colours(c)) >= 2 for c in cards)


def test_every_card_set_has_a_set_object_except_the_documented_ones(
    cards: list[dict[str, Any]], sets: list[dict[str, Any]]
) -> None:
    card_sets = {card["set"] for card in cards}
    set_codes = {s["code"] for s in sets}
    assert set_codes <= card_sets  # exactly the sets of the demo cards, nothing more
    assert card_sets - set_codes == EXPECTED_MISSING_SETS == MISSING_SET_CODES
    by_code = {s["code"]: s for s in sets}
    for card in cards:
        if card["set"] in by_code:
            assert card["set_name"] == by_code[card["set"]]["name"]


def test_cards_are_sorted_by_set_release_then_collector_number(
    cards: list[dict[str, Any]], sets: list[dict[str, Any]]
) -> None:
    released = {s["code"]: s["released_at"] for s in sets}
    keys = [released.get(c["set"], c["released_at"]) for c in cards]
    assert keys == sorted(keys)


def test_well_known_cards_have_their_real_attributes(cards: list[dict[str, Any]]) -> None:
    bolt = _printing(cards, "Lightning Bolt", "lea")
    assert (bolt["mana_cost"], bolt["cmc"], bolt["type_line"]) == ("{R}", 1, "Instant")
    assert bolt["oracle_text"] == "Lightning Bolt deals 3 damage to any target."
    assert bolt["colors"] == ["R"] and bolt["rarity"] == "common"

    lotus = _printing(cards, "Black Lotus", "lea")
    assert lotus["cmc"] == 0 and lotus["reserved"] is True and lotus["type_line"] == "Artifact"

    delver = _printing(cards, "Delver of Secrets // Insectile Aberration", "isd")
    assert delver["layout"] == "transform"
    assert [face["name"] for face in delver["card_faces"]] == ["Delver of Secrets", "Insectile Aberration"]

    fire_ice = _printing(cards, "Fire // Ice", "apc")
    assert fire_ice["layout"] == "split" and fire_ice["mana_cost"] == "{1}{R} // {1}{U}" and fire_ice["cmc"] == 4

    jace = _printing(cards, "Jace, the Mind Sculptor", "wwk")
    assert jace["loyalty"] == "3" and jace["type_line"] == "Legendary Planeswalker — Jace"

    assert _printing(cards, "Sol Ring", "lea")["oracle_text"] == "{T}: Add {C}{C}."
    assert _printing(cards, "Underground Sea", "lea")["type_line"] == "Land — Island Swamp"
    assert _printing(cards, "Tarmogoyf", "fut")["power"] == "*"
    assert _printing(cards, "Brazen Borrower // Petty Theft", "eld")["layout"] == "adventure"
    assert _printing(cards, "History of Benalia", "dom")["layout"] == "saga"
    assert _printing(cards, "Bushi Tenderfoot // Kenzo the Hardhearted", "chk")["layout"] == "flip"

    names = {card["name"] for card in cards}
    staples = {
        "Counterspell", "Llanowar Elves", "Dark Ritual", "Swords to Plowshares", "Birds of Paradise", "Serra Angel",
        "Shivan Dragon", "Wrath of God", "Thoughtseize", "Snapcaster Mage", "Liliana of the Veil", "Ponder",
        "Brainstorm", "Giant Growth", "Path to Exile", "Doom Blade", "Shock", "Plains", "Island", "Swamp",
        "Mountain", "Forest", "Steam Vents", "Polluted Delta", "Scalding Tarn",
    }  # fmt: skip
    assert staples <= names


def test_several_printings_share_an_oracle_id(cards: list[dict[str, Any]]) -> None:
    prints: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for card in cards:
        prints[card["name"]].append(card)
    for name, at_least in (("Lightning Bolt", 4), ("Sol Ring", 3), ("Counterspell", 3)):
        assert len(prints[name]) >= at_least, name
        assert len({card["oracle_id"] for card in prints[name]}) == 1, name


def test_non_english_printings_and_real_prices(cards: list[dict[str, Any]]) -> None:
    foreign = {(c["name"], c["lang"]) for c in cards if c["lang"] != "en"}
    assert ("Lightning Bolt", "fr") in foreign and len(foreign) >= 2
    assert _printing(cards, "Lightning Bolt", "fbb", "fr")["printed_name"] == "Foudre"
    modern_bolt = _printing(cards, "Lightning Bolt", "clu")
    assert modern_bolt["prices"]["usd"] == "1.06"  # the real 2025 price, carried unaltered
    priced = [c for c in cards if any(v is not None for v in (c.get("prices") or {}).values())]
    assert len(priced) >= 10


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_demo_catalog", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.realdata
def test_committed_files_are_the_unaltered_real_data_and_reproducible(tmp_path: Path) -> None:
    data_dir = shared_data("cards")
    script = _build_script()
    selected, selected_sets, missing, _sources = script.select(data_dir)
    assert selected == _load(CARDS_PATH)  # exactly the source objects, nothing altered or invented
    assert selected_sets == _load(SETS_PATH)
    assert set(missing) == EXPECTED_MISSING_SETS
    script.write_json_gz(tmp_path / "cards.json.gz", selected)
    script.write_json_gz(tmp_path / "sets.json.gz", selected_sets)
    assert (tmp_path / "cards.json.gz").read_bytes() == CARDS_PATH.read_bytes()
    assert (tmp_path / "sets.json.gz").read_bytes() == SETS_PATH.read_bytes()
