"""The synthetic (benchmark-only) catalog generator: deterministic, self-consistent, Scryfall-shaped, flagged."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from mtg_tracker.catalog.synthetic import FORMATS, generate_cards, generate_sets, write_catalog

MULTI_FACE_LAYOUTS = {"transform", "modal_dfc", "split", "adventure", "flip"}
PRICE_KEYS = {"usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"}
SYMBOL = re.compile(r"\{([^}]+)\}")


@pytest.fixture(scope="module")
def cards() -> list[dict[str, Any]]:
    return list(generate_cards(6000, seed=7))


def mana_value(cost: str) -> int:
    """Mana value of a cost string as the rules count it: X is 0, hybrid 1, {2/W} 2, Phyrexian 1."""
    total = 0
    for symbol in SYMBOL.findall(cost):
        if symbol.isdigit():
            total += int(symbol)
        elif symbol in {"X", "Y", "Z"}:
            continue
        elif symbol.startswith("2/"):
            total += 2
        else:
            total += 1
    return total


def rules_text(card: dict[str, Any]) -> str:
    if "card_faces" in card:
        return "\n//\n".join(face["oracle_text"] for face in card["card_faces"])
    return str(card["oracle_text"])


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.json.gz", tmp_path / "b.json.gz", tmp_path / "c.json.gz"
    write_catalog(first, 800, seed=3)
    write_catalog(second, 800, seed=3)
    write_catalog(other, 800, seed=4)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_same_seed_gives_identical_cards() -> None:
    assert list(generate_cards(300, seed=11)) == list(generate_cards(300, seed=11))
    assert list(generate_cards(300, seed=11)) != list(generate_cards(300, seed=12))


def test_ids_are_distinct_uuids(cards: list[dict[str, Any]]) -> None:
    ids = [card["id"] for card in cards]
    assert len(set(ids)) == len(ids)
    for value in ids[:50] + [card["oracle_id"] for card in cards[:50]]:
        assert uuid.UUID(value).version == 4
    for key in ("tcgplayer_id", "cardmarket_id", "mtgo_id", "arena_id"):
        present = [card[key] for card in cards if key in card]
        assert len(set(present)) == len(present), key
    numbers = [(card["set"], card["collector_number"]) for card in cards]
    assert len(set(numbers)) == len(numbers)


def test_printings_of_an_oracle_card_agree(cards: list[dict[str, Any]]) -> None:
    by_oracle: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for card in cards:
        by_oracle[card["oracle_id"]].append(card)
    assert any(len(printings) > 1 for printings in by_oracle.values())
    for printings in by_oracle.values():
        first = printings[0]
        for other in printings[1:]:
            assert other["name"] == first["name"]
            assert rules_text(other) == rules_text(first)
            assert other["type_line"] == first["type_line"]
            assert other["color_identity"] == first["color_identity"]
            assert other["legalities"] == first["legalities"]
            assert other["reprint"] is True
        assert first["reprint"] is False
    # One oracle card, one name: names never collide across oracle ids.
    assert len({printings[0]["name"] for printings in by_oracle.values()}) == len(by_oracle)


def test_printings_per_oracle_card_look_like_scryfall() -> None:
    sample = list(generate_cards(20000, seed=1))
    per_oracle = Counter(card["oracle_id"] for card in sample)
    assert 1.8 < len(sample) / len(per_oracle) < 3.0  # 2.29 in the real 2019 dump
    assert Counter(per_oracle.values())[1] / len(per_oracle) > 0.45  # 58 % of real oracle cards have one printing
    multi_face = sum(1 for card in sample if card["layout"] in MULTI_FACE_LAYOUTS and not card["reprint"])
    assert 0.015 < multi_face / len(per_oracle) < 0.05
    assert Counter(card["lang"] for card in sample)["en"] / len(sample) > 0.9


def test_mana_value_matches_mana_cost(cards: list[dict[str, Any]]) -> None:
    checked = Counter[str]()
    for card in cards:
        layout = card["layout"]
        if layout in {"transform", "modal_dfc"}:
            expected = mana_value(card["card_faces"][0]["mana_cost"])
            assert "mana_cost" not in card
        elif layout == "split":
            expected = mana_value(card["mana_cost"])  # both halves count
            assert card["mana_cost"] == " // ".join(face["mana_cost"] for face in card["card_faces"])
        elif layout in {"adventure", "flip"}:
            expected = mana_value(card["card_faces"][0]["mana_cost"])
        else:
            expected = mana_value(card["mana_cost"])
        assert card["cmc"] == expected, (card["name"], card.get("mana_cost"), card["cmc"])
        checked[layout] += 1
    assert checked.keys() >= {"normal", "transform", "split", "adventure"}


def test_colours_follow_mana_cost_and_stay_within_identity(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        identity = set(card["color_identity"])
        assert card["color_identity"] == sorted(identity)
        sources = [card] if "colors" in card else []
        sources += [face for face in card.get("card_faces", []) if "colors" in face]
        assert sources, card["name"]
        for source in sources:
            assert set(source["colors"]) <= identity, card["name"]
        if card["layout"] == "normal" and card["mana_cost"]:
            in_cost = {c for symbol in SYMBOL.findall(card["mana_cost"]) for c in symbol.split("/") if c in "WUBRG"}
            assert set(card["colors"]) == in_cost, (card["name"], card["mana_cost"], card["colors"])


def test_every_card_and_set_is_flagged_synthetic(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        assert card["synthetic"] is True
        assert card["object"] == "card"
        assert re.fullmatch(r"zs\d{3,}", card["set"])
        assert card["set_name"].startswith("Synthetic Set ")
        assert ".invalid/" in card["uri"]
    sets = generate_sets(cards)
    assert {s["code"] for s in sets} == {card["set"] for card in cards}
    assert sum(s["card_count"] for s in sets) == len(cards)
    for set_obj in sets:
        assert set_obj["synthetic"] is True
        assert set_obj["object"] == "set"
        assert set_obj["name"] == f"Synthetic Set {int(set_obj['code'][2:]):04d}"
        assert {"id", "released_at", "set_type", "digital", "foil_only", "icon_svg_uri"} <= set_obj.keys()
    dates = [s["released_at"] for s in sets]
    assert dates == sorted(dates)
    assert dates[0] >= "1993-08-05" and dates[-1] <= "2025-12-31"


def test_multi_face_cards_have_faces(cards: list[dict[str, Any]]) -> None:
    multi = [card for card in cards if card["layout"] in MULTI_FACE_LAYOUTS]
    assert {card["layout"] for card in multi} >= {"transform", "modal_dfc", "split", "adventure"}
    for card in multi:
        faces = card["card_faces"]
        assert len(faces) >= 2
        assert card["name"] == " // ".join(face["name"] for face in faces)
        assert all(face["object"] == "card_face" for face in faces)
        if card["layout"] in {"transform", "modal_dfc"}:
            assert all("image_uris" in face for face in faces) and "image_uris" not in card
        else:
            assert "image_uris" in card
    assert all("card_faces" not in card for card in cards if card["layout"] not in MULTI_FACE_LAYOUTS)


def test_card_fields_are_scryfall_shaped(cards: list[dict[str, Any]]) -> None:
    stars = 0
    for card in cards:
        assert tuple(card["legalities"]) == FORMATS
        assert set(card["legalities"].values()) <= {"legal", "not_legal", "banned", "restricted"}
        assert set(card["prices"]) == PRICE_KEYS
        for value in card["prices"].values():
            assert value is None or re.fullmatch(r"\d+\.\d\d", value)
        assert card["finishes"] and set(card["finishes"]) <= {"nonfoil", "foil", "etched"}
        assert card["foil"] == ("foil" in card["finishes"]) and card["nonfoil"] == ("nonfoil" in card["finishes"])
        assert card["rarity"] in {"common", "uncommon", "rare", "mythic"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", card["released_at"])
        assert re.fullmatch(r"[A-Z]?\d+[as★]?", card["collector_number"])
        faces = card.get("card_faces", [card])
        for face in faces:
            type_line = face["type_line"]
            if "Creature" in type_line and "power" in face:
                stars += "*" in face["power"] + face["toughness"]
            if "Planeswalker" in type_line:
                assert face["loyalty"]
        if "Creature" in card["type_line"].split(" // ")[0] and card["layout"] != "modal_dfc":
            assert "power" in card or "power" in faces[0], card["name"]
    assert stars > 0
    assert any(card["prices"]["usd"] for card in cards) and any(card["prices"]["usd"] is None for card in cards)
    assert any(card.get("flavor_text") for card in cards)
    assert any(card.get("arena_id") for card in cards) and any("arena_id" not in card for card in cards)


@pytest.mark.parametrize("name", ["catalog.json", "catalog.json.gz"])
def test_written_file_is_a_json_array_of_n_cards(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    seen: list[int] = []
    assert write_catalog(path, 2345, seed=5, progress=seen.append) == 2345
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    data = json.loads(raw)
    assert isinstance(data, list) and len(data) == 2345
    assert data == json.loads(json.dumps(list(generate_cards(2345, seed=5))))
    assert seen[-1] == 2345


def test_zero_cards_write_an_empty_array(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    assert write_catalog(path, 0) == 0
    assert json.loads(path.read_bytes()) == []
    assert generate_sets([]) == []
    with pytest.raises(ValueError, match="n must be"):
        next(generate_cards(-1))
