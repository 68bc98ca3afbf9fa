"""catalog.upgrade: old card and set objects brought to Scryfall's current schema (pure, table-driven)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mtg_tracker.catalog.normalize import normalize_card
from mtg_tracker.catalog.upgrade import (
    SET_ID_NAMESPACE,
    derive_keywords,
    derive_produced_mana,
    set_id_for,
    upgrade_card,
    upgrade_set,
)

ELVES_2019: dict[str, Any] = {
    "object": "card",
    "id": "3055e3a9-240e-42f6-8596-7b5b8c6d21c2",
    "oracle_id": "68954295-54e3-4303-a6bc-fc4547a4e3a3",
    "name": "Llanowar Elves",
    "lang": "en",
    "released_at": "1998-11-01",
    "uri": "https://api.scryfall.com/cards/3055e3a9-240e-42f6-8596-7b5b8c6d21c2",
    "layout": "normal",
    "highres_image": True,
    "image_uris": {"normal": "https://img.scryfall.com/cards/normal/en/ath/59.jpg"},
    "oracle_text": "{T}: Add {G}.",
    "foil": False,
    "nonfoil": True,
    "set": "ath",
    "set_uri": "https://api.scryfall.com/sets/49c9409d-5948-4c00-bd0a-bf3ebd50e23a",
    "collector_number": "59",
    "rarity": "common",
    "usd": "0.25",
    "tix": "0.02",
    "frame_effect": "legendary",
}


def test_a_2019_object_gains_every_current_field() -> None:
    out, changed = upgrade_card(ELVES_2019)
    assert out["finishes"] == ["nonfoil"]
    assert out["prices"] == {
        "usd": "0.25",
        "usd_foil": None,
        "usd_etched": None,
        "eur": None,
        "eur_foil": None,
        "tix": "0.02",
    }
    assert "usd" not in out and "tix" not in out  # moved into prices, as Scryfall did
    assert out["keywords"] == [] and out["produced_mana"] == ["G"]
    assert out["image_status"] == "highres_scan"
    assert out["set_id"] == "49c9409d-5948-4c00-bd0a-bf3ebd50e23a"  # from set_uri, Scryfall's real id
    assert out["set_type"] == "expansion"
    assert out["set_search_uri"] == "https://api.scryfall.com/cards/search?order=set&q=e%3Aath&unique=prints"
    assert out["frame_effects"] == ["legendary"] and "frame_effect" not in out
    assert out["booster"] is True and out["textless"] is False and out["variation"] is False
    assert out["card_back_id"] == "0aeebaf5-8c7d-4636-9e82-8c27447861f7"
    assert out["rulings_uri"].endswith("/cards/3055e3a9-240e-42f6-8596-7b5b8c6d21c2/rulings")
    assert out["prints_search_uri"].endswith("q=oracleid%3A68954295-54e3-4303-a6bc-fc4547a4e3a3&unique=prints")
    assert {"prices", "finishes", "keywords", "produced_mana", "set_id", "frame_effects"} <= set(changed)
    assert "usd" in ELVES_2019 and "keywords" not in ELVES_2019  # the input is left alone


def test_a_current_object_is_left_as_it_is() -> None:
    current, _ = upgrade_card(ELVES_2019)
    again, changed = upgrade_card(current)
    assert again == current and changed == []


def test_present_fields_are_trusted_and_missing_price_keys_added() -> None:
    obj = {**ELVES_2019, "keywords": ["Elf magic"], "finishes": ["etched"], "prices": {"usd": "1.00"}}
    out, changed = upgrade_card(obj)
    assert out["keywords"] == ["Elf magic"] and out["finishes"] == ["etched"]
    assert out["prices"]["usd"] == "1.00" and out["prices"]["eur_foil"] is None
    assert "keywords" not in changed and "prices" in changed


def test_set_types_from_a_sets_import_beat_the_guess() -> None:
    assert upgrade_card(ELVES_2019, {"ath": "starter"})[0]["set_type"] == "starter"
    token = {**ELVES_2019, "layout": "token"}
    assert upgrade_card(token)[0]["set_type"] == "token"
    assert upgrade_card(token)[0]["booster"] is False


def test_double_faced_cards_have_no_shared_back() -> None:
    dfc = {**ELVES_2019, "layout": "transform", "card_faces": [{"name": "A", "mana_cost": ""}]}
    out, changed = upgrade_card(dfc)
    assert "card_back_id" not in out
    assert out["card_faces"][0]["object"] == "card_face" and "card_faces.object" in changed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flying", ["Flying"]),
        ("Flying, first strike\nWhenever this deals damage, scry 1.", ["Flying", "First strike", "Scry"]),
        ("Protection from red", ["Protection"]),
        ("Kicker {2}{R} (You may pay an additional {2}{R} as you cast this spell.)", ["Kicker"]),
        ("Equip {2}", ["Equip"]),
        ("Landfall — Whenever a land enters the battlefield under your control, you gain 1 life.", ["Landfall"]),
        ("Creatures you control have flying.", []),  # a mention is not the card's own keyword
        ("Flying creatures you control get +1/+1.", []),
        ("Target creature fights another target creature.", ["Fight"]),
        ("Its converted mana cost is 3.", []),  # "converted" is no keyword action
        ("Islandwalk", ["Islandwalk"]),
        ("Enchant creature\nEnchanted creature gets +2/+2.", ["Enchant"]),
    ],
)
def test_keywords_from_oracle_text(text: str, expected: list[str]) -> None:
    assert derive_keywords([text]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{T}: Add {G}.", ["G"]),
        ("{T}: Add {C}.\n{T}, Pay 1 life: Add {W} or {U}.", ["C", "U", "W"]),
        ("{T}: Add one mana of any color.", ["B", "G", "R", "U", "W"]),
        ("Add {B}{B}{B}.", ["B"]),
        ("Destroy target land. Its controller loses 2 life.", None),
        ("Flying", None),
    ],
)
def test_produced_mana_from_mana_abilities(text: str, expected: list[str] | None) -> None:
    assert derive_produced_mana([text]) == expected


def test_set_ids_come_from_set_uri_else_a_stable_uuid5() -> None:
    assert set_id_for("ath", "https://api.scryfall.com/sets/49c9409d-5948-4c00-bd0a-bf3ebd50e23a") == (
        "49c9409d-5948-4c00-bd0a-bf3ebd50e23a"
    )
    assert set_id_for("ATH", None) == str(uuid.uuid5(SET_ID_NAMESPACE, "ath")) == set_id_for("ath", "bogus")


def test_a_set_known_from_cards_gets_every_set_field() -> None:
    out = upgrade_set({"object": "set", "id": None, "code": "ath", "name": "Anthologies"}, nonfoil_only=True)
    assert out["id"] == set_id_for("ath", None)
    assert out["uri"] == f"https://api.scryfall.com/sets/{out['id']}"
    assert out["search_uri"].endswith("q=e%3Aath&unique=prints")
    assert out["scryfall_uri"] == "https://scryfall.com/sets/ath"
    assert out["icon_svg_uri"].endswith("/ath.svg")
    assert out["nonfoil_only"] is True and out["foil_only"] is False
    assert out["set_type"] == "expansion" and out["card_count"] == 0 and out["digital"] is False


def test_normalize_keeps_the_source_and_hashes_it() -> None:
    card = normalize_card(ELVES_2019)
    assert card.source is not None and b'"usd":"0.25"' in card.source
    assert b'"keywords":[]' in card.data and b'"usd":' not in card.data.split(b'"prices"')[0]
    assert card.row["usd"] == 25 and card.row["tix"] == 2
    assert "keywords" in card.upgraded
    current = normalize_card(upgrade_card(ELVES_2019)[0])
    assert current.source is None and current.upgraded == []
