from __future__ import annotations

import pytest

from mtg_tracker.catalog.catalogs import KEYWORD_CATALOGS, build, flavor_words, type_catalogs


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flying\nAcid Breath — When this enters, destroy target creature.", ["Acid Breath"]),
        ("Gift of Tiamat — Whenever …", ["Gift of Tiamat"]),  # Gift alone is a keyword; the phrase is not
        ("Landfall — Whenever a land you control enters, …", []),  # an ability word
        ("Boast — {1}{R}: …", []),  # a keyword with a dash cost
        ("I, II — Draw a card.\nIII — Discard a card.", []),  # Saga chapters
        ("Choose one —\n• Destroy target artifact.", []),  # modal spells
        ("Kicker {2}{G} (You may pay …)", []),
    ],
)
def test_flavor_words(text: str, expected: list[str]) -> None:
    assert flavor_words([text]) == expected


@pytest.mark.parametrize(
    ("name", "member"),
    [("keyword-abilities", "Flying"), ("keyword-actions", "Scry"), ("ability-words", "Landfall")],
)
def test_keyword_catalogs_are_scryfalls_lists(name: str, member: str) -> None:
    values = build(name, [])
    assert member in values and values == sorted(values, key=str.casefold)
    others = {n for n in KEYWORD_CATALOGS if n != name}
    assert all(member not in build(other, []) for other in others)
