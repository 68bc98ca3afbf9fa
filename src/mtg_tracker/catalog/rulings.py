"""Rulings from Scryfall's rulings bulk file and from MTGJSON's per-card rulings, as Scryfall's ruling
objects keyed by oracle id.

The parsing is pure (objects in, ``Ruling`` out); ``read_file`` only opens and streams a file, so a
180 MB AllPrintings never sits in memory whole.
"""

from __future__ import annotations

import gzip
import hashlib
import lzma
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, cast

import ijson

SOURCES = frozenset({"wotc", "scryfall"})


class RulingsFileError(ValueError):
    """The file is neither Scryfall's rulings file nor MTGJSON's AllPrintings/set file."""


@dataclass(frozen=True)
class Ruling:
    oracle_id: uuid.UUID
    source: str
    published_at: date
    comment: str

    @property
    def key(self) -> str:
        """Identity across sources: WotC rulings arrive from Scryfall and MTGJSON with the same text."""
        raw = f"{self.oracle_id}|{self.source}|{self.published_at.isoformat()}|{self.comment.strip()}"
        return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()

    def as_object(self) -> dict[str, Any]:
        return {
            "object": "ruling",
            "oracle_id": str(self.oracle_id),
            "source": self.source,
            "published_at": self.published_at.isoformat(),
            "comment": self.comment,
        }


def _ruling(oracle_id: Any, source: Any, published_at: Any, comment: Any) -> Ruling | None:
    """A ruling, or None for a record that lacks what a ruling needs (real files hold a few)."""
    if not isinstance(comment, str) or not comment.strip() or source not in SOURCES:
        return None
    try:
        return Ruling(uuid.UUID(str(oracle_id)), source, date.fromisoformat(str(published_at)), comment.strip())
    except ValueError:
        return None


def from_scryfall(objects: Iterable[dict[str, Any]]) -> Iterator[Ruling | None]:
    """Scryfall's rulings bulk file: an array of ruling objects. None marks a record that was skipped."""
    for obj in objects:
        if not isinstance(obj, dict):
            yield None
            continue
        yield _ruling(obj.get("oracle_id"), obj.get("source"), obj.get("published_at"), obj.get("comment"))


def from_mtgjson_set(set_obj: dict[str, Any]) -> Iterator[Ruling | None]:
    """One MTGJSON set's card rulings. MTGJSON copies Gatherer's rulings, which are WotC's; the oracle id
    is its identifiers.scryfallOracleId. A card without one cannot be keyed and is skipped (None)."""
    for card in set_obj.get("cards") or ():
        rulings = card.get("rulings") or ()
        oracle_id = (card.get("identifiers") or {}).get("scryfallOracleId")
        for r in rulings:
            yield _ruling(oracle_id, "wotc", r.get("date"), r.get("text")) if oracle_id else None


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        magic = probe.read(6)
    if magic.startswith(b"\x1f\x8b"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if magic.startswith(b"\xfd7zXZ"):
        return lzma.open(path, "rb")
    return path.open("rb")


def _first_char(stream: IO[bytes]) -> bytes:
    while True:
        ch = stream.read(1)
        if not ch or not ch.isspace():
            return ch


def read_file(path: Path) -> Iterator[Ruling | None]:
    """Rulings from a Scryfall rulings file (a JSON array) or an MTGJSON AllPrintings / set file (an object
    with ``data``), plain, gzip or xz. Raises RulingsFileError for anything else."""
    with _open(path) as probe:
        first = _first_char(probe)
    if first == b"[":
        with _open(path) as stream:
            yield from from_scryfall(ijson.items(stream, "item", use_float=True))
        return
    if first != b"{":
        raise RulingsFileError(f"{path.name} is not JSON: expected Scryfall's rulings array or an MTGJSON file.")
    with _open(path) as stream:
        # AllPrintings: data is {set code: set}; a single set file: data is the set itself.
        seen_any = False
        for key, value in ijson.kvitems(stream, "data", use_float=True):
            seen_any = True
            if key == "cards" and isinstance(value, list):
                yield from from_mtgjson_set({"cards": value})
            elif isinstance(value, dict) and "cards" in value:
                yield from from_mtgjson_set(value)
    if not seen_any:
        raise RulingsFileError(f"{path.name} has no MTGJSON 'data' object and is not a Scryfall rulings array.")
