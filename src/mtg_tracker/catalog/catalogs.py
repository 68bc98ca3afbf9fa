"""Scryfall's /catalog/* lists, derived from the catalog's own cards. Pure.

Only catalogs that follow from card data are offered; keyword-abilities/actions and ability-words need
rules knowledge that the bulk files do not carry, so they are absent rather than approximated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SUPERTYPES = frozenset({"Basic", "Legendary", "Ongoing", "Snow", "World", "Elite", "Host"})
CARD_TYPES = frozenset(
    {
        "Artifact",
        "Battle",
        "Conspiracy",
        "Creature",
        "Dungeon",
        "Emblem",
        "Enchantment",
        "Hero",
        "Instant",
        "Kindred",
        "Land",
        "Phenomenon",
        "Plane",
        "Planeswalker",
        "Scheme",
        "Sorcery",
        "Tribal",
        "Vanguard",
    }
)
# Which card type a subtype after the dash belongs to; Kindred/Tribal spells carry creature types.
_SUBTYPE_CATALOG = {
    "Creature": "creature-types",
    "Kindred": "creature-types",
    "Tribal": "creature-types",
    "Planeswalker": "planeswalker-types",
    "Land": "land-types",
    "Artifact": "artifact-types",
    "Enchantment": "enchantment-types",
    "Instant": "spell-types",
    "Sorcery": "spell-types",
    "Battle": "battle-types",
}
# Multi-word subtypes that must not be split on spaces.
_MULTIWORD = ("Time Lord", "Urza's")

CATALOGS = frozenset(
    {
        "card-names",
        "artist-names",
        "word-bank",
        "creature-types",
        "planeswalker-types",
        "land-types",
        "artifact-types",
        "enchantment-types",
        "spell-types",
        "battle-types",
        "powers",
        "toughnesses",
        "loyalties",
        "watermarks",
        "supertypes",
        "card-types",
    }
)


def _split_subtypes(text: str) -> list[str]:
    out: list[str] = []
    rest = text.strip()
    while rest:
        for multi in _MULTIWORD:
            if rest.startswith(multi + " ") or rest == multi:
                out.append(multi)
                rest = rest[len(multi) :].strip()
                break
        else:
            word, _, rest = rest.partition(" ")
            out.append(word)
            rest = rest.strip()
    return out


def type_catalogs(type_lines: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {name: set() for name in (*set(_SUBTYPE_CATALOG.values()), "supertypes", "card-types")}
    for line in type_lines:
        for face in line.split(" // "):
            left, _, right = face.partition("—")
            words = left.split()
            types = [w for w in words if w in CARD_TYPES]
            found["supertypes"].update(w for w in words if w in SUPERTYPES)
            found["card-types"].update(types)
            if not right.strip():
                continue
            if "Kindred" in types or "Tribal" in types:
                targets = {"creature-types"}  # a kindred spell's subtypes are creature types
            else:
                targets = {_SUBTYPE_CATALOG[t] for t in types if t in _SUBTYPE_CATALOG}
            for sub in _split_subtypes(right):
                if not sub[:1].isupper():
                    continue  # joke cards' prose ("and/or") is not a subtype
                for target in targets:
                    found[target].add(sub)
    return found


def build(name: str, values: Iterable[str]) -> list[str]:
    """The sorted catalog ``name`` from the column values the service selected for it."""
    items = [v for v in values if v]
    if name == "word-bank":
        words: set[str] = set()
        for n in items:
            words.update(w for w in re.split(r"[\s/]+", n) if w)
        return sorted(words, key=str.casefold)
    if name in ("powers", "toughnesses", "loyalties", "card-names", "artist-names", "watermarks"):
        return sorted(set(items), key=str.casefold)
    return sorted(type_catalogs(items)[name], key=str.casefold)
