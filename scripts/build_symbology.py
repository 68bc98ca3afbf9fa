#!/usr/bin/env python3
"""Build the shipped symbology list from real card data (run by a developer; the output is committed).

Scryfall's /symbology is not reachable from the build environment, so the list is made of what the real
data holds: every ``{…}`` symbol in the mana costs and rules texts of the Scryfall files in
``../shared/data/cards`` and of MTGJSON's AllPrintings in ``../shared/data/mtgjson``. For each symbol,
``appears_in_mana_costs`` says whether any card's mana cost holds it and ``funny`` whether it appears only
on joke cards (silver border or a funny set); the other fields follow from the symbol itself
(``mtg_tracker.catalog.symbology.card_symbol``).

Usage: ``python scripts/build_symbology.py [--data-dir ../shared/data] [--out PATH]``
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from mtg_tracker.catalog.symbology import COLORS, card_symbol

SYMBOL = re.compile(r"\{[^{}]{1,12}\}")
SCRYFALL_FILES = (
    "scryfall-default-cards-2019.json.gz",
    "scryfall-search-page-2023.json.gz",
    "scryfall-cards-2025-sample.json.gz",
)
MTGJSON_FILE = "AllPrintings-2022-04-25-no-CMR.json.xz"


def _scryfall(path: Path) -> Iterator[tuple[str | None, str | None, bool]]:
    with gzip.open(path) as fh:
        data = json.load(fh)
    for card in data["data"] if isinstance(data, dict) else data:
        funny = card.get("border_color") == "silver" or card.get("set_type") == "funny"
        for part in [card, *(card.get("card_faces") or [])]:
            yield part.get("mana_cost"), part.get("oracle_text"), funny


def _mtgjson(path: Path) -> Iterator[tuple[str | None, str | None, bool]]:
    with lzma.open(path) as fh:
        for _code, set_obj in ijson.kvitems(fh, "data"):
            for card in set_obj.get("cards") or []:
                funny = set_obj.get("type") == "funny" or card.get("borderColor") == "silver"
                yield card.get("manaCost"), card.get("text"), funny


def _sort_key(symbol: dict[str, Any]) -> tuple[Any, ...]:
    inner = symbol["symbol"][1:-1]
    if not symbol["represents_mana"]:
        return (0, inner)
    if inner in ("X", "Y", "Z"):
        return (1, inner)
    if inner.isdigit():
        return (2, int(inner))
    first_color = min((COLORS.index(c) for c in symbol["colors"]), default=9)
    return (3, symbol["hybrid"], symbol["phyrexian"], first_color, inner)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("src/mtg_tracker/catalog/data/symbology.json"))
    args = parser.parse_args()
    in_costs: set[str] = set()
    serious: set[str] = set()
    seen: set[str] = set()
    sources = [_scryfall(args.data_dir / "cards" / name) for name in SCRYFALL_FILES]
    sources.append(_mtgjson(args.data_dir / "mtgjson" / MTGJSON_FILE))
    for source in sources:
        for cost, text, funny in source:
            for symbol in SYMBOL.findall(cost or ""):
                in_costs.add(symbol)
            for symbol in SYMBOL.findall(cost or "") + SYMBOL.findall(text or ""):
                seen.add(symbol)
                if not funny:
                    serious.add(symbol)
    symbols = [card_symbol(s, in_mana_costs=s in in_costs, funny=s not in serious) for s in seen]
    symbols.sort(key=_sort_key)
    out = {
        "meta": {
            "source": "every symbol in the mana costs and rules texts of "
            + ", ".join([*SCRYFALL_FILES, MTGJSON_FILE])
            + " (scripts/build_symbology.py); svg_uri and gatherer_alternates unknown",
        },
        "object": "list",
        "has_more": False,
        "data": symbols,
    }
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(symbols)} symbols written to {args.out}")


if __name__ == "__main__":
    main()
