"""Synthetic, Scryfall-shaped card catalog generator -- FOR BENCHMARKS ONLY, never real data.

Everything this module produces is invented. Every card object carries ``"synthetic": true``, belongs to a set
named like ``"Synthetic Set 0042"`` with a code like ``zs042``, has an invented name (made-up syllables), invented
ids and links under the reserved ``.invalid`` domain, so it can never be mistaken for (or merged with) real
Scryfall data. Use the real files of ``shared/data`` for correctness tests; use this to benchmark imports,
search and storage at sizes the real files do not reach (for example 150,000 printings).

The shape follows Scryfall's current card objects (``object``, ``id``, ``oracle_id``, ``layout``, ``card_faces``,
``legalities``, ``prices``, ...) and the distributions are small tables measured once from the real
2019 Scryfall "default cards" dump (``shared/data/cards/scryfall-default-cards-2019.json.gz``: 45,851
printings, 20,030 oracle ids, 435 sets), with the price ratios measured from the real 2023 ``/cards/search``
page. Where the 2019 dump cannot say (layouts and finishes introduced later, 2020-2025 release volume) the
comments say what was assumed.

Public API:

* :func:`generate_cards` yields ``n`` printings, deterministic for a given ``seed`` (``random.Random`` only);
* :func:`generate_sets` builds the matching set objects from those cards;
* :func:`write_catalog` streams ``n`` cards as a JSON array to a ``.json`` or ``.json.gz`` file.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gzip
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any, Final, Protocol

import orjson

__all__ = [
    "FORMATS",
    "SYNTHETIC_SET_PREFIX",
    "generate_cards",
    "generate_sets",
    "set_code",
    "set_name",
    "write_catalog",
]

Card = dict[str, Any]

# The 20 legality keys every generated card carries.
FORMATS: Final[tuple[str, ...]] = (
    "standard", "pioneer", "modern", "legacy", "vintage", "pauper", "commander", "brawl", "historic",
    "timeless", "alchemy", "penny", "oathbreaker", "duel", "oldschool", "premodern", "predh", "gladiator",
    "standardbrawl", "paupercommander",
)  # fmt: skip

SYNTHETIC_SET_PREFIX: Final = "zs"
API_BASE: Final = "https://api.synthetic.invalid"
WEB_BASE: Final = "https://synthetic.invalid"
IMG_BASE: Final = "https://cards.synthetic.invalid"
# Release dates of generated sets stop here ("today" for standard legality).
LAST_RELEASE: Final = dt.date(2025, 11, 28)
STANDARD_SINCE: Final = "2023-08-01"

# Printings per set: 45,851 printings / 435 sets in the 2019 dump.
PRINTINGS_PER_SET: Final = 105.4


def set_code(index: int) -> str:
    """The code of synthetic set ``index``: ``zs000``, ``zs042``, ... (a fourth digit past 999)."""
    return f"{SYNTHETIC_SET_PREFIX}{index:03d}"


def set_name(index: int) -> str:
    """The name of synthetic set ``index``: ``Synthetic Set 0042``."""
    return f"Synthetic Set {index:04d}"


# ---------------------------------------------------------------------------------------------------------------
# Distribution tables. Unless noted, measured from the 2019 Scryfall default-cards dump.
# ---------------------------------------------------------------------------------------------------------------


class _Table:
    """A weighted choice table: ``pick(rng)`` returns one value with probability proportional to its weight."""

    __slots__ = ("_cumulative", "_total", "_values")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self._values = [value for value, _ in pairs]
        self._cumulative = list(accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self._values[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


def _inverse_cdf(quantiles: Sequence[float], u: float) -> float:
    """Sample a value from evenly spaced quantiles (linear interpolation between them)."""
    position = u * (len(quantiles) - 1)
    low = int(position)
    if low >= len(quantiles) - 1:
        return quantiles[-1]
    return quantiles[low] + (quantiles[low + 1] - quantiles[low]) * (position - low)


# Printings per oracle id (histogram of the 2019 dump; mean 2.29; the 101-700 bucket is the basic lands).
_PRINTINGS_BUCKETS: Final = _Table(
    [
        ((1, 1), 11557), ((2, 2), 4054), ((3, 3), 1763), ((4, 4), 959), ((5, 5), 513), ((6, 6), 297),
        ((7, 7), 187), ((8, 8), 149), ((9, 10), 190), ((11, 15), 237), ((16, 25), 92), ((26, 50), 27),
        ((101, 700), 5),
    ]
)  # fmt: skip

# Layout per oracle card. Measured shares per oracle id in 2019: transform 0.52 %, split 0.42 %, token 0.67 %,
# adventure 0.15 %, leveler 0.12 %, flip 0.10 %, saga 0.07 %. modal_dfc did not exist in 2019 (2020) and later
# sets print many more double-faced cards, so the multi-face layouts are scaled to ~3 % of oracle cards.
_LAYOUTS: Final = _Table(
    [
        ("normal", 95.7), ("transform", 1.1), ("modal_dfc", 0.7), ("split", 0.6), ("adventure", 0.5),
        ("flip", 0.1), ("token", 0.67), ("saga", 0.3), ("leveler", 0.12),
    ]
)  # fmt: skip

# Rarity per printing (common 17,314, uncommon 12,747, rare 13,726, mythic 2,064).
_RARITY: Final = _Table([("common", 17314), ("uncommon", 12747), ("rare", 13726), ("mythic", 2064)])

# Language per printing ("default cards" holds English unless a printing exists only in another language).
_LANG: Final = _Table([("en", 44310), ("es", 825), ("fr", 428), ("it", 190), ("ja", 88), ("de", 2), ("ru", 2)])

# Printings per release year: 1993-2018 measured; 2019 measured to October (1,754) and completed pro rata;
# 2020-2025 assumed at the 2017-2018 level (the dump ends in 2019-10).
_YEAR_WEIGHTS: Final = (
    (1993, 1595), (1994, 1335), (1995, 1532), (1996, 1015), (1997, 1531), (1998, 1111), (1999, 1611),
    (2000, 913), (2001, 1221), (2002, 817), (2003, 1255), (2004, 957), (2005, 1791), (2006, 1119),
    (2007, 1474), (2008, 1273), (2009, 1465), (2010, 1717), (2011, 2079), (2012, 1405), (2013, 2053),
    (2014, 2693), (2015, 2668), (2016, 2770), (2017, 3305), (2018, 3392), (2019, 2300), (2020, 3350),
    (2021, 3350), (2022, 3350), (2023, 3350), (2024, 3350), (2025, 3000),
)  # fmt: skip

# Set type, weighted by the printings each type holds in the 2019 dump (joined with the 2021 /sets list).
_SET_TYPES: Final = _Table(
    [
        ("expansion", 18051), ("core", 6954), ("masters", 3577), ("promo", 3527), ("commander", 3219),
        ("box", 2222), ("memorabilia", 2040), ("duel_deck", 1943), ("starter", 938), ("draft_innovation", 937),
        ("funny", 546), ("planechase", 481), ("treasure_chest", 431), ("archenemy", 261), ("masterpiece", 217),
        ("from_the_vault", 157), ("premium_deck", 105), ("token", 56), ("spellbook", 8),
    ]
)  # fmt: skip
_SET_TYPES_FOR_STANDARD: Final = frozenset({"expansion", "core", "draft_innovation"})

# Games per printing (mtgo+paper 23,454; paper 14,346; mtgo 3,563; arena+mtgo+paper 2,415; none 2,029; arena 41).
_GAMES: Final = _Table(
    [
        (("paper", "mtgo"), 23454), (("paper",), 14346), (("mtgo",), 3563), (("paper", "mtgo", "arena"), 2415),
        ((), 2029), (("arena",), 41),
    ]
)  # fmt: skip

# (foil, nonfoil) per printing: both 23,564; nonfoil only 18,140; foil only 4,147.
_FOIL: Final = _Table([((True, True), 23564), ((False, True), 18140), ((True, False), 4147)])

# Main type line of the first printing of each oracle card (normal layout; lands handled separately).
_TYPES: Final = _Table(
    [
        ("Creature", 8879), ("Instant", 2417), ("Enchantment", 2237), ("Sorcery", 2188), ("Artifact", 1326),
        ("Legendary Creature", 843), ("Artifact Creature", 625), ("Legendary Planeswalker", 187),
        ("Enchantment Creature", 69), ("Legendary Artifact", 68), ("Snow Creature", 37),
        ("Legendary Enchantment", 30), ("World Enchantment", 26), ("Tribal Instant", 20),
        ("Legendary Enchantment Creature", 16), ("Tribal Sorcery", 16), ("Legendary Artifact Creature", 14),
        ("Tribal Enchantment", 13), ("Snow Enchantment", 7), ("Legendary Sorcery", 6), ("Tribal Artifact", 5),
    ]
)  # fmt: skip

# Creature subtypes (top 60 of the dump) and how many a creature has (1: 5,092; 2: 4,928; 3: 287).
_CREATURE_TYPES: Final = _Table(
    [
        ("Human", 2335), ("Warrior", 720), ("Wizard", 719), ("Soldier", 666), ("Zombie", 464), ("Spirit", 462),
        ("Elemental", 438), ("Cleric", 392), ("Elf", 390), ("Beast", 385), ("Shaman", 384), ("Goblin", 370),
        ("Knight", 318), ("Rogue", 263), ("Bird", 260), ("Vampire", 234), ("Merfolk", 214), ("Dragon", 201),
        ("Horror", 200), ("Druid", 188), ("Cat", 186), ("Insect", 168), ("Angel", 168), ("Giant", 158),
        ("Construct", 146), ("Scout", 140), ("Wall", 132), ("Eldrazi", 124), ("Artificer", 121), ("Golem", 115),
        ("Sliver", 110), ("Demon", 109), ("Shapeshifter", 97), ("Dinosaur", 97), ("Ally", 95), ("Pirate", 92),
        ("Ogre", 92), ("Wurm", 91), ("Faerie", 91), ("Drake", 88), ("Illusion", 87), ("Monk", 87),
        ("Minotaur", 86), ("Snake", 84), ("Avatar", 80), ("Archer", 78), ("Berserker", 77), ("Hound", 77),
        ("Treefolk", 70), ("Dwarf", 67), ("Drone", 62), ("Vedalken", 60), ("Centaur", 60), ("Elephant", 58),
        ("Kithkin", 58), ("Advisor", 56), ("Assassin", 56), ("Orc", 56), ("Spellshaper", 56), ("Rat", 55),
    ]
)  # fmt: skip
_CREATURE_TYPE_COUNT: Final = _Table([(1, 5092), (2, 4928), (3, 287)])

# Lands: 656 of the 20,030 oracle cards (Land, Legendary Land, Snow Land, Artifact Land, basic types).
_LAND_SHARE: Final = 656 / 20030
# Front faces of transforming cards (assumed: mostly creatures, as in the 2019 transform cards).
_TRANSFORM_FRONTS: Final = _Table(
    [("Creature", 80), ("Legendary Creature", 8), ("Enchantment", 5), ("Artifact", 4), ("Legendary Planeswalker", 3)]
)

# Subtypes of noncreature cards (share of the cards of that type; the rest have none).
_ARTIFACT_SUBTYPES: Final = _Table([("", 1071), ("Equipment", 256), ("Vehicle", 28)])
_ENCHANTMENT_SUBTYPES: Final = _Table([("", 1343), ("Aura", 898), ("Aura Curse", 28), ("Shrine", 5)])
_SPELL_SUBTYPES: Final = _Table([("", 2283), ("Arcane", 66), ("Trap", 20)])
_LAND_TYPES: Final = _Table(
    [("Land", 504), ("Legendary Land", 42), ("Land — Desert", 20), ("Land — Gate", 11), ("Snow Land", 8),
     ("Artifact Land", 6), ("Land — Lair", 5)]
)  # fmt: skip
# How many colours a (nonbasic) land's mana covers: 2: 229, 0: 221, 1: 177, 3: 28, 5: 1.
_LAND_COLOURS: Final = _Table([(2, 229), (0, 221), (1, 177), (3, 28), (5, 1)])

# Mana value per card kind (first printings, normal layout).
_CMC: Final[dict[str, _Table]] = {
    "Creature": _Table(
        [(0, 16), (1, 791), (2, 1917), (3, 2423), (4, 2217), (5, 1496), (6, 849), (7, 381), (8, 140), (9, 43),
         (10, 21), (11, 9), (12, 4), (13, 1), (15, 4), (16, 1)]
    ),
    "Artifact": _Table(
        [(0, 105), (1, 184), (2, 342), (3, 365), (4, 225), (5, 97), (6, 58), (7, 8), (8, 5), (9, 3), (10, 1),
         (12, 1), (15, 1)]
    ),
    "Sorcery": _Table(
        [(0, 27), (1, 270), (2, 382), (3, 452), (4, 415), (5, 310), (6, 177), (7, 80), (8, 30), (9, 17),
         (10, 10), (11, 1), (12, 1)]
    ),
    "Instant": _Table(
        [(0, 6), (1, 549), (2, 701), (3, 566), (4, 310), (5, 167), (6, 63), (7, 19), (8, 4), (9, 3), (14, 1)]
    ),
    "Enchantment": _Table(
        [(0, 2), (1, 317), (2, 579), (3, 651), (4, 429), (5, 197), (6, 85), (7, 24), (8, 7), (10, 1)]
    ),
    "Planeswalker": _Table([(0, 1), (2, 3), (3, 35), (4, 59), (5, 41), (6, 37), (7, 6), (8, 3)]),
}  # fmt: skip

# Number of colours: artifacts (0: 1,870; 1: 112; 2: 37; 3: 15; 4: 1; 5: 3) and other nonland cards
# (1: 14,621; 2: 1,631; 3: 243; 0: 226; 4: 9; 5: 26). The five colours are equally common (2,921-2,981 each).
_ARTIFACT_COLOUR_COUNT: Final = _Table([(0, 1870), (1, 112), (2, 37), (3, 15), (4, 1), (5, 3)])
_COLOUR_COUNT: Final = _Table([(1, 14621), (2, 1631), (3, 243), (0, 226), (4, 9), (5, 26)])
COLOURS: Final = ("W", "U", "B", "R", "G")
_HYBRID: Final = {
    frozenset("WU"): "W/U", frozenset("UB"): "U/B", frozenset("BR"): "B/R", frozenset("RG"): "R/G",
    frozenset("GW"): "G/W", frozenset("WB"): "W/B", frozenset("UR"): "U/R", frozenset("BG"): "B/G",
    frozenset("RW"): "R/W", frozenset("GU"): "G/U",
}  # fmt: skip
_BASIC_FOR: Final = {"W": "Plains", "U": "Island", "B": "Swamp", "R": "Mountain", "G": "Forest"}

# Power and toughness (creature first printings); "*" on 1.4 % of creatures.
_POWER: Final = _Table(
    [("2", 3229), ("1", 2309), ("3", 1905), ("4", 1081), ("5", 637), ("0", 527), ("6", 345), ("7", 141),
     ("8", 63), ("9", 26), ("10", 23), ("12", 7), ("11", 6)]
)  # fmt: skip
_TOUGHNESS: Final = _Table(
    [("2", 2717), ("1", 2526), ("3", 2093), ("4", 1397), ("5", 741), ("6", 384), ("0", 170), ("7", 154),
     ("8", 71), ("9", 27), ("10", 21), ("12", 7), ("11", 7)]
)  # fmt: skip
_STAR_PT: Final = _Table([(("*", "*"), 90), (("*", "*+1"), 10), (("1+*", "1+*"), 7), (("0", "*"), 20)])
_LOYALTY: Final = _Table([("5", 61), ("4", 61), ("3", 40), ("6", 9), ("7", 7), ("2", 4), ("X", 1)])

# Text lengths in characters: oracle text of normal first printings and flavour text of printings
# (quantiles 0, 5, 10, 20, ..., 90, 95, 99, 100 %). Flavour text is on 56 % of printings.
_ORACLE_LEN_Q: Final = (0, 31, 50, 70, 89, 107, 128, 150, 175, 207, 252, 290, 367, 769)
_ORACLE_LEN_U: Final = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
_FLAVOR_LEN_Q: Final = (5, 34, 42, 56, 66, 75, 84, 95, 106, 119, 143, 165, 217, 448)
_FLAVOR_SHARE: Final = 0.56

# Keyword abilities on creatures (share of creature oracle cards).
_KEYWORDS: Final = _Table(
    [("Flying", 1699), ("Trample", 411), ("Haste", 280), ("First strike", 198), ("Vigilance", 212),
     ("Flash", 146), ("Defender", 114), ("Deathtouch", 74), ("Lifelink", 73), ("Reach", 57), ("Menace", 41),
     ("Indestructible", 44), ("Double strike", 34), ("Hexproof", 19), ("Prowess", 30)]
)  # fmt: skip
_KEYWORD_SHARE: Final = 0.3

# Collector number shapes: digits 90.9 %, digit + letter 3.4 %, other (e.g. "12s") 3.1 %, letter prefix
# (e.g. "A12") 2.3 %, star 0.36 %.
_NUMBER_SHAPES: Final = _Table([("", 41675), ("a", 1553), ("s", 1424), ("prefix", 1034), ("★", 165)])

# Prices: log-normal USD per rarity, measured on the 996 priced printings of the 2019 dump (mean and standard
# deviation of ln(usd)); ratios foil/nonfoil, eur/usd and tix/usd measured on the real 2023 search page.
_USD_LOG: Final = {"common": (-1.581, 0.489), "uncommon": (-1.308, 0.589), "rare": (0.381, 1.064),
                   "mythic": (1.700, 1.165)}  # fmt: skip
_FOIL_RATIO_LOG: Final = (1.227, 0.936)
_EUR_RATIO_LOG: Final = (-0.157, 0.777)
_TIX_RATIO_LOG: Final = (-1.780, 1.750)

# Share of printings with each id (2019 dump): tcgplayer 84.6 %, mtgo 61.3 % (of mtgo printings: ~100 %),
# multiverse 77.8 % (two ids: 0.28 %); arena ids exist exactly for arena printings.
_TCGPLAYER_SHARE: Final = 0.846 / 0.87  # of paper printings (87 % of printings are on paper)
_CARDMARKET_SHARE: Final = 0.8  # of paper printings (not in the 2019 schema; assumed)
_MULTIVERSE_SHARE: Final = 0.778 / 0.87
_EDHREC_SHARE: Final = 0.90
_RESERVED_SHARE_EARLY: Final = 0.22  # 2.85 % of all oracle cards, all first printed 1993-1998

# Syllables and words for invented names and texts (deliberately not real card names).
_SYLLABLES: Final = (
    "ka", "vo", "ru", "th", "zel", "mir", "dra", "quo", "ven", "sil", "ax", "lor", "bre", "nym", "tav", "osk",
    "ul", "gri", "fen", "xa", "ith", "mor", "pel", "rha", "skor", "tyl", "ev", "jun", "cal", "dro", "wyn", "ist",
    "ob", "hal", "ner", "zu", "kre", "lum", "pha", "sed",
)  # fmt: skip
_CREATURE_NOUNS: Final = (
    "Warden", "Stalker", "Sentinel", "Seer", "Marauder", "Hatchling", "Colossus", "Drifter", "Reaver", "Adept",
    "Channeler", "Outrider", "Tracker", "Lurker", "Skirmisher", "Oracle", "Brute", "Prowler", "Acolyte", "Herald",
)  # fmt: skip
_SPELL_NOUNS: Final = (
    "Reckoning", "Gambit", "Tide", "Insight", "Ruin", "Blessing", "Surge", "Rebuke", "Inferno", "Growth",
    "Whisper", "Decree", "Bargain", "Torrent", "Verdict", "Echo", "Unmaking", "Summons", "Ward", "Lesson",
)  # fmt: skip
_THING_NOUNS: Final = (
    "Engine", "Idol", "Lantern", "Blade", "Crown", "Sigil", "Vault", "Totem", "Orb", "Codex", "Spire", "Mask",
)  # fmt: skip
_PLACE_NOUNS: Final = ("Reach", "Hollow", "Citadel", "Expanse", "Mire", "Foothills", "Sanctum", "Bastion", "Grove")
_TITLES: Final = (
    "the Unbowed", "Storm Sage", "Keeper of Ash", "the Wanderer", "Last of the Line", "Voice of Tides",
    "the Iron Will", "Dawnbringer", "Mind of Glass", "the Hungering",
)  # fmt: skip
_ARTIST_FIRST: Final = ("Ada", "Bren", "Cato", "Dela", "Evren", "Fia", "Gorin", "Hale", "Iska", "Joss", "Kael", "Lio")
_ARTIST_LAST: Final = ("Marrow", "Fenwick", "Oduya", "Quill", "Rasken", "Tollan", "Vey", "Wexley", "Yarrow", "Zint")
_FLAVOR_WORDS: Final = (
    "the", "storm", "of", "old", "remembers", "every", "name", "it", "has", "swallowed", "and", "no", "blade",
    "can", "cut", "silence", "from", "a", "song", "we", "walked", "until", "sky", "forgot", "stars", "ash",
    "river", "keeps", "its", "own", "counsel", "never", "twice", "same", "shadow", "falls", "light", "hunger",
    "waits", "beneath", "stone", "dawn", "came", "late", "that", "year",
)  # fmt: skip

# Rules-text fragments ({name}: the card's name; {n}: 1-4; {m}: 2-4 (plurals); {cost}: an activation cost).
_CREATURE_ABILITIES: Final = (
    "When {name} enters the battlefield, draw a card.",
    "When {name} enters the battlefield, target creature an opponent controls gets -{n}/-{n} until end of turn.",
    "Whenever {name} attacks, you gain {n} life.",
    "Whenever {name} deals combat damage to a player, that player discards a card.",
    "When {name} dies, create a 1/1 colorless Spirit creature token with flying.",
    "Whenever another creature you control dies, each opponent loses 1 life.",
    "{cost}, {T}: {name} deals {n} damage to any target.",
    "{cost}: {name} gets +{n}/+0 until end of turn.",
    "{cost}: Regenerate {name}.",
    "{name} can't be blocked by creatures with power {n} or greater.",
    "Other creatures you control get +1/+1.",
    "At the beginning of your upkeep, scry {n}.",
    "{cost}, Sacrifice {name}: Draw a card.",
)
_SPELL_EFFECTS: Final = (
    "{name} deals {n} damage to any target.",
    "Counter target spell unless its controller pays {{{n}}}.",
    "Destroy target creature. Its controller loses {n} life.",
    "Draw {m} cards, then discard a card.",
    "Target player mills {m} cards.",
    "Return target creature to its owner's hand.",
    "Search your library for a basic land card, put it onto the battlefield tapped, then shuffle.",
    "Target creature gets +{n}/+{n} until end of turn.",
    "Exile target artifact or enchantment.",
    "You gain {n} life.",
    "Create {m} 1/1 white Soldier creature tokens.",
    "Each opponent discards a card.",
    "Tap up to {m} target creatures. They don't untap during their controller's next untap step.",
)
_PERMANENT_ABILITIES: Final = (
    "At the beginning of your end step, you gain {n} life.",
    "Spells your opponents cast cost {{1}} more to cast.",
    "Whenever you cast an instant or sorcery spell, scry 1.",
    "{cost}, {T}: Draw a card, then discard a card.",
    "{cost}: Put a +1/+1 counter on target creature.",
    "Creatures your opponents control enter the battlefield tapped.",
    "{T}, Sacrifice {name}: Add {m} mana of any one color.",
)
_REMINDERS: Final = {
    "Flying": "(This creature can't be blocked except by creatures with flying or reach.)",
    "Lifelink": "(Damage dealt by this creature also causes you to gain that much life.)",
    "First strike": "(This creature deals combat damage before creatures without first strike.)",
    "Deathtouch": "(Any amount of damage this deals to a creature is enough to destroy it.)",
    "Reach": "(This creature can block creatures with flying.)",
    "Defender": "(This creature can't attack.)",
    "Haste": "(This creature can attack and {T} as soon as it comes under your control.)",
}
_REMINDER_SHARE: Final = 0.25
_LOYALTY_ABILITIES: Final = (
    (
        "+1",
        ("Draw a card.", "Untap up to two target lands.", "Scry {n}.", "You gain {n} life."),
    ),
    (
        "−{n}",
        (
            "Target creature gets -{n}/-{n} until end of turn.",
            "Create a 2/2 black Zombie creature token.",
            "{name} deals {n} damage to target creature or planeswalker.",
        ),
    ),
    (
        "−{u}",
        (
            'You get an emblem with "Creatures you control get +1/+1."',
            "Exile all permanents your opponents control.",
            "Target player's life total becomes {n}.",
        ),
    ),
)

# ---------------------------------------------------------------------------------------------------------------
# Sets
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SetInfo:
    index: int
    code: str
    name: str
    id: str
    released_at: str
    set_type: str
    games: tuple[str, ...]
    border_color: str
    frame: str


def _release_dates(count: int) -> list[str]:
    """``count`` release dates spread 1993-08 .. 2025-11 along the measured printings-per-year curve."""
    first_day = dt.date(1993, 8, 5)
    cumulative = list(accumulate(weight for _, weight in _YEAR_WEIGHTS))
    total = cumulative[-1]
    dates: list[str] = []
    for index in range(count):
        target = (index + 0.5) / count * total
        position = bisect.bisect_left(cumulative, target)
        year = _YEAR_WEIGHTS[position][0]
        before = cumulative[position - 1] if position else 0
        fraction = (target - before) / _YEAR_WEIGHTS[position][1]
        start = max(dt.date(year, 1, 1), first_day)
        end = min(dt.date(year, 12, 31), LAST_RELEASE)
        day = start + dt.timedelta(days=int(fraction * (end - start).days))
        dates.append(day.isoformat())
    return dates


def _frame_for(date: str) -> str:
    if date < "1997-06-09":
        return "1993"
    if date < "2003-07-28":
        return "1997"
    if date < "2014-07-18":
        return "2003"
    return "2015"


def _make_sets(count: int, rng: random.Random) -> list[_SetInfo]:
    sets: list[_SetInfo] = []
    for index, released in enumerate(_release_dates(count)):
        set_type: str = _SET_TYPES.pick(rng)
        games: tuple[str, ...] = _GAMES.pick(rng)
        if released < "2002-06-24":  # Magic Online launched in 2002, Arena in 2018
            games = tuple(g for g in games if g == "paper") or ("paper",)
        elif released < "2018-09-27":
            games = tuple(g for g in games if g != "arena") or ("mtgo",)
        if set_type == "funny":
            border = "silver"
        elif set_type == "memorabilia":
            border = "gold"
        elif set_type == "core" and "1994" <= released[:4] <= "2006":
            border = "white"
        elif set_type in {"promo", "masterpiece"} and rng.random() < 0.05:
            border = "borderless"
        else:
            border = "black"
        sets.append(
            _SetInfo(
                index=index,
                code=set_code(index),
                name=set_name(index),
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                released_at=released,
                set_type=set_type,
                games=games,
                border_color=border,
                frame=_frame_for(released),
            )
        )
    return sets


# ---------------------------------------------------------------------------------------------------------------
# Oracle cards (the rules object shared by all printings)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Face:
    name: str
    mana_cost: str
    cmc: int
    type_line: str
    oracle_text: str
    colors: list[str]
    keywords: list[str] = field(default_factory=list)
    power: str | None = None
    toughness: str | None = None
    loyalty: str | None = None
    color_indicator: list[str] | None = None
    # Colours of mana symbols in the rules text: they widen the colour identity, never the colours.
    identity_extra: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Oracle:
    oracle_id: str
    layout: str
    faces: list[_Face]
    identity: list[str]
    rarity: str
    value_z: float
    reserved: bool
    edhrec_rank: int | None
    legalities: dict[str, str]
    produced_mana: list[str] | None
    set_indices: list[int]
    rarities: list[str]
    illustration_id: str
    artist: str


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _word(index: int) -> str:
    """A unique invented word for each index (variable-length base-40 syllables, at least three)."""
    value = index + len(_SYLLABLES) ** 2  # skip the one- and two-syllable words
    parts: list[str] = []
    while value:
        value, digit = divmod(value, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize()


def _mana_cost(rng: random.Random, cmc: int, colours: list[str]) -> tuple[str, int]:
    """A mana cost of mana value ``cmc`` (X adds nothing) using exactly ``colours``; returns (cost, cmc)."""
    if not colours:
        if rng.random() < 0.016:
            return "{X}" + (f"{{{cmc}}}" if cmc else ""), cmc
        return f"{{{cmc}}}", cmc
    cmc = max(cmc, len(colours))
    extra_pips = min(cmc - len(colours), rng.choice((0, 0, 0, 1, 1, 2)))
    pips = list(colours) + [rng.choice(colours) for _ in range(extra_pips)]
    generic = cmc - len(pips)
    symbols: list[str]
    if len(colours) == 2 and rng.random() < 0.15:  # hybrid (~15 % of two-colour cards)
        hybrid = _HYBRID[frozenset(colours)]
        symbols = [hybrid] * len(pips)
    else:
        pips.sort(key=COLOURS.index)
        symbols = list(pips)
        if len(colours) == 1 and rng.random() < 0.003:  # Phyrexian mana
            symbols[0] = f"{symbols[0]}/P"
    prefix = "{X}" if rng.random() < 0.016 else ""
    generic_part = f"{{{generic}}}" if generic else ""
    return prefix + generic_part + "".join(f"{{{s}}}" for s in symbols), cmc


def _activation_cost(rng: random.Random, colours: list[str]) -> tuple[str, str | None]:
    """An activation cost; may add a colour symbol (possibly outside the card's colours: identity only)."""
    generic = rng.randint(1, 4)
    if colours:
        colour: str | None = rng.choice(colours)
    elif rng.random() < 0.15:
        colour = rng.choice(COLOURS)
    else:
        colour = None
    return f"{{{generic}}}" + (f"{{{colour}}}" if colour else ""), colour


def _fill_text(
    rng: random.Random, name: str, colours: list[str], pool: Sequence[str], target: int, extra: set[str]
) -> list[str]:
    """Rules-text lines until about ``target`` characters (a line that would overshoot by more than half is
    left out, so the lengths follow the measured distribution rather than running past it)."""
    lines: list[str] = []
    length = 0
    for template in rng.sample(pool, len(pool)):  # each ability at most once per face
        if length >= target:
            break
        cost, colour = _activation_cost(rng, colours)
        line = template.format(name=name, n=rng.randint(1, 4), m=rng.randint(2, 4), cost=cost, T="{T}")
        if lines and length + len(line) / 2 > target:
            break
        if "{cost}" in template and colour:
            extra.add(colour)
        lines.append(line)
        length += len(line) + 1
    return lines


def _oracle_length(rng: random.Random) -> int:
    u = rng.random()
    position = bisect.bisect_right(_ORACLE_LEN_U, u) - 1
    position = min(position, len(_ORACLE_LEN_U) - 2)
    span = _ORACLE_LEN_U[position + 1] - _ORACLE_LEN_U[position]
    fraction = (u - _ORACLE_LEN_U[position]) / span
    low, high = _ORACLE_LEN_Q[position], _ORACLE_LEN_Q[position + 1]
    return int(low + (high - low) * fraction)


def _pick_colours(rng: random.Random, type_line: str) -> list[str]:
    table = _ARTIFACT_COLOUR_COUNT if "Artifact" in type_line else _COLOUR_COUNT
    count: int = table.pick(rng)
    return sorted(rng.sample(COLOURS, count))


def _subtype_line(rng: random.Random, main: str, word: str) -> str:
    if "Creature" in main:
        count: int = _CREATURE_TYPE_COUNT.pick(rng)
        subtypes: list[str] = []
        while len(subtypes) < count:
            subtype: str = _CREATURE_TYPES.pick(rng)
            if subtype not in subtypes:
                subtypes.append(subtype)
        return " ".join(subtypes)
    if "Planeswalker" in main:
        return word
    if "Artifact" in main:
        return str(_ARTIFACT_SUBTYPES.pick(rng))
    if "Enchantment" in main:
        return str(_ENCHANTMENT_SUBTYPES.pick(rng))
    if "Instant" in main or "Sorcery" in main:
        return str(_SPELL_SUBTYPES.pick(rng))
    return ""


def _kind(main: str) -> str:
    for kind in ("Creature", "Planeswalker", "Instant", "Sorcery", "Enchantment", "Artifact"):
        if kind in main:
            return kind
    return "Enchantment"


def _power_toughness(rng: random.Random, cmc: int) -> tuple[str, str]:
    if rng.random() < 0.014:
        pair: tuple[str, str] = _STAR_PT.pick(rng)
        return pair
    # The measured marginals, shifted towards the mana value (bigger creatures cost more).
    power = int(_POWER.pick(rng))
    toughness = int(_TOUGHNESS.pick(rng))
    power = max(0, round((power + cmc) / 2 + rng.gauss(0, 0.6)))
    toughness = max(1, round((toughness + cmc) / 2 + rng.gauss(0, 0.6)))
    return str(power), str(toughness)


def _make_face(rng: random.Random, word: str, main: str | None = None, *, noun_pool: Sequence[str] = ()) -> _Face:
    """One face of a nonland card: name, type line, cost, colours, text, stats."""
    main = main or str(_TYPES.pick(rng))
    kind = _kind(main)
    subtypes = _subtype_line(rng, main, word)
    type_line = f"{main} — {subtypes}" if subtypes else main
    colours = _pick_colours(rng, main)
    mana_cost, cmc = _mana_cost(rng, int(_CMC[kind].pick(rng)), colours)
    if "Legendary" in main:
        name = f"{word}, {rng.choice(_TITLES)}"
    elif kind == "Creature":
        name = f"{word} {rng.choice(noun_pool or _CREATURE_NOUNS)}"
    elif kind in ("Instant", "Sorcery"):
        name = f"{word}'s {rng.choice(noun_pool or _SPELL_NOUNS)}"
    else:
        name = f"{word} {rng.choice(noun_pool or _THING_NOUNS)}"
    extra: set[str] = set()
    target = _oracle_length(rng)
    keywords: list[str] = []
    lines: list[str] = []
    face = _Face(name=name, mana_cost=mana_cost, cmc=cmc, type_line=type_line, oracle_text="", colors=colours)
    if kind == "Creature":
        if rng.random() < _KEYWORD_SHARE:
            keywords = sorted({str(_KEYWORDS.pick(rng)) for _ in range(rng.choice((1, 1, 1, 2)))})
            line = ", ".join(keywords).capitalize()
            if len(keywords) == 1 and keywords[0] in _REMINDERS and rng.random() < _REMINDER_SHARE:
                line += " " + _REMINDERS[keywords[0]]
            lines.append(line)
            target -= len(line)
        lines += _fill_text(rng, name, colours, _CREATURE_ABILITIES, target, extra)
        face.power, face.toughness = _power_toughness(rng, cmc)
    elif kind == "Planeswalker":
        face.loyalty = str(_LOYALTY.pick(rng))
        for cost, effects in _LOYALTY_ABILITIES:
            n = rng.randint(1, 4)
            label = cost.format(n=n, u=rng.randint(6, 9))
            lines.append(f"{label}: " + rng.choice(effects).format(name=name, n=n))
    elif kind in ("Instant", "Sorcery"):
        lines += _fill_text(rng, name, colours, _SPELL_EFFECTS, max(target, 25), extra)
    else:
        if subtypes.startswith("Aura"):
            lines.append("Enchant creature")
            keywords.append("Enchant")
            lines.append(f"Enchanted creature gets +{rng.randint(1, 3)}/+{rng.randint(0, 3)}.")
        elif subtypes == "Equipment":
            lines.append(f"Equipped creature gets +{rng.randint(1, 3)}/+0.")
            lines.append(f"Equip {{{rng.randint(1, 4)}}}")
            keywords.append("Equip")
        lines += _fill_text(rng, name, colours, _PERMANENT_ABILITIES, target - sum(map(len, lines)), extra)
    face.oracle_text = "\n".join(lines)
    face.keywords = keywords
    face.identity_extra = extra
    return face


def _make_land(rng: random.Random, word: str, *, basic: bool) -> tuple[_Face, list[str]]:
    if basic:
        colour = rng.choice(COLOURS)
        basic_type = _BASIC_FOR[colour]
        text = f"({{T}}: Add {{{colour}}}.)"
        face = _Face(word + " " + basic_type, "", 0, f"Basic Land — {basic_type}", text, [])
        return face, [colour]
    count: int = _LAND_COLOURS.pick(rng)
    produced = sorted(rng.sample(COLOURS, count), key=COLOURS.index)
    type_line = str(_LAND_TYPES.pick(rng))
    name = f"{word} {rng.choice(_PLACE_NOUNS)}"
    lines: list[str] = []
    if rng.random() < 0.3:
        lines.append(f"{name} enters the battlefield tapped.")
    if not produced:
        lines.append("{T}: Add {C}.")
        if rng.random() < 0.5:
            lines.append("{1}, {T}: Add one mana of any color.")
    elif len(produced) == 1:
        lines.append(f"{{T}}: Add {{{produced[0]}}}.")
    elif len(produced) == 5:
        lines.append("{T}: Add one mana of any color.")
    else:
        lines.append("{T}: Add " + ", ".join(f"{{{c}}}" for c in produced[:-1]) + f" or {{{produced[-1]}}}.")
    return _Face(name, "", 0, type_line, "\n".join(lines), []), produced or ["C"]


def _legalities(
    rng: random.Random, layout: str, sets: list[_SetInfo], indices: list[int], rarities: list[str]
) -> dict[str, str]:
    if layout == "token":
        return dict.fromkeys(FORMATS, "not_legal")
    first = sets[indices[0]].released_at
    printed = [sets[i] for i in indices]
    on_arena = any("arena" in s.games for s in printed)
    tournament = [s for s in printed if s.set_type in _SET_TYPES_FOR_STANDARD]
    common = any(r == "common" for r in rarities)

    def legal(flag: bool) -> str:
        return "legal" if flag else "not_legal"

    result = {
        "standard": legal(any(s.released_at >= STANDARD_SINCE for s in tournament)),
        "pioneer": legal(any(s.released_at >= "2012-10-05" for s in tournament)),
        "modern": legal(any(s.released_at >= "2003-07-28" for s in tournament)),
        "legacy": "legal",
        "vintage": "legal",
        "pauper": legal(common),
        "commander": "legal",
        "brawl": legal(on_arena),
        "historic": legal(on_arena),
        "timeless": legal(on_arena),
        "alchemy": legal(on_arena and any(s.released_at >= STANDARD_SINCE for s in printed)),
        "penny": legal(rng.random() < 0.51),  # 23,261 of 45,851 printings
        "oathbreaker": "legal",
        "duel": "legal",
        "oldschool": legal(first <= "1994-12-31"),
        "premodern": legal("1995-04-01" <= first < "2003-07-28"),
        "predh": legal(first < "2011-06-17"),
        "gladiator": legal(on_arena),
        "standardbrawl": "not_legal",
        "paupercommander": legal(common),
    }
    result["standardbrawl"] = result["standard"]
    # Banned / restricted shares measured per printing: vintage restricted 0.78 %, legacy banned 0.98 %,
    # commander banned 0.60 %, duel banned 0.82 %, modern banned 0.43 % of modern-legal cards.
    roll = rng.random()
    if roll < 0.0078:
        result["vintage"] = "restricted"
    elif roll < 0.0176:
        result["legacy"] = "banned"
        result["commander"] = "banned" if rng.random() < 0.6 else "legal"
        result["duel"] = "banned"
    if result["modern"] == "legal" and rng.random() < 0.0043:
        result["modern"] = "banned"
    return result


def _make_oracle(rng: random.Random, index: int, copies: int, sets: list[_SetInfo]) -> _Oracle:
    word = _word(index)
    basic = copies > 100
    layout = "normal" if basic else str(_LAYOUTS.pick(rng))
    produced: list[str] | None = None
    faces: list[_Face]
    if basic or (layout == "normal" and rng.random() < _LAND_SHARE):
        land, produced = _make_land(rng, word, basic=basic)
        faces = [land]
        identity = sorted(c for c in produced if c != "C")
    else:
        faces = _oracle_faces(rng, word, layout)
        identity_set: set[str] = set()
        for face in faces:
            identity_set.update(face.colors)
            identity_set.update(face.color_indicator or ())
            identity_set.update(face.identity_extra)
        identity = sorted(identity_set)

    # Printings: the first in any set (basics and much-reprinted cards start early), reprints later.
    count = len(sets)
    first = rng.randrange(count) if copies <= 5 else rng.randrange(max(1, count // 2))
    indices = sorted([first] + [rng.randrange(first, count) for _ in range(copies - 1)])
    rarity = "common" if basic or layout == "token" else str(_RARITY.pick(rng))
    if rarity == "mythic" and sets[first].released_at < "2008-10-03":  # mythic rare began with Shards of Alara
        rarity = "rare"
    rarities = [rarity]
    for set_index in indices[1:]:  # 15 % of reprints change rarity
        again = str(_RARITY.pick(rng)) if rng.random() < 0.15 and layout == "normal" and not basic else rarity
        if again == "mythic" and sets[set_index].released_at < "2008-10-03":
            again = "rare"
        rarities.append(again)
    return _Oracle(
        oracle_id=_uuid(rng),
        layout=layout,
        faces=faces,
        identity=identity,
        rarity=rarity,
        value_z=rng.gauss(0, 1),
        reserved=sets[first].released_at < "1999-01-01" and not basic and rng.random() < _RESERVED_SHARE_EARLY,
        edhrec_rank=rng.randint(1, 30000) if layout != "token" and rng.random() < _EDHREC_SHARE else None,
        legalities=_legalities(rng, layout, sets, indices, rarities),
        produced_mana=produced,
        set_indices=indices,
        rarities=rarities,
        illustration_id=_uuid(rng),
        artist=f"{rng.choice(_ARTIST_FIRST)} {rng.choice(_ARTIST_LAST)}",
    )


def _oracle_faces(rng: random.Random, word: str, layout: str) -> list[_Face]:
    if layout in ("normal", "leveler"):
        face = _make_face(rng, word, "Creature" if layout == "leveler" else None)
        if layout == "leveler":
            face.oracle_text = (
                f"Level up {{{rng.randint(1, 3)}}}\nLEVEL 2-6\n{rng.randint(2, 4)}/{rng.randint(2, 4)}\n"
                f"LEVEL 7+\n{rng.randint(4, 7)}/{rng.randint(4, 7)}\n" + face.oracle_text
            ).strip()
            face.keywords = ["Level up"]
        return [face]
    if layout == "saga":
        face = _make_face(rng, word, "Enchantment")
        face.type_line = "Enchantment — Saga"
        face.oracle_text = (
            "(As this Saga enters and after your draw step, add a lore counter. Sacrifice after III.)\n"
            f"I — You gain {rng.randint(1, 4)} life.\nII — Draw a card.\nIII — Each opponent discards a card."
        )
        face.keywords, face.identity_extra = [], set()
        return [face]
    if layout == "token":
        colours = sorted(rng.sample(COLOURS, rng.choice((0, 1, 1, 1, 2))))
        subtype = str(_CREATURE_TYPES.pick(rng))
        keywords = [str(_KEYWORDS.pick(rng))] if rng.random() < 0.3 else []
        face = _Face(
            name=f"{word} {subtype}", mana_cost="", cmc=0, type_line=f"Token Creature — {subtype}",
            oracle_text=", ".join(keywords), colors=colours, keywords=keywords,
            power=str(rng.randint(0, 4)), toughness=str(rng.randint(1, 4)),
        )  # fmt: skip
        return [face]
    if layout == "split":
        halves = [
            _make_face(rng, word, rng.choice(("Instant", "Sorcery")), noun_pool=_SPELL_NOUNS),
            _make_face(rng, _word_variant(word), rng.choice(("Instant", "Sorcery")), noun_pool=_SPELL_NOUNS),
        ]
        for half in halves:  # split halves are cheap spells (assumed: 1-4 each, like the 2019 split cards)
            half.mana_cost, half.cmc = _mana_cost(rng, rng.randint(1, 4), half.colors)
        return halves
    if layout == "adventure":
        creature = _make_face(rng, word, "Creature")
        adventure = _make_face(rng, word, rng.choice(("Instant", "Sorcery")), noun_pool=_SPELL_NOUNS)
        adventure.type_line = adventure.type_line.split(" — ")[0] + " — Adventure"
        adventure.colors = list(creature.colors)
        adventure.mana_cost, adventure.cmc = _mana_cost(rng, rng.randint(1, 3), creature.colors)
        return [creature, adventure]
    if layout == "flip":
        front = _make_face(rng, word, "Creature")
        back = _make_face(rng, word, "Legendary Creature")
        back.mana_cost, back.cmc, back.colors = "", 0, list(front.colors)
        return [front, back]
    if layout == "transform":
        front = _make_face(rng, word, str(_TRANSFORM_FRONTS.pick(rng)))
        back_main = "Creature" if "Creature" in front.type_line else rng.choice(("Creature", "Enchantment", "Land"))
        back = _make_face(rng, _word_variant(word), back_main if back_main != "Land" else "Artifact")
        back.mana_cost, back.cmc = "", 0
        back.colors = list(front.colors)
        back.color_indicator = list(front.colors) or None
        return [front, back]
    # modal_dfc: two castable faces, each with its own cost and colours.
    return [_make_face(rng, word), _make_face(rng, _word_variant(word))]


def _word_variant(word: str) -> str:
    return word[:-1] + "ar" if len(word) > 4 else word + "ar"


# ---------------------------------------------------------------------------------------------------------------
# Printings
# ---------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Counters:
    """Sequential external ids (with random gaps), so ids are unique like the real ones."""

    multiverse: int = 100_000
    tcgplayer: int = 1_000
    cardmarket: int = 10_000
    mtgo: int = 20_000
    arena: int = 60_000
    numbers: dict[int, int] = field(default_factory=dict)

    def bump(self, rng: random.Random, name: str) -> int:
        value: int = getattr(self, name) + rng.randint(1, 3)
        setattr(self, name, value)
        return value


def _price(value: float) -> str:
    return f"{max(value, 0.01):.2f}"


def _prices(
    rng: random.Random, oracle: _Oracle, rarity: str, games: tuple[str, ...], finishes: list[str]
) -> dict[str, str | None]:
    mu, sigma = _USD_LOG[rarity]
    base = math.exp(mu + sigma * oracle.value_z + 0.4 * rng.gauss(0, 1))
    if oracle.reserved:
        base *= 40.0
    paper = "paper" in games
    result: dict[str, str | None] = dict.fromkeys(("usd", "usd_foil", "usd_etched", "eur", "eur_foil", "tix"))
    if paper and rng.random() > 0.05:
        if "nonfoil" in finishes:
            result["usd"] = _price(base)
        foil = base * math.exp(rng.gauss(*_FOIL_RATIO_LOG))
        if "foil" in finishes:
            result["usd_foil"] = _price(foil)
        if "etched" in finishes:
            result["usd_etched"] = _price(foil * math.exp(rng.gauss(0.2, 0.5)))  # assumed: no etched in the data
        if rng.random() < 0.86:  # 150 of the 175 priced 2023 cards have a eur price
            if "nonfoil" in finishes:
                result["eur"] = _price(base * math.exp(rng.gauss(*_EUR_RATIO_LOG)))
            if "foil" in finishes:
                result["eur_foil"] = _price(foil * math.exp(rng.gauss(*_EUR_RATIO_LOG)))
    if "mtgo" in games:
        result["tix"] = _price(base * math.exp(rng.gauss(*_TIX_RATIO_LOG)))
    return result


def _collector_number(rng: random.Random, counters: _Counters, set_index: int) -> str:
    number = counters.numbers.get(set_index, 0) + 1
    counters.numbers[set_index] = number
    shape: str = _NUMBER_SHAPES.pick(rng)
    if shape == "":
        return str(number)
    if shape == "prefix":
        return f"{rng.choice('ABCGTW')}{number}"
    return f"{number}{shape}"


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def _image_uris(card_id: str, side: str) -> dict[str, str]:
    path = f"{side}/{card_id[0]}/{card_id[1]}/{card_id}"
    return {
        "small": f"{IMG_BASE}/small/{path}.jpg",
        "normal": f"{IMG_BASE}/normal/{path}.jpg",
        "large": f"{IMG_BASE}/large/{path}.jpg",
        "png": f"{IMG_BASE}/png/{path}.png",
        "art_crop": f"{IMG_BASE}/art_crop/{path}.jpg",
        "border_crop": f"{IMG_BASE}/border_crop/{path}.jpg",
    }


def _flavor(rng: random.Random) -> str:
    target = int(_inverse_cdf(_FLAVOR_LEN_Q, rng.random()))
    words: list[str] = []
    length = 0
    while length < target:
        word = rng.choice(_FLAVOR_WORDS)
        words.append(word)
        length += len(word) + 1
    text = " ".join(words).capitalize() + "."
    if rng.random() < 0.25:
        text = f'"{text}"\n—{_word(rng.randrange(5000))}, {rng.choice(_TITLES)}'
    return text


def _face_object(face: _Face, *, with_colors: bool, image: dict[str, str] | None, artist: str) -> Card:
    obj: Card = {
        "object": "card_face",
        "name": face.name,
        "mana_cost": face.mana_cost,
        "type_line": face.type_line,
        "oracle_text": face.oracle_text,
    }
    if with_colors:
        obj["colors"] = face.colors
        if face.color_indicator:
            obj["color_indicator"] = face.color_indicator
    if face.power is not None:
        obj["power"], obj["toughness"] = face.power, face.toughness
    if face.loyalty is not None:
        obj["loyalty"] = face.loyalty
    obj["artist"] = artist
    if image is not None:
        obj["image_uris"] = image
    return obj


def _printing(rng: random.Random, oracle: _Oracle, copy: int, info: _SetInfo, rarity: str, counters: _Counters) -> Card:
    card_id = _uuid(rng)
    number = _collector_number(rng, counters, info.index)
    games = info.games
    paper = "paper" in games
    foil, nonfoil = _FOIL.pick(rng)
    if info.released_at < "1999-02-15":  # no foils before Urza's Legacy
        foil, nonfoil = False, True
    finishes = [f for f, on in (("nonfoil", nonfoil), ("foil", foil)) if on]
    if info.released_at >= "2021-01-01" and rng.random() < 0.01:  # assumed: etched foils since 2021
        finishes.append("etched")
    faces = oracle.faces
    front = faces[0]
    layout = oracle.layout
    name = " // ".join(f.name for f in faces)
    lang = "en" if layout == "token" else str(_LANG.pick(rng))
    card: Card = {
        "object": "card",
        "id": card_id,
        "oracle_id": oracle.oracle_id,
        "multiverse_ids": [],
        "name": name,
        "lang": lang,
        "released_at": info.released_at,
        "uri": f"{API_BASE}/cards/{card_id}",
        "scryfall_uri": f"{WEB_BASE}/card/{info.code}/{number}/{_slug(name)}?utm_source=api",
        "layout": layout,
        "highres_image": True,
        "image_status": "highres_scan",
    }
    if paper and rng.random() < _MULTIVERSE_SHARE:
        card["multiverse_ids"] = [counters.bump(rng, "multiverse")]
        if rng.random() < 0.0028:
            card["multiverse_ids"].append(counters.bump(rng, "multiverse"))
    if "mtgo" in games:
        mtgo = counters.bump(rng, "mtgo") * 2
        card["mtgo_id"] = mtgo
        if foil:
            card["mtgo_foil_id"] = mtgo + 1
    if "arena" in games:
        card["arena_id"] = counters.bump(rng, "arena")
    if paper and rng.random() < _TCGPLAYER_SHARE:
        card["tcgplayer_id"] = counters.bump(rng, "tcgplayer")
    if paper and rng.random() < _CARDMARKET_SHARE:
        card["cardmarket_id"] = counters.bump(rng, "cardmarket")

    illustration = oracle.illustration_id if copy == 0 or rng.random() < 0.5 else _uuid(rng)
    artist = (
        oracle.artist
        if illustration == oracle.illustration_id
        else f"{rng.choice(_ARTIST_FIRST)} {rng.choice(_ARTIST_LAST)}"
    )
    dfc = layout in ("transform", "modal_dfc")
    if dfc:
        card["card_faces"] = [
            _face_object(face, with_colors=True, image=_image_uris(card_id, side), artist=artist)
            for face, side in zip(faces, ("front", "back"), strict=True)
        ]
        card["cmc"] = float(front.cmc)
    else:
        card["image_uris"] = _image_uris(card_id, "front")
        if len(faces) > 1:
            card["mana_cost"] = " // ".join(f.mana_cost for f in faces) if layout != "flip" else front.mana_cost
            card["cmc"] = float(sum(f.cmc for f in faces) if layout == "split" else front.cmc)
            card["type_line"] = " // ".join(f.type_line for f in faces)
            card["colors"] = sorted({c for f in faces for c in f.colors})
            card["card_faces"] = [_face_object(f, with_colors=False, image=None, artist=artist) for f in faces]
        else:
            card["mana_cost"] = front.mana_cost
            card["cmc"] = float(front.cmc)
            card["type_line"] = front.type_line
            card["oracle_text"] = front.oracle_text
            card["colors"] = front.colors
    if dfc:
        card["type_line"] = " // ".join(f.type_line for f in faces)
    if len(faces) == 1 or layout in ("adventure", "flip"):
        if front.power is not None:
            card["power"], card["toughness"] = front.power, front.toughness
        if front.loyalty is not None:
            card["loyalty"] = front.loyalty
    card["color_identity"] = oracle.identity
    card["keywords"] = sorted({k for f in faces for k in f.keywords})
    if oracle.produced_mana is not None:
        card["produced_mana"] = oracle.produced_mana
    card["legalities"] = oracle.legalities
    card["games"] = list(games)
    card["reserved"] = oracle.reserved
    card["foil"] = foil
    card["nonfoil"] = nonfoil
    card["finishes"] = finishes
    card["oversized"] = False
    card["promo"] = info.set_type == "promo"
    card["reprint"] = copy > 0
    card["variation"] = False
    card["set_id"] = info.id
    card["set"] = info.code
    card["set_name"] = info.name
    card["set_type"] = info.set_type
    card["set_uri"] = f"{API_BASE}/sets/{info.id}"
    card["set_search_uri"] = f"{API_BASE}/cards/search?order=set&q=e%3A{info.code}&unique=prints"
    card["scryfall_set_uri"] = f"{WEB_BASE}/sets/{info.code}?utm_source=api"
    card["rulings_uri"] = f"{API_BASE}/cards/{card_id}/rulings"
    card["prints_search_uri"] = f"{API_BASE}/cards/search?order=released&q=oracleid%3A{oracle.oracle_id}&unique=prints"
    card["collector_number"] = number
    card["digital"] = bool(games) and not paper
    card["rarity"] = rarity
    if layout != "token" and rng.random() < _FLAVOR_SHARE:
        card["flavor_text"] = _flavor(rng)
    card["artist"] = artist
    card["illustration_id"] = illustration
    card["border_color"] = info.border_color
    card["frame"] = info.frame
    card["full_art"] = layout == "normal" and front.type_line.startswith("Basic Land") and rng.random() < 0.1
    card["textless"] = False
    card["booster"] = info.set_type in _SET_TYPES_FOR_STANDARD
    card["story_spotlight"] = False
    if oracle.edhrec_rank is not None:
        card["edhrec_rank"] = oracle.edhrec_rank
    card["prices"] = _prices(rng, oracle, rarity, games, finishes)
    card["synthetic"] = True
    return card


def generate_cards(n: int, *, seed: int = 0) -> Iterator[Card]:
    """Yield ``n`` synthetic Scryfall-shaped printings (BENCHMARKS ONLY; every card has ``synthetic: true``).

    Deterministic: the same ``n`` and ``seed`` always give the same cards in the same order. Printings of one
    oracle card come one after the other, sharing ``oracle_id``, name, rules text and legalities.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    sets = _make_sets(max(1, math.ceil(n / PRINTINGS_PER_SET)), random.Random(rng.getrandbits(64)))
    counters = _Counters()
    emitted = 0
    oracle_index = 0
    while emitted < n:
        low, high = _PRINTINGS_BUCKETS.pick(rng)
        copies = min(rng.randint(low, high), n - emitted)
        oracle = _make_oracle(rng, oracle_index, copies, sets)
        oracle_index += 1
        for copy, (set_index, rarity) in enumerate(zip(oracle.set_indices, oracle.rarities, strict=True)):
            yield _printing(rng, oracle, copy, sets[set_index], rarity, counters)
            emitted += 1


def generate_sets(cards: Iterable[Mapping[str, Any]]) -> list[Card]:
    """The Scryfall set objects (marked ``synthetic``) of the sets the given synthetic cards belong to.

    Consumes ``cards`` once (pass ``generate_cards(n, seed=...)`` again rather than keeping a list); the result is
    sorted by release date then code, with ``card_count`` the number of given cards in each set.
    """
    found: dict[str, Card] = {}
    for card in cards:
        code = card["set"]
        entry = found.get(code)
        if entry is None:
            set_id = card["set_id"]
            entry = found[code] = {
                "object": "set",
                "id": set_id,
                "code": code,
                "name": card["set_name"],
                "uri": f"{API_BASE}/sets/{set_id}",
                "scryfall_uri": f"{WEB_BASE}/sets/{code}",
                "search_uri": f"{API_BASE}/cards/search?order=set&q=e%3A{code}&unique=prints",
                "released_at": card["released_at"],
                "set_type": card["set_type"],
                "card_count": 0,
                "digital": card["digital"],
                "nonfoil_only": True,
                "foil_only": True,
                "icon_svg_uri": f"{IMG_BASE}/sets/{code}.svg",
                "synthetic": True,
            }
        entry["card_count"] += 1
        if card["foil"]:
            entry["nonfoil_only"] = False
        if card["nonfoil"]:
            entry["foil_only"] = False
    return sorted(found.values(), key=lambda s: (s["released_at"], s["code"]))


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _write_array(out: _Sink, cards: Iterable[Card], progress: Callable[[int], None] | None) -> int:
    written = 0
    chunk: list[bytes] = []
    out.write(b"[")
    for card in cards:
        chunk.append(orjson.dumps(card))
        written += 1
        if len(chunk) >= 1000:
            out.write((b"," if written > len(chunk) else b"") + b",".join(chunk))
            chunk.clear()
            if progress is not None and written % 10_000 == 0:
                progress(written)
    if chunk:
        out.write((b"," if written > len(chunk) else b"") + b",".join(chunk))
    out.write(b"]\n")
    return written


def write_catalog(path: Path, n: int, seed: int = 0, progress: Callable[[int], None] | None = None) -> int:
    """Stream ``n`` synthetic cards as one JSON array to ``path`` (``.json`` or ``.json.gz``); returns ``n``.

    Cards are encoded one by one (orjson) and written in chunks, so memory stays flat whatever ``n`` is.
    ``progress`` is called with the running count every 10,000 cards and once at the end. BENCHMARKS ONLY.
    """
    path = Path(path)
    cards = generate_cards(n, seed=seed)
    with path.open("wb") as raw:
        if path.name.endswith(".gz"):
            # No file name and mtime 0 in the gzip header: the same n and seed always give the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
                written = _write_array(gz, cards, progress)
        else:
            written = _write_array(raw, cards, progress)
    if progress is not None:
        progress(written)
    return written


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic (benchmark-only) Scryfall-shaped catalog.")
    parser.add_argument("path", type=Path, help="output file, .json or .json.gz")
    parser.add_argument("-n", type=int, default=150_000, help="number of printings (default 150,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = write_catalog(args.path, args.n, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"wrote {count:,} synthetic cards to {args.path} in {elapsed:.1f} s ({args.path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
