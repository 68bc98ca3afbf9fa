"""The pure card normaliser, table-driven, on real card objects."""

from __future__ import annotations

import copy
import gzip
import json
from typing import Any

import orjson
import pytest

from mtg_tracker.catalog.normalize import (
    BadRecord,
    card_json,
    cents_to_price,
    collector_number_sort,
    normalize_card,
    normalize_name,
    numeric_stat,
    price_to_cents,
    render_prices,
)
from support import shared_data


@pytest.fixture(scope="module")
def modern_cards() -> dict[str, dict[str, Any]]:
    with gzip.open(shared_data("cards", "scryfall-cards-2025-sample.json.gz")) as f:
        data = json.load(f)
    items = data["data"] if isinstance(data, dict) else data
    return {c["name"]: c for c in items}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jace, the Mind Sculptor", "jace the mind sculptor"),
        ("Æther Vial", "aether vial"),
        ("Lim-Dûl's Vault", "limduls vault"),
        ("Fire // Ice", "fire // ice"),
        ("  Sol   Ring ", "sol ring"),
    ],
)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("value", "cents"),
    [("1.23", 123), ("0.05", 5), ("12000.00", 1200000), ("0.1", 10), (None, None), ("", None), (2, 200)],
)
def test_price_to_cents(value: Any, cents: int | None) -> None:
    assert price_to_cents(value) == cents


@pytest.mark.parametrize("value", ["abc", "-1.00"])
def test_bad_prices_refused(value: str) -> None:
    with pytest.raises(BadRecord):
        price_to_cents(value)


@pytest.mark.parametrize(("cents", "text"), [(123, "1.23"), (5, "0.05"), (100, "1.00"), (None, None)])
def test_cents_to_price(cents: int | None, text: str | None) -> None:
    assert cents_to_price(cents) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [("3", 3.0), ("1.5", 1.5), ("-1", -1.0), ("*", None), ("1+*", None), ("X", None), (None, None), ("½", 0.5)],
)
def test_numeric_stat(value: Any, number: float | None) -> None:
    assert numeric_stat(value) == number


@pytest.mark.parametrize(("cn", "sort"), [("161", 161), ("12a", 12), ("★", None), ("S1", None)])
def test_collector_number_sort(cn: str, sort: int | None) -> None:
    assert collector_number_sort(cn) == sort


def test_modern_card_round_trips_with_prices(modern_cards: dict[str, dict[str, Any]]) -> None:
    bolt = modern_cards["Lightning Bolt"]
    card = normalize_card(bolt)
    assert card.row["colors"] == 8 and card.row["cmc"] == 1.0 and card.row["type_line"] == "Instant"
    assert "prices" not in orjson.loads(card.data)
    body = orjson.loads(
        card_json(card.data, render_prices(card.row["price_style"], card.row["price_keys"], card.prices))
    )
    assert body == bolt  # every field back, prices included, nothing invented


def test_multi_face_card_fields(modern_cards: dict[str, dict[str, Any]]) -> None:
    dfc = next(c for c in modern_cards.values() if c["layout"] == "transform")
    card = normalize_card(dfc)
    faces = dfc["card_faces"]
    assert card.row["type_line"] == dfc.get("type_line") or " // ".join(f["type_line"] for f in faces)
    assert set(card.names) >= {normalize_name(f["name"]) for f in faces}
    assert card.row["colors"] != 0 or not any(f.get("colors") for f in faces)


def test_2019_schema_frame_effect_and_finishes() -> None:
    with gzip.open(shared_data("cards", "scryfall-default-cards-2019.json.gz"), "rb") as f:
        import ijson

        for obj in ijson.items(f, "item", use_float=True):
            if obj.get("frame_effect"):
                break
    card = normalize_card(obj)
    assert card.row["frame_effects"] == obj["frame_effect"]
    assert card.row["finishes"] == (1 if obj.get("nonfoil") else 0) | (2 if obj.get("foil") else 0)
    # Served in today's spelling; the source spelling stays in the kept source object.
    assert orjson.loads(card.data)["frame_effects"] == [obj["frame_effect"]]
    assert "frame_effect" not in orjson.loads(card.data)
    assert card.source is not None and orjson.loads(card.source)["frame_effect"] == obj["frame_effect"]


def test_2018_layout_with_top_level_prices(modern_cards: dict[str, dict[str, Any]]) -> None:
    # Scryfall's 2018 objects carried usd/eur/tix at the top level instead of a prices object.
    legacy = copy.deepcopy(modern_cards["Sol Ring"])
    prices = legacy.pop("prices")
    legacy.update({"usd": prices["usd"], "eur": prices["eur"], "tix": prices["tix"]})
    card = normalize_card(legacy)
    assert card.row["usd"] == price_to_cents(prices["usd"])
    body = orjson.loads(
        card_json(card.data, render_prices(card.row["price_style"], card.row["price_keys"], card.prices))
    )
    # Served as today's prices object (the source object with its top-level prices is kept beside it).
    assert body["prices"] == {k: prices[k] if k in ("usd", "eur", "tix") else None for k in prices}
    assert not {"usd", "eur", "tix"} & body.keys()
    assert card.source is not None and orjson.loads(card.source) == legacy


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda c: c.pop("id"), "no id"),
        (lambda c: c.update(id="not-a-uuid"), "is not a UUID"),
        (lambda c: c.pop("name"), "no name"),
        (lambda c: c.update(name=42), "no name"),
        (lambda c: c.update(cmc="three"), "cmc must be a number"),
        (lambda c: c.update(colors="R"), "colors must be a list"),
        (lambda c: c.update(released_at="yesterday"), "is not a date"),
        (lambda c: c.update(multiverse_ids=["x"]), "multiverse_ids"),
        (lambda c: c.update(object="set"), "not 'card'"),
        (lambda c: c.pop("collector_number"), "no collector_number"),
    ],
)
def test_bad_records_say_why(modern_cards: dict[str, dict[str, Any]], mutate: Any, reason: str) -> None:
    broken = copy.deepcopy(modern_cards["Lightning Bolt"])
    mutate(broken)
    with pytest.raises(BadRecord, match=reason):
        normalize_card(broken)


def test_not_an_object() -> None:
    with pytest.raises(BadRecord, match="not a JSON object"):
        normalize_card(["a"])


def test_hash_ignores_prices(modern_cards: dict[str, dict[str, Any]]) -> None:
    a = copy.deepcopy(modern_cards["Lightning Bolt"])
    b = copy.deepcopy(a)
    b["prices"]["usd"] = "999.99"
    assert normalize_card(a).content_hash == normalize_card(b).content_hash
    b["oracle_text"] = "changed"
    assert normalize_card(a).content_hash != normalize_card(b).content_hash
