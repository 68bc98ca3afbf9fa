from __future__ import annotations

import pytest

from mtg_tracker.catalog.names import NameIndex
from mtg_tracker.catalog.normalize import normalize_name

NAMES = [
    "Jace, the Mind Sculptor",
    "Jace Beleren",
    "Jace, Vryn's Prodigy // Jace, Telepath Unbound",
    "Lightning Bolt",
    "Lightning Helix",
    "Lightning Greaves",
    "Sol Ring",
    "Delver of Secrets // Insectile Aberration",
    "Fire // Ice",
    "Goblin",
    "Goblin Guide",
    "Æther Vial",
    "Thalia, Guardian of Thraben",
]
EXTRAS = {"Goblin"}


def _index() -> NameIndex:
    rows = []
    for full in NAMES:
        rows.append((normalize_name(full), full, full in EXTRAS))
        if " // " in full:
            rows.extend((normalize_name(face), full, False) for face in full.split(" // "))
    return NameIndex(rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jace, the mind sculptor", "Jace, the Mind Sculptor"),
        ("jac th mind", "Jace, the Mind Sculptor"),
        ("lightning bo", "Lightning Bolt"),
        ("lightnig bolt", "Lightning Bolt"),
        ("insectile aberration", "Delver of Secrets // Insectile Aberration"),
        ("aether vial", "Æther Vial"),
        ("ICE", "Fire // Ice"),
        ("sol rin", "Sol Ring"),
        ("goblin gui", "Goblin Guide"),
    ],
)
def test_fuzzy_finds_one(query: str, expected: str) -> None:
    result = _index().fuzzy(query)
    assert result.name == expected, result


@pytest.mark.parametrize("query", ["jace", "lightning"])
def test_fuzzy_ambiguous(query: str) -> None:
    result = _index().fuzzy(query)
    assert result.ambiguous and result.name is None and len(result.candidates) >= 2


@pytest.mark.parametrize("query", ["zzzzqqq", "", "   "])
def test_fuzzy_nothing(query: str) -> None:
    result = _index().fuzzy(query)
    assert result.name is None and not result.ambiguous


def test_exact_matches_faces_case_insensitive() -> None:
    idx = _index()
    assert idx.exact("DELVER OF SECRETS") == "Delver of Secrets // Insectile Aberration"
    assert idx.exact("delver of secret") is None


def test_autocomplete_prefix_first_then_contains() -> None:
    idx = _index()
    assert idx.autocomplete("li") == [
        "Lightning Bolt",
        "Lightning Greaves",
        "Lightning Helix",  # names starting with "li"
        "Goblin Guide",
        "Thalia, Guardian of Thraben",  # then names containing it
    ]
    got = idx.autocomplete("ring")
    assert got == ["Sol Ring"]
    assert idx.autocomplete("g")[:1] == []  # fewer than two characters
    assert "Goblin" not in idx.autocomplete("gob")
    assert "Goblin" in idx.autocomplete("gob", include_extras=True)


def test_autocomplete_caps_at_20() -> None:
    idx = NameIndex((normalize_name(f"Card {i:03d}"), f"Card {i:03d}", False) for i in range(50))
    assert len(idx.autocomplete("card")) == 20
