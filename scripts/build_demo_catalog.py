#!/usr/bin/env python3
"""Build the built-in DEMO catalog from real Scryfall data (run once by a developer; the output is committed).

Reads the real Scryfall files of ``../shared/data/cards`` (see ``shared/data/DATA.md``) and writes

* ``src/mtg_tracker/catalog/demo/cards.json.gz``: a JSON array of the selected card objects, each exactly as
  found in its source file (never altered, never invented);
* ``src/mtg_tracker/catalog/demo/sets.json.gz``: a JSON array of the Scryfall set objects, as found in the 2021
  ``/sets`` response, of exactly the sets those cards belong to. Sets newer than that file (or otherwise absent
  from it) are left out, never invented, and listed in the summary this script prints.

The selection is the explicit ``PICKS`` list below: famous printings (original set first) of well-known cards,
several printings of a few cards so "prints" views are meaningful, a few non-English printings, and one or more
cards of every layout the sources hold. A printing present in several source files is taken from the newest
one (2025, then 2023, then 2019), so the demo carries real prices where the sources have them. The output is
deterministic: cards sorted by set release date then collector number, compact JSON, gzip with mtime 0.

Usage: ``python scripts/build_demo_catalog.py [--data-dir ../shared/data/cards] [--out src/.../demo]``
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "data" / "cards"
DEFAULT_OUT_DIR = ROOT / "src" / "mtg_tracker" / "catalog" / "demo"

# Source files, newest first: a printing found in several files is taken from the first one listing it.
SOURCES = (
    "scryfall-cards-2025-sample.json.gz",
    "scryfall-search-page-2023.json.gz",
    "scryfall-default-cards-2019.json.gz",
)
SETS_FILE = "scryfall-sets-2021.json.gz"

# Layouts the demo should show. ``modal_dfc`` (introduced in 2020) is in none of the source files, so it cannot
# be included without inventing data; the script reports it instead.
WANTED_LAYOUTS = (
    "normal", "split", "flip", "transform", "modal_dfc", "meld", "adventure", "saga", "leveler",
    "token", "emblem", "planar", "scheme", "vanguard",
)  # fmt: skip

# (set code, collector number, lang, expected name). The name guards against a wrong collector number.
Pick = tuple[str, str, str, str]
PICKS: tuple[Pick, ...] = (
    # --- several printings of a few staples ("prints" views) ---
    ("lea", "161", "en", "Lightning Bolt"),
    ("m10", "146", "en", "Lightning Bolt"),
    ("a25", "141", "en", "Lightning Bolt"),
    ("fbb", "162", "fr", "Lightning Bolt"),  # French Foreign Black Border: "Foudre"
    ("clu", "141", "en", "Lightning Bolt"),  # 2025 sample, with prices
    ("lea", "54", "en", "Counterspell"),
    ("ice", "64", "en", "Counterspell"),
    ("tmp", "57", "en", "Counterspell"),
    ("ema", "43", "en", "Counterspell"),
    ("fbb", "54", "fr", "Counterspell"),  # "Contresort"
    ("lea", "269", "en", "Sol Ring"),
    ("cmd", "261", "en", "Sol Ring"),
    ("c19", "221", "en", "Sol Ring"),  # 2019 file, with prices
    ("drc", "57", "en", "Sol Ring"),  # 2025 sample, with prices
    ("lea", "232", "en", "Black Lotus"),
    ("vma", "4", "en", "Black Lotus"),  # 2025 sample (MTGO price)
    ("lea", "210", "en", "Llanowar Elves"),
    ("fdn", "227", "en", "Llanowar Elves"),  # 2025 sample, with prices
    ("lea", "39", "en", "Serra Angel"),
    ("fdn", "147", "en", "Serra Angel"),  # 2025 sample, with prices
    ("ice", "61", "en", "Brainstorm"),
    ("vma", "58", "en", "Brainstorm"),  # 2025 sample
    ("lea", "104", "en", "Demonic Tutor"),
    ("cmm", "150", "en", "Demonic Tutor"),  # 2025 sample, with prices
    ("ice", "154", "en", "Necropotence"),
    ("ima", "98", "en", "Necropotence"),  # 2025 sample, with prices
    # --- Alpha / early staples ---
    ("lea", "98", "en", "Dark Ritual"),
    ("lea", "40", "en", "Swords to Plowshares"),
    ("lea", "186", "en", "Birds of Paradise"),
    ("lea", "174", "en", "Shivan Dragon"),
    ("ps11", "120", "es", "Shivan Dragon"),  # Spanish promo: "Dragón shivano"
    ("lea", "45", "en", "Wrath of God"),
    ("lea", "197", "en", "Giant Growth"),
    ("lea", "47", "en", "Ancestral Recall"),
    ("lea", "83", "en", "Time Walk"),
    ("lea", "265", "en", "Mox Sapphire"),
    ("arn", "40", "en", "Kird Ape"),
    ("leg", "65", "en", "Mana Drain"),
    ("leg", "207", "en", "Sylvan Library"),
    ("fem", "38a", "en", "Hymn to Tourach"),
    ("all", "28", "en", "Force of Will"),
    ("tmp", "330", "en", "Wasteland"),
    ("tmp", "294", "en", "Lotus Petal"),
    ("sth", "98", "en", "Shock"),
    ("usg", "15", "en", "Glorious Anthem"),
    ("pcy", "45", "en", "Rhystic Study"),
    # --- modern-era staples ---
    ("lrw", "145", "en", "Thoughtseize"),
    ("lrw", "79", "en", "Ponder"),
    ("lrw", "56", "en", "Cryptic Command"),
    ("lrw", "34", "en", "Oblivion Ring"),
    ("fut", "153", "en", "Tarmogoyf"),
    ("fut", "174", "en", "Dryad Arbor"),
    ("isd", "78", "en", "Snapcaster Mage"),
    ("con", "15", "en", "Path to Exile"),
    ("m10", "93", "en", "Doom Blade"),
    ("m10", "4", "en", "Baneslayer Angel"),
    ("m14", "169", "en", "Elvish Mystic"),
    ("zen", "126", "en", "Goblin Guide"),
    ("rav", "213", "en", "Lightning Helix"),
    ("rav", "158", "en", "Doubling Season"),
    ("arb", "50", "en", "Bloodbraid Elf"),
    ("rtr", "200", "en", "Sphinx's Revelation"),
    ("dst", "148", "en", "Sword of Fire and Ice"),
    ("dst", "140", "en", "Skullclamp"),
    ("bok", "163", "en", "Umezawa's Jitte"),
    ("mh1", "52", "en", "Force of Negation"),  # 2019 file, with prices
    ("eld", "169", "en", "Once Upon a Time"),  # 2019 file, with prices
    ("eld", "171", "en", "Questing Beast"),  # 2019 file, with prices
    ("m20", "198", "en", "Veil of Summer"),  # 2019 file, with prices
    # --- legendary creatures ---
    ("avr", "106", "en", "Griselbrand"),
    ("dka", "24", "en", "Thalia, Guardian of Thraben"),
    ("roe", "4", "en", "Emrakul, the Aeons Torn"),
    ("c16", "28", "en", "Atraxa, Praetors' Voice"),
    ("cmd", "206", "en", "Kaalia of the Vast"),
    ("grn", "192", "en", "Niv-Mizzet, Parun"),
    # --- planeswalkers ---
    ("wwk", "31", "en", "Jace, the Mind Sculptor"),
    ("isd", "105", "en", "Liliana of the Veil"),
    ("lrw", "71", "en", "Jace Beleren"),
    ("lrw", "213", "en", "Garruk Wildspeaker"),
    ("lrw", "1", "en", "Ajani Goldmane"),
    ("con", "120", "en", "Nicol Bolas, Planeswalker"),
    ("nph", "1", "en", "Karn Liberated"),
    ("ths", "9", "en", "Elspeth, Sun's Champion"),
    ("frf", "1", "en", "Ugin, the Spirit Dragon"),
    ("kld", "110", "en", "Chandra, Torch of Defiance"),
    ("dom", "207", "en", "Teferi, Hero of Dominaria"),
    ("mh1", "217", "en", "Wrenn and Six"),  # 2019 file, with prices
    ("eld", "197", "en", "Oko, Thief of Crowns"),  # 2019 file, with prices
    # --- lands: basics, original duals, shocklands, fetchlands ---
    ("lea", "286", "en", "Plains"),
    ("lea", "288", "en", "Island"),
    ("lea", "290", "en", "Swamp"),
    ("lea", "292", "en", "Mountain"),
    ("lea", "294", "en", "Forest"),
    ("ogw", "183", "en", "Wastes"),
    ("lea", "280", "en", "Savannah"),
    ("lea", "281", "en", "Scrubland"),
    ("lea", "277", "en", "Badlands"),
    ("lea", "278", "en", "Bayou"),
    ("lea", "279", "en", "Plateau"),
    ("lea", "282", "en", "Taiga"),
    ("lea", "283", "en", "Tropical Island"),
    ("lea", "284", "en", "Tundra"),
    ("lea", "285", "en", "Underground Sea"),
    ("leb", "287", "en", "Volcanic Island"),  # missing from Alpha
    ("gpt", "164", "en", "Steam Vents"),
    ("gpt", "157", "en", "Godless Shrine"),
    ("dis", "172", "en", "Breeding Pool"),
    ("dis", "174", "en", "Hallowed Fountain"),
    ("rvr", "289", "en", "Stomping Ground"),  # 2025 sample, with prices
    ("ons", "313", "en", "Bloodstained Mire"),
    ("ons", "316", "en", "Flooded Strand"),
    ("ons", "321", "en", "Polluted Delta"),
    ("ons", "328", "en", "Windswept Heath"),
    ("ons", "330", "en", "Wooded Foothills"),
    ("zen", "220", "en", "Misty Rainforest"),
    ("zen", "223", "en", "Scalding Tarn"),
    # --- every other layout ---
    ("apc", "128", "en", "Fire // Ice"),  # split
    ("dgm", "135", "en", "Wear // Tear"),  # split (fuse)
    ("akh", "211", "en", "Commit // Memory"),  # split (aftermath)
    ("chk", "2", "en", "Bushi Tenderfoot // Kenzo the Hardhearted"),  # flip
    ("sok", "35", "en", "Erayo, Soratami Ascendant // Erayo's Essence"),  # flip
    ("isd", "51", "en", "Delver of Secrets // Insectile Aberration"),  # transform
    ("dka", "140", "en", "Huntmaster of the Fells // Ravager of the Fells"),  # transform
    ("soi", "5", "en", "Archangel Avacyn // Avacyn, the Purifier"),  # transform
    ("soi", "92", "en", "Thing in the Ice // Awoken Horror"),  # transform
    ("mid", "187", "en", "Hound Tamer // Untamed Pup"),  # transform, 2025 sample with prices
    ("emn", "15a", "en", "Bruna, the Fading Light"),  # meld
    ("emn", "28a", "en", "Gisela, the Broken Blade"),  # meld
    ("emn", "15b", "en", "Brisela, Voice of Nightmares"),  # meld (the melded card)
    ("eld", "39", "en", "Brazen Borrower // Petty Theft"),  # adventure, with prices
    ("eld", "115", "en", "Bonecrusher Giant // Stomp"),  # adventure, with prices
    ("eld", "97", "en", "Murderous Rider // Swift End"),  # adventure, with prices
    ("woe", "63", "en", "Obyra's Attendants // Desperate Parry"),  # adventure, 2025 sample with prices
    ("dom", "21", "en", "History of Benalia"),  # saga
    ("c19", "131", "en", "The Eldest Reborn"),  # saga, with prices
    ("roe", "47", "en", "Student of Warfare"),  # leveler
    ("roe", "152", "en", "Kargan Dragonlord"),  # leveler, 2023 page with prices
    ("bro", "159", "en", "Fallaji Dragon Engine"),  # prototype, 2023 page with prices
    ("ddn", "82", "en", "Goblin"),  # token
    ("ddq", "77", "en", "Angel"),  # token
    ("f17", "11", "en", "Dinosaur // Treasure"),  # double_faced_token
    ("ddr", "76", "en", "Ob Nixilis Reignited Emblem"),  # emblem
    ("phop", "41", "en", "Tazeem"),  # planar
    ("parc", "56", "en", "Your Inescapable Doom"),  # scheme
    ("pvan", "103", "en", "Karn"),  # vanguard
    ("ust", "1", "en", "Adorable Kitten"),  # host
    ("ust", "9", "en", "Half-Kitten, Half-"),  # augment
    # --- modern dragons with real prices (2023 search page) ---
    ("dtk", "216", "en", "Dragonlord Atarka"),
    ("dtk", "218", "en", "Dragonlord Kolaghan"),
    ("khm", "139", "en", "Goldspan Dragon"),
    ("mh2", "121", "en", "Dragon's Rage Channeler"),
    ("cmm", "207", "en", "Balefire Dragon"),
)


def _load_json_gz(path: Path) -> Any:
    with gzip.open(path, "rb") as fh:
        return json.load(fh)


def _as_card_list(payload: Any) -> list[dict[str, Any]]:
    """A bulk file is a JSON array; a /cards/search page is a list object with ``data``: accept both."""
    if isinstance(payload, dict):
        payload = payload["data"]
    if not isinstance(payload, list):
        raise SystemExit(f"unexpected card file shape: {type(payload).__name__}")
    return payload


def _collector_key(number: str) -> tuple[int, str]:
    match = re.match(r"\d+", number)
    return (int(match.group()) if match else sys.maxsize, number)


def _card_colours(card: dict[str, Any]) -> list[str]:
    if "colors" in card:
        return list(card["colors"])
    colours: set[str] = set()
    for face in card.get("card_faces", []):
        colours.update(face.get("colors", []))
    return sorted(colours)


def _colour_class(card: dict[str, Any]) -> str:
    colours = _card_colours(card)
    if not colours:
        return "colourless"
    return colours[0] if len(colours) == 1 else "multicolour"


def select(data_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str], dict[str, str]]:
    """The demo cards (sorted), their set objects, the set codes left out, and each card id's source file."""
    index: dict[tuple[str, str, str], tuple[dict[str, Any], str]] = {}
    for name in SOURCES:
        for card in _as_card_list(_load_json_gz(data_dir / name)):
            key = (card["set"], card["collector_number"], card["lang"])
            index.setdefault(key, (card, name))  # newest file wins

    cards: list[dict[str, Any]] = []
    source_of: dict[str, str] = {}
    problems: list[str] = []
    for set_code, number, lang, expected in PICKS:
        found = index.get((set_code, number, lang))
        if found is None:
            problems.append(f"not found: {set_code} {number} {lang} ({expected})")
            continue
        card, source = found
        if card["name"] != expected:
            problems.append(f"{set_code} {number} {lang} is {card['name']!r}, expected {expected!r}")
            continue
        if card["id"] in source_of:
            problems.append(f"picked twice: {set_code} {number} {lang} ({expected})")
            continue
        source_of[card["id"]] = source
        cards.append(card)
    if problems:
        raise SystemExit("demo selection is out of date:\n  " + "\n  ".join(problems))

    sets_payload = _load_json_gz(data_dir / SETS_FILE)
    all_sets = {s["code"]: s for s in sets_payload["data"]}
    codes = {c["set"] for c in cards}
    missing = sorted(codes - all_sets.keys())

    def sort_key(card: dict[str, Any]) -> tuple[str, str, tuple[int, str], str, str]:
        set_obj = all_sets.get(card["set"])
        released = set_obj["released_at"] if set_obj else card["released_at"]
        return (released, card["set"], _collector_key(card["collector_number"]), card["lang"], card["id"])

    cards.sort(key=sort_key)
    sets = sorted((all_sets[c] for c in codes if c in all_sets), key=lambda s: (s["released_at"], s["code"]))
    return cards, sets, missing, source_of


