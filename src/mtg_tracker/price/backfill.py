"""Backfill price history from files: the daily USD CSV and MTGJSON v5 ``AllPrices``/``AllPricesToday``.

Files are streamed (lzma/gzip/plain by suffix) and parsed on a worker thread in batches, so memory
stays flat and an API process keeps serving. Points are merged column by column into existing days
(``service.merge_points``). The whole backfill is one transaction, like a catalog import: a broken file
leaves the history as it was. Rows for printings the catalog does not know are counted, not fatal.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import gzip
import io
import lzma
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import ijson

from mtg_tracker.kit import metrics
from mtg_tracker.kit.cache import bump_generation
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.streams import CountingReader
from mtg_tracker.price import service as price_service
from mtg_tracker.price.codecs import BadRow, mtgjson_points, parse_csv_row

log = get_logger("mtg_tracker.price.backfill")

BATCH_ROWS = 5000
MAX_EXAMPLES = 20
CSV_COLUMNS = {"updated_at", "scryfall_id", "finish", "price_usd"}

ProgressFn = Callable[[int], None]


class BackfillAborted(Exception):
    """The file cannot be read as a whole (missing, wrong format, truncated); nothing was written."""


@dataclass
class BackfillSummary:
    source: str
    format: str
    rows_read: int = 0  # CSV rows, or MTGJSON cards
    points_written: int = 0  # (printing, day) rows merged, several finishes of a day counting once
    first_day: date | None = None
    last_day: date | None = None
    unknown_rows: int = 0
    unknown_printings: int = 0
    unknown_examples: list[str] = field(default_factory=list)
    unmapped_uuids: int = 0  # MTGJSON: uuids the identifiers file has no Scryfall id for
    bad_rows: int = 0
    bad_examples: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def bad(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.bad_examples) < MAX_EXAMPLES:
            self.bad_examples.append((line, reason))

    def saw_day(self, day: date) -> None:
        if self.first_day is None or day < self.first_day:
            self.first_day = day
        if self.last_day is None or day > self.last_day:
            self.last_day = day

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "rows_read": self.rows_read,
            "points_written": self.points_written,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "unknown_rows": self.unknown_rows,
            "unknown_printings": self.unknown_printings,
            "unknown_examples": self.unknown_examples,
            "unmapped_uuids": self.unmapped_uuids,
            "bad_rows": self.bad_rows,
            "bad_examples": [{"line": n, "reason": r} for n, r in self.bad_examples],
            "seconds": round(self.seconds, 2),
        }


# -- files ------------------------------------------------------------------------------------------


def open_binary(path: Path, progress: ProgressFn | None = None) -> IO[bytes]:
    """The decompressed bytes of ``path``: ``.xz``/``.lzma`` and ``.gz`` by suffix, else as is."""
    if not path.is_file():
        raise BackfillAborted(f"no such file: {path}")
    raw = io.BufferedReader(CountingReader(path.open("rb"), progress), buffer_size=1 << 20)
    suffix = path.suffix.lower()
    if suffix in (".xz", ".lzma"):
        return lzma.open(raw, "rb")
    if suffix == ".gz":
        return gzip.open(raw, "rb")  # type: ignore[return-value]
    return raw


_READ_ERRORS = (OSError, EOFError, lzma.LZMAError, UnicodeDecodeError, csv.Error)


# -- daily CSV ----------------------------------------------------------------------------------------

CsvItem = tuple[int, Any]  # (line, CsvPoint | BadRow)


def _csv_items(path: Path, progress: ProgressFn | None) -> Iterator[CsvItem]:
    stream = open_binary(path, progress)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        reader = csv.DictReader(text)
        header = set(reader.fieldnames or [])
        if not header >= CSV_COLUMNS:
            missing = ", ".join(sorted(CSV_COLUMNS - header))
            raise BackfillAborted(f"not a daily price CSV: the header lacks {missing}")
        for row in reader:
            try:
                yield reader.line_num, parse_csv_row(row)
            except BadRow as exc:
                yield reader.line_num, exc
    finally:
        text.close()


def _take(items: Iterator[Any], n: int) -> list[Any]:
    out = []
    for item in items:
        out.append(item)
        if len(out) >= n:
            break
    return out


class _Writer:
    """Buffers merged points per (printing, day) and writes them in Core batches."""

    def __init__(self, session: Any, known: set[uuid.UUID], summary: BackfillSummary) -> None:
        self.session = session
        self.known = known
        self.summary = summary
        self.pending: dict[tuple[uuid.UUID, date], dict[str, Any]] = {}
        self.unknown: dict[uuid.UUID, None] = {}
        self.last_flushed: set[tuple[uuid.UUID, date]] = set()

    def add(self, card_id: uuid.UUID, day: date, prices: dict[str, int], label: str) -> None:
        if card_id not in self.known:
            self.summary.unknown_rows += 1
            if card_id not in self.unknown:
                self.unknown[card_id] = None
                if len(self.summary.unknown_examples) < MAX_EXAMPLES:
                    self.summary.unknown_examples.append(label)
            return
        self.summary.saw_day(day)
        # Several finishes of one printing and day become one row: a split across batches is merged
        # again by the upsert, so flushing on size alone is safe.
        row = self.pending.setdefault((card_id, day), {"card_id": card_id, "day": day})
        row.update(prices)

    async def flush(self, force: bool = False) -> None:
        if self.pending and (force or len(self.pending) >= BATCH_ROWS):
            rows = list(self.pending.values())
            keys = set(self.pending)
            self.pending.clear()
            await price_service.merge_points(self.session, rows)
            # A point whose rows straddle a batch boundary is merged twice but is still one point. Files
            # are grouped by printing or day, so looking one batch back is enough to count it once.
            self.summary.points_written += len(keys - self.last_flushed)
            self.last_flushed = keys

    async def close(self) -> None:
        """Write what is pending, count the unknown printings, and invalidate cached history."""
        await self.flush(force=True)
        self.summary.unknown_printings = len(self.unknown)
        if self.summary.points_written:
            await bump_generation(self.session, price_service.PRICE_CACHE_NAMESPACE)


def _finished(summary: BackfillSummary, started: float) -> BackfillSummary:
    summary.seconds = time.perf_counter() - started
    metrics.PRICE_BACKFILL_POINTS.labels(summary.format).inc(summary.points_written)
    log.info("price_backfill_finished", **summary.as_dict())
    return summary


async def import_csv(db: Database, path: Path, *, progress: ProgressFn | None = None) -> BackfillSummary:
    """Backfill a daily USD CSV (``updated_at,set,scryfall_id,name,…,finish,price_usd,…``)."""
    started = time.perf_counter()
    summary = BackfillSummary(source=str(path), format="csv")
    try:
        async with db.session_scope() as session:
            writer = _Writer(session, await price_service.card_ids(session), summary)
            items = _csv_items(path, progress)
            while batch := await asyncio.to_thread(_take, items, BATCH_ROWS):
                for line, item in batch:
                    summary.rows_read += 1
                    if isinstance(item, BadRow):
                        summary.bad(line, str(item))
                        continue
                    writer.add(item.card_id, item.day, {item.column: item.cents}, f"{item.card_id} ({item.label})")
                await writer.flush()
            await writer.close()
    except _READ_ERRORS as exc:
        raise BackfillAborted(f"cannot read {path.name} (line {summary.rows_read + 1}): {exc}") from exc
    return _finished(summary, started)


# -- MTGJSON -----------------------------------------------------------------------------------------


_CARD_LISTS = ("cards", "tokens")


def load_identifiers(path: Path, progress: ProgressFn | None = None) -> dict[str, uuid.UUID]:
    """MTGJSON uuid → Scryfall id, from ``AllPrintings`` (sets → cards/tokens) or ``AllIdentifiers``.

    Streams parser events so a 300 MB file never becomes Python objects; only two string fields per
    card are kept.
    """
    mapping: dict[str, uuid.UUID] = {}
    stream = open_binary(path, progress)
    current: dict[str, str] = {}
    try:
        for prefix, event, value in ijson.parse(stream):
            if event == "string":
                # Exact depths: foreign-language entries nest identifiers and uuids of their own.
                parts = prefix.split(".")
                if len(parts) == 4 and parts[2:] == ["identifiers", "scryfallId"]:  # AllIdentifiers
                    _put(mapping, parts[1], value)
                elif len(parts) == 6 and parts[2] in _CARD_LISTS and parts[3] == "item":  # AllPrintings
                    if parts[4:] == ["identifiers", "scryfallId"]:
                        current["scryfallId"] = value
                elif len(parts) == 5 and parts[2] in _CARD_LISTS and parts[3:] == ["item", "uuid"]:
                    current["uuid"] = value
            elif event == "end_map" and prefix.endswith((".cards.item", ".tokens.item")):
                if "uuid" in current and "scryfallId" in current:
                    _put(mapping, current["uuid"], current["scryfallId"])
                current = {}
    except (ijson.common.JSONError, *_READ_ERRORS) as exc:
        raise BackfillAborted(f"cannot read the identifiers file {path.name}: {exc}") from exc
    finally:
        stream.close()
    if not mapping:
        raise BackfillAborted(
            f"{path.name} holds no MTGJSON uuid → scryfallId mapping (expected AllPrintings or AllIdentifiers)"
        )
    return mapping


def _put(mapping: dict[str, uuid.UUID], key: str, scryfall_id: str) -> None:
    with contextlib.suppress(ValueError):  # a malformed id maps nothing; its prices are reported as unmapped
        mapping[key] = uuid.UUID(scryfall_id)


def _price_entries(path: Path, progress: ProgressFn | None) -> Iterator[tuple[int, Any]]:
    stream = open_binary(path, progress)
    try:
        # Decimals, not floats: prices must arrive exact.
        yield from enumerate(ijson.kvitems(stream, "data", use_float=False))
    except (ijson.common.JSONError, *_READ_ERRORS) as exc:
        raise BackfillAborted(f"cannot read {path.name}: {exc}") from exc
    finally:
        stream.close()


async def import_mtgjson(
    db: Database,
    path: Path,
    identifiers: dict[str, uuid.UUID],
    *,
    progress: ProgressFn | None = None,
) -> BackfillSummary:
    """Backfill MTGJSON v5 ``AllPrices``/``AllPricesToday`` (``{"data": {uuid: {paper|mtgo: …}}}``)."""
    started = time.perf_counter()
    summary = BackfillSummary(source=str(path), format="mtgjson")
    try:
        async with db.session_scope() as session:
            writer = _Writer(session, await price_service.card_ids(session), summary)
            entries = _price_entries(path, progress)
            while batch := await asyncio.to_thread(_take, entries, 500):
                for index, (mtgjson_uuid, entry) in batch:
                    summary.rows_read += 1
                    scryfall_id = identifiers.get(mtgjson_uuid)
                    if scryfall_id is None:
                        summary.unmapped_uuids += 1
                        continue
                    days, problems = mtgjson_points(entry)
                    for problem in problems:
                        summary.bad(index + 1, f"{mtgjson_uuid}: {problem}")
                    for day, prices in days.items():
                        writer.add(scryfall_id, day, prices, f"{scryfall_id} (MTGJSON {mtgjson_uuid})")
                await writer.flush()
            await writer.close()
    except _READ_ERRORS as exc:
        raise BackfillAborted(f"cannot read {path.name}: {exc}") from exc
    if summary.rows_read == 0:
        raise BackfillAborted(f"{path.name} has no MTGJSON price entries under data")
    return _finished(summary, started)
