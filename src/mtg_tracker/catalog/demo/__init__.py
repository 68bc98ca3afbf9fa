"""The built-in demo catalog: a small set of real, well-known Magic cards shipped with the package.

The data is real Scryfall data (card and set objects from Scryfall's public API and bulk files, 2019-2025
snapshots), selected and copied unaltered by ``scripts/build_demo_catalog.py``; do not edit the files by hand,
re-run that script instead. ``cards.json.gz`` is a gzip-compressed JSON array of Scryfall card objects (about
150 printings covering every colour and every card layout available in the sources, several printings of a few
staples, a few non-English printings, and real prices where the source had them); ``sets.json.gz`` is a JSON
array of the Scryfall set objects of the sets those cards belong to, except the sets released after the
2021 ``/sets`` snapshot the script reads (``MISSING_SET_CODES``), for which no set object is invented.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
CARDS_PATH = DEMO_DIR / "cards.json.gz"
SETS_PATH = DEMO_DIR / "sets.json.gz"

# Set codes of demo cards that have no set object in sets.json.gz (newer than the 2021 /sets snapshot).
# scripts/build_demo_catalog.py prints this list; keep the two in step when the selection changes.
MISSING_SET_CODES: frozenset[str] = frozenset({"bro", "clu", "cmm", "drc", "fdn", "mh2", "mid", "rvr", "woe"})

__all__ = ["CARDS_PATH", "DEMO_DIR", "MISSING_SET_CODES", "SETS_PATH"]
