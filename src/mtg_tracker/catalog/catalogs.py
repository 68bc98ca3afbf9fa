"""Scryfall's /catalog/* lists, derived from the catalog's own cards. Pure (the packaged keyword lists are
read once, lazily).

keyword-abilities, keyword-actions and ability-words need rules knowledge the bulk files do not carry:
they are Scryfall's own catalogs as MTGJSON republishes them (``data/keywords.json``, with its date).
flavor-words follow from the cards once those lists are known: see ``flavor_words``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

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

KEYWORD_CATALOGS = ("keyword-abilities", "keyword-actions", "ability-words")
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
        "flavor-words",
        *KEYWORD_CATALOGS,
    }
)


@cache
def keyword_lists() -> dict[str, list[str]]:
    """Scryfall's keyword catalogs shipped with the package (see data/keywords.json's meta for the date)."""
    raw = json.loads(resources.files("mtg_tracker.catalog.data").joinpath("keywords.json").read_text("utf-8"))
    return {name: list(raw[name]) for name in KEYWORD_CATALOGS}


# "Acid Breath — When …": an italic lead-in before an em dash. Ability words look the same, as do a few
# keywords with a dash cost (Boast —, Forecast —) and Saga chapters (I, II —).
_LEAD_IN = re.compile(r"^([^—•{}()\n]{2,40}?) — ", re.MULTILINE)
_CHAPTERS = re.compile(r"^[IVX]+(?:, [IVX]+)*$")


def flavor_words(oracle_texts: Iterable[str]) -> list[str]:
    """Flavor words: lead-ins before an em dash that are neither ability words nor keywords nor Saga
    chapters nor a modal "Choose …" — the words Scryfall's flavor-words catalog lists (AFR's "Acid
    Breath"), found in this catalog's own oracle texts."""
    lists = keyword_lists()
    known = {w.casefold() for name in KEYWORD_CATALOGS for w in lists[name]}
    found: set[str] = set()
    for text in oracle_texts:
        for match in _LEAD_IN.finditer(text):
            word = match.group(1).strip()
            # Only whole matches: "Gift of Tiamat" is a flavor word although Gift is a keyword.
            if word.casefold() in known or _CHAPTERS.match(word) or word.casefold().startswith("choose "):
                continue
            found.add(word)
    return sorted(found, key=str.casefold)


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
    if name in KEYWORD_CATALOGS:
        return sorted(keyword_lists()[name], key=str.casefold)
    items = [v for v in values if v]
    if name == "flavor-words":
        return flavor_words(items)
    if name == "word-bank":
        words: set[str] = set()
        for n in items:
            words.update(w for w in re.split(r"[\s/]+", n) if w)
        return sorted(words, key=str.casefold)
    if name in ("powers", "toughnesses", "loyalties", "card-names", "artist-names", "watermarks"):
        return sorted(set(items), key=str.casefold)
    return sorted(type_catalogs(items)[name], key=str.casefold)
