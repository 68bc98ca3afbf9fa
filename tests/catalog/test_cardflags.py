"""Scryfall ``is:`` flags, table-driven on real cards of the 2019 Scryfall dump (and on current-schema objects).

Every flag has real cards that must have it and real cards that must not; the land nicknames are also counted
over the whole catalog, where a cycle has a known size.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from typing import Any

import pytest

from mtg_tracker.catalog.cardflags import (
    LAND_FLAGS,
    PRINTING_FLAGS,
    card_flags,
    card_mask,
    flag_mask,
    land_flags,
    land_mask,
)
from support import SHARED_DATA

DUMP = SHARED_DATA / "cards" / "scryfall-default-cards-2019.json.gz"
if not DUMP.exists():
    pytest.skip(f"real data not available: {DUMP} (see shared/data/DATA.md)", allow_module_level=True)

pytestmark = pytest.mark.realdata

Card = dict[str, Any]


@pytest.fixture(scope="module")
def catalog() -> list[Card]:
    with gzip.open(DUMP) as f:
        cards: list[Card] = json.load(f)
    return cards


@pytest.fixture(scope="module")
def by_name(catalog: list[Card]) -> dict[str, list[Card]]:
    index: dict[str, list[Card]] = defaultdict(list)
    for card in catalog:
        index[card["name"]].append(card)
    return index


@pytest.fixture(scope="module")
def by_print(catalog: list[Card]) -> dict[tuple[str, str], Card]:
    return {(card["set"], card["collector_number"]): card for card in catalog}


@pytest.fixture(scope="module")
def names_with(by_name: dict[str, list[Card]]) -> dict[str, set[str]]:
    """flag → the distinct card names with it on any printing."""
    found: dict[str, set[str]] = defaultdict(set)
    for name, prints in by_name.items():
        for card in prints:
            for flag in card_flags(card) | land_flags(card):
                found[flag].add(name)
    return found


def _cases(table: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]) -> list[Any]:
    return [
        pytest.param(flag, name, expected, id=f"{flag}-{'yes' if expected else 'no'}-{name}")
        for flag, (yes, no) in table.items()
        for expected, names in ((True, yes), (False, no))
        for name in names
    ]


# Properties of the card itself (its Oracle object): every printing of the name must agree.
CARD_CASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "spell": (
        ("Lightning Bolt", "Serra Angel", "Fire // Ice", "Giant Killer // Chop Down", "Pacifism"),
        # Dryad Arbor is a creature that is never cast; nor are a conspiracy, a token, a melded back half.
        (
            "Forest",
            "Tropical Island",
            "Dryad Arbor",
            "Backup Plan",
            "Marit Lage",
            "Platinum Angel Avatar",
            "Brisela, Voice of Nightmares",
        ),
    ),
    "permanent": (
        ("Serra Angel", "Forest", "Sol Ring", "Pacifism", "Jace Beleren", "Giant Killer // Chop Down"),
        ("Lightning Bolt", "Fire // Ice", "Backup Plan", "Marit Lage", "Celestine Reef"),
    ),
    "historic": (
        ("Sol Ring", "Isamaru, Hound of Konda", "History of Benalia", "Gaea's Cradle", "Ornithopter"),
        ("Serra Angel", "Lightning Bolt", "Forest", "Pacifism"),
    ),
    "party": (
        # Wizard, Cleric, Warrior; Woodland Changeling is every creature type.
        ("Prodigal Sorcerer", "Soltari Priest", "Kargan Dragonlord", "Woodland Changeling", "Boros Reckoner"),
        ("Serra Angel", "Llanowar Elves", "Goblin Guide", "Wizard's Lightning"),
    ),
    "modal": (
        # Charm/Command bullets, escalate, "choose three" (Confluence), a Siege, the pre-bullet wording.
        (
            "Cryptic Command",
            "Kolaghan's Command",
            "Collective Brutality",
            "Mystic Confluence",
            "Citadel Siege",
            "Noxious Hydra Breath",
        ),
        # "Choose up to one creature" / "choose two cards" choose objects, not modes.
        ("Lightning Bolt", "Counterspell", "Duneblast", "Agonizing Memories"),
    ),
    "vanilla": (
        # Icehide Golem's only text is reminder text, which is not rules text.
        ("Grizzly Bears", "Craw Wurm", "Icehide Golem"),
        ("Serra Angel", "Llanowar Elves", "Lightning Bolt", "Ornithopter"),
    ),
    "frenchvanilla": (
        (
            "Serra Angel",
            "Ornithopter",
            "Vampire Nighthawk",
            "Akroma, Angel of Wrath",  # … protection from black and from red
            "Bog Wraith",  # landwalk
            "Yavimaya Ants",  # cumulative upkeep {G}{G}
            "Zombie Cutthroat",  # Morph—Pay 5 life.
            "Marhault Elsdragon",  # rampage 1
        ),
        # Vanilla is not French vanilla; ability words (landfall, undergrowth) are not keywords.
        ("Grizzly Bears", "Llanowar Elves", "Lightning Bolt", "Sightless Ghoul", "Steppe Lynx", "Kraul Harpooner"),
    ),
    "bear": (
        ("Grizzly Bears", "Bear Cub", "Hidden Herbalists", "Knight of Meadowgrain"),
        ("Tarmogoyf", "Kird Ape", "Llanowar Elves", "Craw Wurm"),
    ),
    "split": (("Fire // Ice", "Wear // Tear"), ("Lightning Bolt", "Giant Killer // Chop Down")),
    "flip": (
        ("Budoka Pupil // Ichiga, Who Topples Oaks",),
        ("Fire // Ice", "Delver of Secrets // Insectile Aberration"),
    ),
    "transform": (("Delver of Secrets // Insectile Aberration",), ("Bruna, the Fading Light", "Fire // Ice")),
    "meld": (
        ("Bruna, the Fading Light", "Brisela, Voice of Nightmares"),
        ("Delver of Secrets // Insectile Aberration",),
    ),
    "leveler": (("Kargan Dragonlord",), ("Serra Angel",)),
    "dfc": (
        ("Delver of Secrets // Insectile Aberration", "Bruna, the Fading Light", "Zombie // Zombie"),
        ("Fire // Ice", "Budoka Pupil // Ichiga, Who Topples Oaks", "Serra Angel"),
    ),
    "mdfc": ((), ("Delver of Secrets // Insectile Aberration", "Fire // Ice")),
    "adventure": (("Giant Killer // Chop Down",), ("Fire // Ice", "Serra Angel")),
    "saga": (("History of Benalia",), ("Serra Angel", "Pacifism")),
    "class": ((), ("Serra Angel",)),
    "battle": ((), ("Serra Angel", "Battle Sliver")),
    "commander": (
        # A legendary creature, a planeswalker that says so, a meld front.
        ("Isamaru, Hound of Konda", "Atraxa, Praetors' Voice", "Daretti, Scrap Savant", "Bruna, the Fading Light"),
        # Griselbrand is banned in Commander; Jace is a planeswalker; Marit Lage a legendary token; Brisela only
        # exists melded.
        ("Griselbrand", "Jace Beleren", "Serra Angel", "Gaea's Cradle", "Marit Lage", "Brisela, Voice of Nightmares"),
    ),
    "brawler": (
        ("Isamaru, Hound of Konda", "Jace Beleren", "Rowan Kenrith", "Griselbrand"),
        ("Serra Angel", "Gaea's Cradle", "Marit Lage", "Sol Ring"),
    ),
    "duelcommander": (
        ("Isamaru, Hound of Konda", "Griselbrand", "Daretti, Scrap Savant"),
        # Duel Commander "restricted": banned as a commander, allowed in the deck.
        ("Baral, Chief of Compliance", "Edric, Spymaster of Trest", "Serra Angel", "Jace Beleren"),
    ),
    "companion": ((), ("Serra Angel",)),
    "oathbreaker": (("Jace Beleren", "Daretti, Scrap Savant"), ("Isamaru, Hound of Konda", "Serra Angel")),
    "reserved": (("Tropical Island", "Gaea's Cradle", "Lion's Eye Diamond"), ("Lightning Bolt", "Sol Ring")),
    "hybrid": (
        ("Boros Reckoner", "Kitchen Finks", "Spectral Procession", "Reaper King"),
        # Tasigur's hybrid symbol is in an ability, not its cost; Dismember's symbols are Phyrexian.
        ("Lightning Bolt", "Tasigur, the Golden Fang", "Dismember"),
    ),
    "phyrexian": (
        # Blinding Souleater's only Phyrexian symbol is in its ability.
        ("Gitaxian Probe", "Dismember", "Birthing Pod", "Blinding Souleater"),
        ("Lightning Bolt", "Kitchen Finks"),
    ),
    "token": (("Marit Lage", "Zombie // Zombie"), ("Serra Angel", "Backup Plan")),
}


@pytest.mark.parametrize(("flag", "name", "expected"), _cases(CARD_CASES))
def test_card_flag(by_name: dict[str, list[Card]], flag: str, name: str, expected: bool) -> None:
    prints = by_name[name]
    assert prints, name
    assert {flag in card_flags(card) for card in prints} == {expected}


# Properties of one printing, named by (set, collector number).
BOLT_ALPHA, BOLT_M10 = ("lea", "161"), ("m10", "146")
PRINT_CASES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "foil": ((BOLT_M10, ("paer", "181s")), (BOLT_ALPHA,)),
    "nonfoil": ((BOLT_ALPHA, BOLT_M10), (("paer", "181s"),)),
    "full": ((("pakh", "134"), ("akh", "254")), (BOLT_ALPHA,)),
    "hires": ((BOLT_M10,), (("ana", "48"),)),
    "digital": ((("ana", "48"),), (BOLT_ALPHA, BOLT_M10)),
    "promo": ((("paer", "181s"),), (BOLT_M10,)),
    "spotlight": ((("aer", "31"),), (BOLT_ALPHA,)),
    "reprint": ((BOLT_M10,), (BOLT_ALPHA,)),
    "firstprint": ((BOLT_ALPHA,), (BOLT_M10,)),
    # An object from before Scryfall recorded boosters (Alpha's) does not claim it.
    "booster": ((("m20", "1"),), (("c19", "1"), BOLT_ALPHA)),
    "funny": ((("ust", "69"), ("ugl", "1")), (BOLT_ALPHA,)),
    "oversized": ((("pcmd", "234"),), (BOLT_ALPHA,)),
    # new: the 2015 frame; old: 1993/1997; the 2003 (M10) and future (Tarmogoyf) frames are neither.
    "new": ((("dom", "33"),), (BOLT_M10, BOLT_ALPHA, ("fut", "153"))),
    "old": ((BOLT_ALPHA, ("ath", "43")), (BOLT_M10, ("fut", "153"))),
    "colorshifted": ((("plc", "153"),), (("fut", "153"),)),
    "masterpiece": ((("mp2", "10"), ("exp", "1")), (("ema", "43"),)),
    # A World Championship deck (gold border, memorabilia), a token, a vanguard, a plane, a scheme.
    "extra": (
        (("wc97", "pm77"), ("ana", "T1"), ("pmoa", "108"), ("prm", "44348"), ("parc", "58")),
        (BOLT_ALPHA, ("ust", "69")),
    ),
}


@pytest.mark.parametrize(("flag", "key", "expected"), _cases(PRINT_CASES))
def test_printing_flag(by_print: dict[tuple[str, str], Card], flag: str, key: tuple[str, str], expected: bool) -> None:
    assert (flag in card_flags(by_print[key])) is expected


LAND_CASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dual": (("Tropical Island", "Underground Sea"), ("Overgrown Tomb", "Canopy Vista", "Forest", "Dryad Arbor")),
    "shockland": (("Overgrown Tomb", "Steam Vents"), ("Tropical Island", "Canopy Vista")),
    "fetchland": (
        ("Polluted Delta", "Arid Mesa", "Windswept Heath"),
        # One basic land card, not "an X or Y card": not the Onslaught/Zendikar cycle.
        ("Prismatic Vista", "Fabled Passage", "Evolving Wilds", "Terramorphic Expanse"),
    ),
    "checkland": (("Drowned Catacomb", "Sunpetal Grove"), ("Castle Locthwain", "Concealed Courtyard")),
    "fastland": (("Concealed Courtyard", "Seachrome Coast"), ("Drowned Catacomb",)),
    # Tempest's painlands enter tapped: another cycle.
    "painland": (("Adarkar Wastes", "Yavimaya Coast"), ("Caldera Lake", "City of Brass", "Horizon Canopy")),
    "scryland": (("Temple of Malady", "Temple of Triumph"), ("Temple of the False God", "New Benalia")),
    "triome": ((), ("Tropical Island", "Arcane Sanctum")),
    "bikeland": (("Canyon Slough", "Irrigated Farmland"), ("Canopy Vista", "Drifting Meadow")),
    "bounceland": (("Azorius Chancery", "Karoo", "Coral Atoll"), ("Lotus Vale", "Forest")),
    "canopyland": (("Horizon Canopy", "Waterlogged Grove"), ("Adarkar Wastes",)),
    "filterland": (
        ("Mystic Gate", "Darkwater Catacombs", "Crystal Quarry"),
        ("Shimmering Grotto", "Cabal Coffers", "Adarkar Wastes"),
    ),
    "gainland": (("Blossoming Sands", "Jwar Isle Refuge"), ("Radiant Fountain", "Temple of Malady")),
    "shadowland": (("Port Town", "Choked Estuary"), ("Castle Vantress",)),
    "slowland": ((), ("Concealed Courtyard",)),
    "storageland": (("Sand Silos", "Calciform Pools", "Fountain of Cho"), ("Gemstone Caverns",)),
    "creatureland": (
        ("Mutavault", "Celestial Colonnade", "Mishra's Factory", "Inkmoth Nexus"),
        # Dryad Arbor is a creature already, never "becomes" one.
        ("Dryad Arbor", "Forest", "Kor Haven"),
    ),
    "tangoland": (("Canopy Vista", "Sunken Hollow"), ("Temple Garden",)),
    "pathway": ((), ("Tropical Island",)),
    "bondland": (("Sea of Clouds", "Luxury Suite"), ("Concealed Courtyard",)),
    "manland": (("Mutavault",), ("Forest",)),
    "snarl": (("Port Town",), ("Tropical Island",)),
    "surveilland": ((), ("Temple of Malady",)),
}


@pytest.mark.parametrize(("flag", "name", "expected"), _cases(LAND_CASES))
def test_land_flag(by_name: dict[str, list[Card]], flag: str, name: str, expected: bool) -> None:
    prints = by_name[name]
    assert prints, name
    assert {flag in land_flags(card) for card in prints} == {expected}


# Distinct names per land nickname in the 2019 catalog, each checked by reading the list of names.
LAND_COUNTS = {
    "dual": 10,
    "shockland": 10,
    "fetchland": 10,
    "checkland": 10,
    "fastland": 10,  # Scars of Mirrodin + Kaladesh
    "painland": 10,  # Ice Age + Apocalypse
    "scryland": 10,
    "gainland": 15,  # Khans' ten + Zendikar's five refuges
    "bikeland": 5,  # Amonkhet's; later cycles postdate the dump
    "tangoland": 5,  # Battle for Zendikar's
    "shadowland": 5,  # Shadows over Innistrad's; the snarls came in 2021
    "snarl": 5,
    "bondland": 5,  # Battlebond's; Commander Legends' came in 2020
    "canopyland": 6,  # Horizon Canopy + Modern Horizons' five
    # Ravnica's ten, Mirage/Visions' five karoos (Coral Atoll…); Guildless Commons and Arid Archway postdate it.
    "bounceland": 15,
    # Shadowmoor/Eventide ten, Odyssey five, Crystal Quarry, Cascading Cataracts.
    "filterland": 17,
    # Fallen Empires/Ice Age five, Time Spiral five, Mercadian Masques six (their counters are storage
    # counters too), Mage-Ring Network, Crucible of the Spirit Dragon.
    "storageland": 18,
    "creatureland": 26,
    "manland": 26,
    "triome": 0,  # Ikoria (2020) onwards
    "slowland": 0,  # Innistrad: Midnight Hunt (2021)
    "pathway": 0,  # Zendikar Rising (2020)
    "surveilland": 0,  # Murders at Karlov Manor (2024)
}


def test_land_cycle_sizes(names_with: dict[str, set[str]]) -> None:
    assert set(LAND_COUNTS) == set(LAND_FLAGS)
    assert {flag: len(names_with[flag]) for flag in LAND_FLAGS} == LAND_COUNTS
    assert names_with["manland"] == names_with["creatureland"]
    assert names_with["snarl"] == names_with["shadowland"]


# Distinct names in the 2019 catalog for flags whose true size is known from outside the code.
CARD_COUNTS = {
    "reserved": 571,  # the Reserved List
    "colorshifted": 45,  # Planar Chaos
    "flip": 21,  # Kamigawa's twenty and Unhinged's Curse of the Fire Penguin
    "meld": 9,  # three pairs and their three melded halves
    "saga": 14,  # Dominaria
    "adventure": 30,  # Throne of Eldraine
    "phyrexian": 36,  # New Phyrexia's and K'rrik, Spike (Unstable)
    "mdfc": 0,
    "class": 0,
    "battle": 0,
    "companion": 0,
    "etched": 0,
    "glossy": 0,
    "textless": 0,  # no 2019 object says so
    "variation": 0,
}


def test_card_flag_sizes(names_with: dict[str, set[str]]) -> None:
    assert {flag: len(names_with[flag]) for flag in CARD_COUNTS} == CARD_COUNTS


def test_whole_catalog_invariants(catalog: list[Card]) -> None:
    assert len(catalog) == 45851
    for card in catalog:
        flags, lands = card_flags(card), land_flags(card)
        assert flags <= set(PRINTING_FLAGS)
        assert lands <= set(LAND_FLAGS)
        assert flag_mask(flags, PRINTING_FLAGS) == card_mask(card)
        assert flag_mask(lands, LAND_FLAGS) == land_mask(card)
        assert ("reprint" in flags) != ("firstprint" in flags)
        if "new" in flags:
            assert "old" not in flags
        if "token" in flags:  # a token is an extra, and no card: never cast, never a permanent card
            assert "extra" in flags, card["name"]
            assert not flags & {"spell", "permanent", "commander", "brawler"}, card["name"]
        if flags & {"transform", "meld"}:
            assert "dfc" in flags, card["name"]
        if "frenchvanilla" in flags:
            assert "vanilla" not in flags, card["name"]
        if lands:
            assert "Land" in card["type_line"], card["name"]
            assert "spell" not in flags, card["name"]


def test_flag_tables() -> None:
    assert len(PRINTING_FLAGS) == 49
    assert len(PRINTING_FLAGS) < 63
    assert PRINTING_FLAGS[:3] == ("spell", "permanent", "historic")
    assert PRINTING_FLAGS[-1] == "extra"
    assert LAND_FLAGS[:3] == ("dual", "shockland", "fetchland")
    assert LAND_FLAGS[-1] == "surveilland"
    assert flag_mask([], PRINTING_FLAGS) == 0
    assert flag_mask(["spell", "extra"], PRINTING_FLAGS) == 1 | 1 << 48
    assert flag_mask(["surveilland"], LAND_FLAGS) == 1 << 22
    assert flag_mask(["b"], ("a", "b")) == 2  # any table, not just the two above
    with pytest.raises(ValueError, match="shockland"):
        flag_mask(["shockland"], PRINTING_FLAGS)


# --- current-schema objects, written by hand --------------------------------------------------------------


def _land(name: str, type_line: str, text: str, **extra: Any) -> Card:
    return {"object": "card", "name": name, "layout": "normal", "type_line": type_line, "oracle_text": text} | extra


CURRENT_LANDS = [
    pytest.param(
        _land(
            "Hedge Maze",
            "Land — Forest Island",
            "({T}: Add {G} or {U}.)\nThis land enters tapped.\nWhen this land enters, surveil 1. (Look at the top "
            "card of your library. You may put it into your graveyard.)",
        ),
        {"surveilland"},
        id="surveilland",
    ),
    pytest.param(
        _land(
            "Raugrin Triome",
            "Land — Island Mountain Plains",
            "({T}: Add {U}, {R}, or {W}.)\nRaugrin Triome enters tapped.\nCycling {3} ({3}, Discard this card: "
            "Draw a card.)",
        ),
        {"triome"},
        id="triome",
    ),
    pytest.param(
        _land(
            "Deserted Beach",
            "Land",
            "This land enters tapped unless you control two or more other lands.\n{T}: Add {W} or {U}.",
        ),
        {"slowland"},
        id="slowland",
    ),
    pytest.param(
        _land(
            "Shineshadow Snarl",
            "Land",
            "As this land enters, you may reveal a Plains or Swamp card from your hand. If you don't, this land "
            "enters tapped.\n{T}: Add {W} or {B}.",
        ),
        {"shadowland", "snarl"},
        id="snarl",
    ),
    pytest.param(
        _land(
            "Stomping Ground",
            "Land — Mountain Forest",
            "({T}: Add {R} or {G}.)\nAs this land enters, you may pay 2 life. If you don't, it enters tapped.",
        ),
        {"shockland"},
        id="shockland",
    ),
    pytest.param(
        _land(
            "Bloodstained Mire",
            "Land",
            "{T}, Pay 1 life, Sacrifice this land: Search your library for a Swamp or Mountain card, put it onto "
            "the battlefield, then shuffle.",
        ),
        {"fetchland"},
        id="fetchland",
    ),
    pytest.param(
        _land(
            "Spectator Seating",
            "Land",
            "This land enters tapped unless you have two or more opponents.\n{T}: Add {R} or {W}.",
        ),
        {"bondland"},
        id="bondland",
    ),
    pytest.param(
        _land(
            "Restless Vents",
            "Land",
            "This land enters tapped.\n{T}: Add {B} or {R}.\n{1}{B}{R}: This land becomes a 2/3 black and red "
            "Insect creature with menace until end of turn. It's still a land.",
        ),
        {"creatureland", "manland"},
        id="creatureland",
    ),
    pytest.param(
        {
            "object": "card",
            "name": "Brightclimb Pathway // Grimclimb Pathway",
            "layout": "modal_dfc",
            "type_line": "Land // Land",
            "card_faces": [
                {"name": "Brightclimb Pathway", "type_line": "Land", "oracle_text": "{T}: Add {W}."},
                {"name": "Grimclimb Pathway", "type_line": "Land", "oracle_text": "{T}: Add {B}."},
            ],
        },
        {"pathway"},
        id="pathway",
    ),
    pytest.param(
        {
            "object": "card",
            "name": "Agadeem's Awakening // Agadeem, the Undercrypt",
            "layout": "modal_dfc",
            "type_line": "Sorcery // Land",
            "card_faces": [
                {"name": "Agadeem's Awakening", "type_line": "Sorcery", "oracle_text": "Return …"},
                {
                    "name": "Agadeem, the Undercrypt",
                    "type_line": "Land",
                    "oracle_text": "As Agadeem, the Undercrypt enters, you may pay 3 life. If you don't, it enters "
                    "tapped.\n{T}: Add {B}.",
                },
            ],
        },
        set(),  # a spell on the front: no land nickname, and its back is no shockland (one colour, no types)
        id="spell-land-mdfc",
    ),
]


@pytest.mark.parametrize(("obj", "expected"), CURRENT_LANDS)
def test_current_wording_lands(obj: Card, expected: set[str]) -> None:
    assert land_flags(obj) == expected


def test_current_schema_printing() -> None:
    lurrus = {
        "object": "card",
        "name": "Lurrus of the Dream-Den",
        "layout": "normal",
        "type_line": "Legendary Creature — Cat Nightmare",
        "mana_cost": "{1}{W/B}{W/B}",
        "cmc": 3,
        "power": "3",
        "toughness": "2",
        "oracle_text": "Companion — Each permanent card in your starting deck has mana value 2 or less.\nLifelink\n"
        "During each of your turns, you may cast one permanent spell with mana value 2 or less from your graveyard.",
        "keywords": ["Lifelink", "Companion"],
        "legalities": {"commander": "legal", "duel": "legal", "brawl": "legal", "oathbreaker": "legal"},
        "finishes": ["etched"],
        "promo_types": ["glossy"],
        "frame_effects": ["showcase", "colorshifted"],
        "frame": "2015",
        "security_stamp": "acorn",
        "set_type": "funny",
        "reprint": False,
        "booster": False,
        "textless": True,
        "variation": True,
    }
    assert card_flags(lurrus) == {
        "spell",
        "permanent",
        "historic",
        "commander",
        "brawler",
        "duelcommander",
        "companion",
        "hybrid",
        "etched",  # finishes say etched only: neither foil nor nonfoil
        "glossy",
        "firstprint",
        "funny",
        "textless",
        "variation",
        "new",
        "colorshifted",
    }

    # A keyword newer than the built-in list counts when the object's own keywords name it.
    glider = {
        "name": "Future Glider",
        "layout": "normal",
        "type_line": "Creature — Bird",
        "oracle_text": "Flying\nSkyrend 2 (Reminder text.)",
        "cmc": 2,
        "power": "2",
        "toughness": "2",
        "finishes": ["nonfoil", "foil"],
    }
    assert "frenchvanilla" not in card_flags(glider)
    assert card_flags(glider | {"keywords": ["Flying", "Skyrend"]}) >= {"frenchvanilla", "bear", "foil", "nonfoil"}

    # Spree modes, a battle, a class, a modal DFC, each in its current layout.
    spree = {"layout": "normal", "type_line": "Instant", "oracle_text": "Spree\n+ {1} — Draw a card.\n+ {2} — Scry 2."}
    assert "modal" in card_flags(spree)
    battle = {"layout": "battle", "type_line": "Battle — Siege", "oracle_text": "(As a Siege enters, …)"}
    assert {"battle", "permanent", "spell"} <= card_flags(battle)
    klass = {"layout": "class", "type_line": "Enchantment — Class", "oracle_text": "(Gain the next level …)"}
    assert {"class", "permanent", "spell"} <= card_flags(klass)
    mdfc = {
        "layout": "modal_dfc",
        "type_line": "Sorcery // Land",
        "card_faces": [{"type_line": "Sorcery", "oracle_text": "Return …"}, {"type_line": "Land", "oracle_text": ""}],
    }
    assert {"mdfc", "dfc", "spell", "permanent"} <= card_flags(mdfc)
    # A Background is a commander (beside a "Choose a Background" creature), not a Brawl commander.
    background = {"layout": "normal", "type_line": "Legendary Enchantment — Background", "oracle_text": "…"}
    assert card_flags(background) & {"commander", "duelcommander", "brawler"} == {"commander", "duelcommander"}