def write_json_gz(path: Path, payload: list[dict[str, Any]]) -> int:
    """Deterministic gzip: compact JSON, no file name and mtime 0 in the gzip header."""
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def _print_counter(title: str, counter: Counter[str]) -> None:
    print(f"{title}:")
    for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {key:<24} {count}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="folder of the Scryfall files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="folder to write the .json.gz files")
    args = parser.parse_args(argv)

    cards, sets, missing, source_of = select(args.data_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    cards_size = write_json_gz(args.out / "cards.json.gz", cards)
    sets_size = write_json_gz(args.out / "sets.json.gz", sets)

    oracle_count = len({c["oracle_id"] for c in cards})
    print(f"demo catalog: {len(cards)} printings, {oracle_count} oracle cards, {len(sets)} sets")
    _print_counter("by layout", Counter(c["layout"] for c in cards))
    _print_counter("by colour", Counter(_colour_class(c) for c in cards))
    _print_counter("by language", Counter(c["lang"] for c in cards))
    _print_counter("by source file", Counter(source_of.values()))
    _print_counter("by set", Counter(c["set"] for c in cards))
    priced = sum(1 for c in cards if any(v is not None for v in (c.get("prices") or {}).values()))
    print(f"printings with at least one real price: {priced}")
    absent_layouts = [layout for layout in WANTED_LAYOUTS if layout not in {c["layout"] for c in cards}]
    print(f"wanted layouts absent from every source file: {', '.join(absent_layouts) or 'none'}")
    print(f"sets left out (not in {SETS_FILE}): {', '.join(missing) or 'none'}")
    print(f"wrote {args.out / 'cards.json.gz'} ({cards_size:,} bytes)")
    print(f"wrote {args.out / 'sets.json.gz'} ({sets_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
