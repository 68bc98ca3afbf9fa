"""Scryfall's card symbols (/symbology) and mana-cost parsing (/symbology/parse-mana). Pure.

The shipped list (``data/symbology.json``) is every symbol that appears in the real card data this
project was built against (Scryfall's bulk cards and MTGJSON's AllPrintings), written by
``scripts/build_symbology.py``. Each field follows from the symbol by the rules below, and whether it
appears in mana costs, or only on joke cards, was read from that data. Scryfall's own list is not
reachable from here; ``svg_uri`` and ``gatherer_alternates`` stay null rather than guessed.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

COLORS = "WUBRG"
_NUMBER_WORDS = {
    0: "zero",
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
    13: "thirteen",
    14: "fourteen",
    15: "fifteen",
    16: "sixteen",
    17: "seventeen",
    18: "eighteen",
    19: "nineteen",
    20: "twenty",
    100: "one hundred",
    1_000_000: "one million",
}
_COLOR_WORDS = {"W": "white", "U": "blue", "B": "black", "R": "red", "G": "green"}
# Symbols that are not mana: their English says what they do.
_NON_MANA = {
    "T": "tap this permanent",
    "Q": "untap this permanent",
    "E": "an energy counter",
    "CHAOS": "chaos",
    "PW": "planeswalker",
}
_MANA_PART = re.compile(r"^(?:\d+|[WUBRGXYZCSP½∞])$")


class ManaCostError(ValueError):
    """The text is not a mana cost (an unknown symbol, or nothing at all)."""


def _part_english(part: str) -> str:
    if part.isdigit():
        return f"{_NUMBER_WORDS.get(int(part), part)} generic mana"
    if part in _COLOR_WORDS:
        return f"one {_COLOR_WORDS[part]} mana"
    return {
        "X": "X generic mana",
        "Y": "Y generic mana",
        "Z": "Z generic mana",
        "C": "one colorless mana",
        "S": "one snow mana",
        "P": "two life",
        "½": "one-half generic mana",
        "∞": "infinite generic mana",
    }.get(part, part)


def _mana_value(parts: list[str]) -> float:
    if parts[0].isdigit():
        return float(parts[0])  # {2/W} is worth two
    if parts[0] == "½" or (len(parts[0]) == 2 and parts[0][0] == "H"):
        return 0.5
    if parts[0] in ("X", "Y", "Z", "∞"):
        return 0.0  # ∞ is counted as nothing: a mana value is a number
    return 1.0


def card_symbol(symbol: str, *, in_mana_costs: bool, funny: bool) -> dict[str, Any]:
    """A Scryfall card_symbol object for ``{…}`` by the rules of the symbol's parts."""
    inner = symbol[1:-1]
    parts = inner.split("/")
    colors: list[str]
    if inner in _NON_MANA:
        english, represents_mana, mana_value, colors = _NON_MANA[inner], False, 0.0, []
    elif not all(_MANA_PART.match(p) for p in parts) and not re.match(r"^H[WUBRG]$", inner):
        # A symbol the data holds but these rules cannot read ({A} on a joke card): not claimed as mana,
        # and described by nothing more than itself.
        english, represents_mana, mana_value, colors = f"the {symbol} symbol", False, 0.0, []
    elif len(inner) == 2 and inner[0] == "H" and inner[1] in COLORS:
        english = f"one-half {_COLOR_WORDS[inner[1]]} mana"
        represents_mana, mana_value, colors = True, 0.5, [inner[1]]
    else:
        phyrexian = "P" in parts and len(parts) > 1
        mana_parts = [p for p in parts if p != "P"] if phyrexian else parts
        if phyrexian:
            english = " or ".join(_part_english(p) for p in mana_parts) + " or two life"
        else:
            english = " or ".join(_part_english(p) for p in parts)
        if inner == "P":
            english = "one generic Phyrexian mana (one generic mana or two life)"
        represents_mana = True
        mana_value = _mana_value(mana_parts) if mana_parts else 1.0
        colors = [c for c in COLORS if c in mana_parts]
    hybrid = len([p for p in parts if p != "P"]) > 1
    phyrexian = "P" in parts
    loose = inner if len(inner) == 1 or inner.isdigit() else None
    return {
        "object": "card_symbol",
        "symbol": symbol,
        "svg_uri": None,
        "loose_variant": loose,
        "english": english,
        "transposable": "/" in inner,
        "represents_mana": represents_mana,
        "appears_in_mana_costs": in_mana_costs,
        "mana_value": mana_value,
        "cmc": mana_value,
        "hybrid": hybrid,
        "phyrexian": phyrexian,
        "funny": funny,
        "colors": colors,
        "gatherer_alternates": None,
    }


@cache
def shipped() -> dict[str, Any]:
    """The packaged symbology list: ``{"meta": …, "data": [card_symbol, …]}``."""
    text = resources.files("mtg_tracker.catalog.data").joinpath("symbology.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


# -- parse-mana ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\{([^{}]+)\}|(\d+)|([A-Za-z½∞])|(\s+)|(.)")
_ORDER_FIRST = ("X", "Y", "Z")


def parse_mana(cost: str, symbols: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Scryfall's mana_cost object for loose text: ``2WW``, ``{2}{w}{w}`` and ``2{g}2`` (= {4}{G}) are all
    understood. Generic amounts are summed, X/Y/Z come first, then the generic amount, then the other
    symbols in the order given. Raises ManaCostError for anything that is not a known cost symbol."""
    generic = 0
    saw_generic = False
    firsts: list[str] = []
    rest: list[str] = []
    for braced, digits, letter, space, other in _TOKEN.findall(cost):
        if space:
            continue
        if other:
            raise ManaCostError(f"“{other}” is not part of a mana cost.")
        raw = (braced or digits or letter).upper()
        if raw.isdigit():
            generic += int(raw)
            saw_generic = True
            continue
        symbol = "{" + raw + "}"
        found = symbols.get(symbol)
        if found is None or not found["represents_mana"]:
            raise ManaCostError(f"{symbol} is not a mana symbol.")
        (firsts if raw in _ORDER_FIRST else rest).append(symbol)
    if not (saw_generic or firsts or rest):
        raise ManaCostError("The cost is empty.")
    ordered = sorted(firsts, key=lambda s: _ORDER_FIRST.index(s[1:-1]))
    if saw_generic and (generic > 0 or (not rest and not firsts)):
        ordered.append("{" + str(generic) + "}")
    ordered.extend(rest)
    colors = [c for c in COLORS if any(c in symbols[s]["colors"] for s in ordered if s in symbols)]
    mana_value = generic + sum(symbols[s]["mana_value"] for s in ordered if s in symbols and not s[1:-1].isdigit())
    return {
        "object": "mana_cost",
        "cost": "".join(ordered),
        "cmc": float(mana_value),
        "colors": colors,
        "colorless": not colors,
        "monocolored": len(colors) == 1,
        "multicolored": len(colors) > 1,
    }
