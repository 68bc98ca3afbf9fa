from __future__ import annotations

import pytest

from mtg_tracker.catalog.catalogs import build, type_catalogs


def test_type_catalogs_split_faces_and_attribute_subtypes() -> None:
    found = type_catalogs(
        [
            "Legendary Creature — Human Wizard",
            "Kindred Instant — Goblin",
            "Land — Forest Plains",
            "Artifact — Equipment",
            "Legendary Planeswalker — Jace",
            "Creature — Human Wizard // Creature — Human Insect",
            "Snow Land — Time Lord Island",
            "Enchantment — Aura",
            "Sorcery — Adventure",
        ]
    )
    assert {"Human", "Wizard", "Insect", "Goblin"} <= found["creature-types"]
    assert {"Forest", "Plains", "Island"} <= found["land-types"]
    assert found["artifact-types"] == {"Equipment"}
    assert found["planeswalker-types"] == {"Jace"}
    assert found["spell-types"] == {"Adventure"}  # Goblin on a kindred instant is a creature type
    assert {"Legendary", "Snow"} <= found["supertypes"]
    assert "Time Lord" in found["land-types"]


@pytest.mark.parametrize(
    ("name", "values", "expected"),
    [
        ("powers", ["2", "1", "*", "2"], ["*", "1", "2"]),
        ("word-bank", ["Fire // Ice", "Sol Ring"], ["Fire", "Ice", "Ring", "Sol"]),
        ("card-names", ["b", "A", "b"], ["A", "b"]),
    ],
)
def test_build(name: str, values: list[str], expected: list[str]) -> None:
    assert build(name, values) == expected
