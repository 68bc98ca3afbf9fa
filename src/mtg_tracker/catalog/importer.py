"""Bulk import of Scryfall card and set files: streaming, batched, idempotent, all-or-nothing.

The whole import is one transaction: readers keep seeing the previous catalog until it commits, and a
failure (a truncated file, a lost database) leaves that catalog untouched. The file is parsed
incrementally (ijson) on a worker thread in batches, so memory stays flat and the event loop keeps
serving requests while a scheduled sync runs inside the API process.

Unchanged cards are detected by a hash of the stored object (prices excluded: they change daily and
are written to the day's price point instead), so re-importing the same file writes no card rows.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, cast

import ijson
import orjson
from sqlalchemy import Table, bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog import searchindex
from mtg_tracker.catalog.models import (
    CATALOG_CACHE_NAMESPACE,
    Card,
    CardMultiverse,
    CardName,
    CardSet,
    CatalogImport,
)
from mtg_tracker.catalog.normalize import NORMALIZER_VERSION, BadRecord, NormalizedCard, normalize_card, quick_state
from mtg_tracker.catalog.searchdoc import search_rows
from mtg_tracker.catalog.upgrade import set_id_for
from mtg_tracker.kit import metrics
from mtg_tracker.kit.cache import bump_generation
from mtg_tracker.kit.db import Database, dialect_insert, utcnow
from mtg_tracker.kit.logging import get_logger
from mtg_tracker.kit.streams import CountingReader
from mtg_tracker.price import service as price_service
from mtg_tracker.price.models import PRICE_TYPES as _PRICE_COLS

log = get_logger("mtg_tracker.catalog.import")

BATCH_SIZE = 1000
MAX_REPORTED_SKIPS = 200
_IMPORT_LOCK_KEY = 0x6D7467  # PostgreSQL advisory lock: one catalog import at a time

ProgressFn = Callable[[int], None]


class ImportAborted(Exception):
    """The file cannot be imported as a whole (truncated, not JSON, not gzip); nothing was changed."""

    def __init__(self, reason: str, *, record: int | None = None, byte_offset: int | None = None) -> None:
        self.reason = reason
        self.record = record
        self.byte_offset = byte_offset
        where = []
        if record is not None:
            where.append(f"after record {record}")
        if byte_offset is not None:
            where.append(f"near byte {byte_offset:,}")
        super().__init__(f"{reason} ({', '.join(where)})" if where else reason)


@dataclass
class Skipped:
    record: int
    card_id: str | None
    reason: str


@dataclass
class Tally:
    """What every import reports: rows read, what became of them, and why rows were skipped."""

    source: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    skipped_examples: list[Skipped] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def skip(self, record: int, card_id: str | None, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason.split(" (")[0].split(" '")[0]] += 1  # group "duplicate id (first …)"
        if len(self.skipped_examples) < MAX_REPORTED_SKIPS:
            self.skipped_examples.append(Skipped(record=record, card_id=card_id, reason=reason))


@dataclass
class ImportSummary(Tally):
    unchanged: int = 0
    sets_inserted: int = 0
    sets_updated: int = 0
    prices_recorded: int = 0
    price_day: date | None = None
    identical_to_import: int | None = None  # set when the file was recognised as already imported
    # Cards written in the current schema although the source was older, and per field how often the
    # upgrade had to add or convert it (catalog.upgrade).
    upgraded: int = 0
    upgraded_fields: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "skip_reasons": dict(self.skip_reasons),
            "sets_inserted": self.sets_inserted,
            "sets_updated": self.sets_updated,
            "prices_recorded": self.prices_recorded,
            "price_day": self.price_day.isoformat() if self.price_day else None,
            "seconds": round(self.seconds, 2),
            "skipped_examples": [vars(e) for e in self.skipped_examples[:20]],
            "identical_to_import": self.identical_to_import,
            "upgraded": self.upgraded,
            "upgraded_fields": dict(self.upgraded_fields.most_common()),
        }


# -- reading files ------------------------------------------------------------------------------------


def _open_stream(path: Path, progress: ProgressFn | None) -> tuple[IO[bytes], CountingReader]:
    raw = path.open("rb")
    counter = CountingReader(raw, progress)
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    magic = buffered.peek(2)[:2]
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered, mode="rb"), counter  # type: ignore[return-value]
    return buffered, counter


def _array_prefix(stream: IO[bytes]) -> str:
    """``item`` for a bare array (bulk files), ``data.item`` for a list object (API responses)."""
    peek: bytes = stream.peek(64) if hasattr(stream, "peek") else b""
    head = peek.lstrip()[:1]
    if head == b"{":
        return "data.item"
    if head == b"[":
        return "item"
    if not head:
        raise ImportAborted("the file is empty", record=0, byte_offset=0)
    raise ImportAborted("the file is not a JSON array or list object", record=0, byte_offset=0)


def iter_json_records(path: Path, progress: ProgressFn | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(record index, object)`` from a .json or .json.gz array; abort cleanly on a broken file."""
    if not path.exists():
        raise ImportAborted(f"no such file: {path}")
    stream, counter = _open_stream(path, progress)
    index = -1
    try:
        try:
            prefix = _array_prefix(stream)
        except (OSError, EOFError, zlib.error) as exc:
            raise ImportAborted(f"cannot read the file: {exc}", record=0, byte_offset=0) from exc
        for index, obj in enumerate(ijson.items(stream, prefix, use_float=True)):
            yield index, obj
    except ImportAborted:
        raise
    except ijson.common.IncompleteJSONError as exc:
        reason = (
            "the file ends in the middle of a record"
            if "Incomplete" in str(exc) or "premature" in str(exc).lower()
            else f"malformed JSON: {exc}"
        )
        raise ImportAborted(reason, record=index + 1, byte_offset=counter.position) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise ImportAborted(
            f"the compressed file is truncated or corrupt: {exc}", record=index + 1, byte_offset=counter.position
        ) from exc
    except ijson.common.JSONError as exc:
        raise ImportAborted(f"malformed JSON: {exc}", record=index + 1, byte_offset=counter.position) from exc
    finally:
        stream.close()


@dataclass(frozen=True, slots=True)
class _Known:
    """What the catalog holds for a card: enough to decide insert, update, price-only or nothing."""

    content_hash: str
    prices: PriceSig
    price_day: date | None


@dataclass(frozen=True, slots=True)
class _Unchanged:
    """A record recognised in the parse thread as already stored, prices and today's point included."""

    id: uuid.UUID


Item = NormalizedCard | BadRecord | _Unchanged


def _settled(state: _Known | None, content_hash: str, prices: PriceSig, day: date) -> bool:
    """Nothing to write: same object, same prices, and today's point is already there (or none is due)."""
    if state is None or state.content_hash != content_hash or state.prices != prices:
        return False
    return state.price_day == day or all(p is None for p in prices)


def _known_id(obj: Any, known: dict[uuid.UUID, _Known]) -> bool:
    raw = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(raw, str):
        return False
    try:
        return uuid.UUID(raw) in known
    except ValueError:
        return False


def _normalized(obj: Any, set_types: dict[str, str] | None = None) -> NormalizedCard:
    card = normalize_card(obj, set_types)
    # From the upgraded object, so that keyword:, produces: and the set fields work on 2019 cards too.
    card.search, card.text = search_rows(card.current, card.row)
    card.current = {}  # not needed past this point; batches should not hold two copies of every object
    return card


def _take(
    records: Iterator[tuple[int, Any]],
    n: int,
    known: dict[uuid.UUID, _Known],
    day: date,
    set_types: dict[str, str] | None = None,
) -> list[tuple[int, Item, Any]]:
    """Parse and classify up to n records (runs on a worker thread while the loop waits for it).

    Settled cards are recognised from their hash alone; only new or changed ones pay for the full
    normalisation. ``known`` is only read here, and only written between batches.
    """
    out: list[tuple[int, Item, Any]] = []
    for index, obj in records:
        # Only cards the catalog already holds can be settled; a first import skips the extra hashing.
        quick = quick_state(obj) if known and _known_id(obj, known) else None
        if quick is not None and _settled(known.get(quick[0]), quick[1], quick[2], day):
            out.append((index, _Unchanged(quick[0]), None))
        else:
            try:
                out.append((index, _normalized(obj, set_types), None))
            except BadRecord as exc:
                card_id = obj.get("id") if isinstance(obj, dict) else None
                out.append((index, exc, card_id if isinstance(card_id, str) else None))
        if len(out) >= n:
            break
    return out


# -- writing ------------------------------------------------------------------------------------------

CARD_TABLE = cast(Table, Card.__table__)
NAME_TABLE = cast(Table, CardName.__table__)
MULTIVERSE_TABLE = cast(Table, CardMultiverse.__table__)
_CARD_COLUMNS = [c.name for c in CARD_TABLE.columns]


def _upsert_cards_stmt(session: AsyncSession) -> Any:
    # Core table, not the ORM entity: the ORM's bulk path sends one statement per row, Core sends one
    # executemany per batch (30x faster on SQLite through aiosqlite's thread).
    insert = dialect_insert(session)
    stmt = insert(CARD_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=[CARD_TABLE.c.id], set_={c: stmt.excluded[c] for c in _CARD_COLUMNS if c != "id"}
    )


async def _lock(session: AsyncSession) -> None:
    """Start an import transaction: one import at a time, and no statement time limit.

    The limit protects request handlers from runaway queries; an import's bulk statements (ranking and
    indexing 150,000 printings) legitimately take longer, and the import as a whole is bounded by its
    input.
    """
    await searchindex.unbounded(session)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _IMPORT_LOCK_KEY})


PriceSig = tuple[int | None, ...]


def _price_sig(row: dict[str, Any]) -> PriceSig:
    return tuple(row.get(c) for c in _PRICE_COLS)


async def _existing_state(session: AsyncSession, ids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, _Known]:
    cols = [getattr(Card, c) for c in _PRICE_COLS]
    stmt = select(Card.id, Card.content_hash, Card.price_day, *cols)
    if ids is not None:
        stmt = stmt.where(Card.id.in_(ids))
    return {row[0]: _Known(row[1], tuple(row[3:]), row[2]) for row in await session.execute(stmt)}


async def _start_record(db: Database, kind: str, source: str, **extra: Any) -> int:
    async with db.session_scope() as session:
        rec = CatalogImport(kind=kind, source=source[:500], status="running", started_at=utcnow(), **extra)
        session.add(rec)
        await session.flush()
        return rec.id


async def _finish_record(
    db: Database, record_id: int, status: str, *, summary: dict[str, Any] | None = None, error: str | None = None
) -> None:
    async with db.session_scope() as session:
        await session.execute(
            update(CatalogImport)
            .where(CatalogImport.id == record_id)
            .values(
                status=status,
                finished_at=utcnow(),
                summary=orjson.dumps(summary).decode() if summary else None,
                error=error,
            )
        )


async def _set_types(session: AsyncSession) -> dict[str, str]:
    """Set types from imported /sets objects: the upgrade of a 2019 card (which names none) uses the real
    one instead of a guess from its layout."""
    rows = await session.execute(
        select(CardSet.code, CardSet.set_type).where(CardSet.source == "sets", CardSet.set_type.is_not(None))
    )
    return {r[0]: r[1] for r in rows if r[1]}


class _SetAccumulator:
    def __init__(self) -> None:
        self.sets: dict[str, dict[str, Any]] = {}

    def add(self, info: dict[str, Any]) -> None:
        code = info["code"]
        cur = self.sets.get(code)
        if cur is None:
            self.sets[code] = dict(info)
            return
        for key in ("id", "name", "set_type"):
            if cur.get(key) is None and info.get(key) is not None:
                cur[key] = info[key]
        if info.get("released_at") and (cur.get("released_at") is None or info["released_at"] < cur["released_at"]):
            cur["released_at"] = info["released_at"]
        cur["digital"] = cur.get("digital", False) and info.get("digital", False)


async def _write_sets_from_cards(session: AsyncSession, acc: _SetAccumulator, summary: ImportSummary) -> None:
    if not acc.sets:
        return
    existing = {
        r[0]: (r[1], r[2:])
        for r in await session.execute(
            select(
                CardSet.code,
                CardSet.source,
                CardSet.id,
                CardSet.name,
                CardSet.set_type,
                CardSet.released_at,
                CardSet.digital,
            )
        )
    }
    taken_ids = {r[0] for r in await session.execute(select(CardSet.id).where(CardSet.id.is_not(None)))}
    now = utcnow()
    insert = dialect_insert(session)
    for code, info in acc.sets.items():
        source, current = existing.get(code, (None, None))
        if source == "sets":
            continue  # the full /sets object wins over what cards say about their set
        set_id = info.get("id")
        if set_id is None or (source is None and set_id in taken_ids):
            # No id from the cards, or another code already carries it: a stable id of the code, so that
            # /sets/{id} and the set's uri work and stay the same across imports and instances.
            set_id = uuid.UUID(set_id_for(code, None))
        values = {
            "code": code,
            "id": set_id,
            "name": info.get("name") or code.upper(),
            "set_type": info.get("set_type"),
            "released_at": info.get("released_at"),
            "digital": bool(info.get("digital")),
            "card_count": 0,
            "source": "cards",
            "data": None,
            "updated_at": now,
        }
        if source is None:
            await session.execute(insert(CardSet).values(**values))
            summary.sets_inserted += 1
        elif current != (values["id"], values["name"], values["set_type"], values["released_at"], values["digital"]):
            values.pop("code")
            values.pop("card_count")
            await session.execute(update(CardSet).where(CardSet.code == code).values(**values))
            summary.sets_updated += 1
    # Sets known only from cards report how many printings the catalog holds for them.
    await session.execute(
        text(
            "UPDATE catalog_set SET card_count = "
            "(SELECT count(*) FROM catalog_card WHERE catalog_card.set_code = catalog_set.code) "
            "WHERE source = 'cards'"
        )
    )


async def import_cards(
    db: Database,
    path: Path,
    *,
    price_day: date | None = None,
    progress: ProgressFn | None = None,
    batch_size: int = BATCH_SIZE,
    kind: str = "cards",
    record_extra: dict[str, Any] | None = None,
    force: bool = False,
) -> ImportSummary:
    """Import a Scryfall card file (bulk array or list object, plain or gzip) into the catalog.

    A file byte-identical to the last successful import, for the same price day and normaliser version,
    is recognised by its fingerprint and not processed again (``force`` processes it anyway): its cards
    and that day's prices are already exactly what the catalog holds.
    """
    started = time.perf_counter()
    day = price_day or datetime.now(UTC).date()
    summary = ImportSummary(source=str(path), price_day=day)
    fingerprint, size = await asyncio.to_thread(file_fingerprint, path)
    extra = {**(record_extra or {}), "fingerprint": fingerprint}
    if fingerprint and not force:
        previous = await _identical_import(db, fingerprint, day)
        if previous is not None:
            return await _replay(db, kind, path, previous, summary, extra, started, progress, size)
    record_id = await _start_record(db, kind, str(path), **extra)
    try:
        async with db.session_scope() as session:
            await _lock(session)
            known = await _existing_state(session)
            set_types = await _set_types(session)
            seen: dict[uuid.UUID, int] = {}
            sets = _SetAccumulator()
            upsert = _upsert_cards_stmt(session)
            records = iter_json_records(path, progress)
            ranked: set[uuid.UUID] = set()
            text_index = searchindex.TextIndexBatch(session, bulk=not known)
            while True:
                # Parsing and writing take turns: overlapping them on a thread was measured slower (the
                # parser and SQLAlchemy's parameter handling contend for the GIL).
                batch = await asyncio.to_thread(_take, records, batch_size, known, day, set_types)
                if not batch:
                    break
                await _write_batch(
                    session,
                    batch,
                    known=known,
                    seen=seen,
                    sets=sets,
                    upsert=upsert,
                    day=day,
                    summary=summary,
                    ranked=ranked,
                    text_index=text_index,
                )
            await text_index.finish(await session.connection())
            if ranked:
                await searchindex.rank_printings(session, ranked)
            await _write_sets_from_cards(session, sets, summary)
            if (
                summary.inserted
                or summary.updated
                or summary.sets_inserted
                or summary.sets_updated
                or summary.prices_recorded
            ):
                await bump_generation(session, CATALOG_CACHE_NAMESPACE)
    except ImportAborted as exc:
        summary.seconds = time.perf_counter() - started
        await _finish_record(db, record_id, "failed", summary=summary.as_dict(), error=str(exc))
        raise
    except BaseException as exc:
        await _finish_record(db, record_id, "failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    summary.seconds = time.perf_counter() - started
    await _finish_record(db, record_id, "succeeded", summary=summary.as_dict())
    for result in ("inserted", "updated", "unchanged", "skipped"):
        metrics.CATALOG_IMPORT_CARDS.labels(result).inc(getattr(summary, result))
    log.info("catalog_import_finished", **summary.as_dict())
    return summary


def file_fingerprint(path: Path) -> tuple[str | None, int]:
    """(sha256 of the file + normaliser version, size), or (None, 0) when it cannot be read: the import
    itself then reports why."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return None, 0
    return f"sha256:{digest.hexdigest()}:v{NORMALIZER_VERSION}", size


async def last_card_import(session: AsyncSession) -> CatalogImport | None:
    """The newest successful import of cards (a file or a bulk sync): what the catalog reflects."""
    stmt = (
        select(CatalogImport)
        .where(CatalogImport.status == "succeeded", CatalogImport.kind.in_(("cards", "bulk")))
        .order_by(CatalogImport.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _identical_import(db: Database, fingerprint: str, day: date) -> CatalogImport | None:
    """The newest successful card import, if it imported this very file for this price day."""
    async with db.session(write=False) as session:
        last = await last_card_import(session)
    if last is None or last.fingerprint != fingerprint or not last.summary:
        return None
    if orjson.loads(last.summary).get("price_day") != day.isoformat():
        return None
    return last


async def _replay(
    db: Database,
    kind: str,
    path: Path,
    previous: CatalogImport,
    summary: ImportSummary,
    extra: dict[str, Any],
    started: float,
    progress: ProgressFn | None,
    size: int,
) -> ImportSummary:
    """Report an identical file as what a full re-import would find: every valid record unchanged."""
    before = orjson.loads(previous.summary or "{}")
    summary.read = before.get("read", 0)
    summary.skipped = before.get("skipped", 0)
    summary.unchanged = summary.read - summary.skipped
    summary.skip_reasons.update(before.get("skip_reasons", {}))
    summary.skipped_examples = [Skipped(**e) for e in before.get("skipped_examples", [])]
    # A repeat of a repeat points at the import that did the work.
    summary.identical_to_import = before.get("identical_to_import") or previous.id
    if progress:
        progress(size)
    summary.seconds = time.perf_counter() - started
    record_id = await _start_record(db, kind, str(path), **extra)
    await _finish_record(db, record_id, "succeeded", summary=summary.as_dict())
    metrics.CATALOG_IMPORT_CARDS.labels("unchanged").inc(summary.unchanged)
    log.info("catalog_import_identical", **summary.as_dict())
    return summary


async def _write_batch(
    session: AsyncSession,
    batch: list[tuple[int, Item, Any]],
    *,
    known: dict[uuid.UUID, _Known],
    seen: dict[uuid.UUID, int],
    sets: _SetAccumulator,
    upsert: Any,
    day: date,
    summary: ImportSummary,
    ranked: set[uuid.UUID],
    text_index: searchindex.TextIndexBatch | None = None,
) -> None:
    """Write one batch; ``ranked`` collects the cards whose printings need ranking again."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    changed_ids: list[uuid.UUID] = []
    names: list[dict[str, Any]] = []
    multiverse: list[dict[str, Any]] = []
    search: list[searchindex.SearchRows] = []
    prices: list[tuple[uuid.UUID, dict[str, int | None]]] = []
    price_updates: list[dict[str, Any]] = []
    for index, item, raw_id in batch:
        summary.read += 1
        if isinstance(item, BadRecord):
            summary.skip(index, raw_id, str(item))
            continue
        if item.id in seen:
            summary.skip(index, str(item.id), f"duplicate id (first seen at record {seen[item.id]})")
            continue
        seen[item.id] = index
        if isinstance(item, _Unchanged):
            summary.unchanged += 1
            continue
        card = item
        if card.upgraded:
            summary.upgraded += 1
            summary.upgraded_fields.update(card.upgraded)
        sets.add(card.set_info)
        sig = _price_sig(card.row)
        previous = known.get(card.id)
        priced = any(p is not None for p in sig)
        price_day = day if priced else (previous.price_day if previous else None)
        if priced and not (previous is not None and previous.prices == sig and previous.price_day == day):
            prices.append((card.id, card.prices))
        known[card.id] = _Known(card.content_hash, sig, price_day)
        if previous is not None and previous.content_hash == card.content_hash:
            summary.unchanged += 1
            if previous.prices != sig or previous.price_day != price_day:
                # Same card, new prices or a new day: refresh only the current-price columns (and which
                # printing is the card's cheapest).
                price_updates.append({"b_id": card.id, "price_day": price_day, **{c: card.row[c] for c in _PRICE_COLS}})
                if card.search is not None:
                    ranked.add(card.search["oracle_key"])
            continue
        if previous is None:
            summary.inserted += 1
        else:
            summary.updated += 1
            changed_ids.append(card.id)
        rows.append(
            {
                **card.row,
                "data": card.data,
                "source": card.source,
                "content_hash": card.content_hash,
                "price_day": price_day,
                "updated_at": now,
            }
        )
        if card.search is not None and card.text is not None:
            search.append((card.id, card.search, card.text))
        names.extend({"card_id": card.id, "name_norm": n} for n in card.names)
        multiverse.extend({"card_id": card.id, "multiverse_id": m} for m in card.multiverse_ids)
    conn = await session.connection()
    if changed_ids:
        await conn.execute(delete(NAME_TABLE).where(NAME_TABLE.c.card_id.in_(changed_ids)))
        await conn.execute(delete(MULTIVERSE_TABLE).where(MULTIVERSE_TABLE.c.card_id.in_(changed_ids)))
    if rows:
        await conn.execute(upsert, rows)
        await searchindex.write_rows(conn, session, search, text_index)
        ranked.update(s["oracle_key"] for _, s, _ in search)
    if price_updates:
        await searchindex.update_prices(conn, price_updates)
        await conn.execute(
            CARD_TABLE.update()
            .where(CARD_TABLE.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in (*_PRICE_COLS, "price_day")}),
            price_updates,
        )
    if names:
        await conn.execute(dialect_insert(session)(NAME_TABLE).on_conflict_do_nothing(), names)
    if multiverse:
        await conn.execute(dialect_insert(session)(MULTIVERSE_TABLE).on_conflict_do_nothing(), multiverse)
    if prices:
        summary.prices_recorded += await price_service.record_points(session, day, prices)


# -- sets ---------------------------------------------------------------------------------------------


def _set_values(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict) or obj.get("object", "set") != "set":
        raise BadRecord("record is not a set object")
    code = obj.get("code")
    name = obj.get("name")
    if not isinstance(code, str) or not code or not isinstance(name, str) or not name:
        raise BadRecord("set without code or name")
    try:
        set_id = uuid.UUID(obj["id"]) if obj.get("id") else None
        released = date.fromisoformat(obj["released_at"]) if obj.get("released_at") else None
    except (ValueError, TypeError) as exc:
        raise BadRecord(f"bad id or released_at: {exc}") from exc
    count = obj.get("card_count", 0)
    return {
        "code": code.lower(),
        "id": set_id,
        "name": name,
        "set_type": obj.get("set_type") if isinstance(obj.get("set_type"), str) else None,
        "released_at": released,
        "block_code": obj.get("block_code") if isinstance(obj.get("block_code"), str) else None,
        "parent_set_code": obj.get("parent_set_code") if isinstance(obj.get("parent_set_code"), str) else None,
        "digital": bool(obj.get("digital")),
        "card_count": count if isinstance(count, int) and not isinstance(count, bool) else 0,
        "source": "sets",
        "data": orjson.dumps(obj),
    }


async def import_sets(
    db: Database, path: Path | None = None, *, objects: list[Any] | None = None, progress: ProgressFn | None = None
) -> Tally:
    """Import Scryfall set objects (a /sets list response or array file, or objects fetched from the API);
    full objects replace the set rows derived from cards."""
    started = time.perf_counter()
    source = str(path) if path is not None else "scryfall /sets"
    summary = Tally(source=source)
    record_id = await _start_record(db, "sets", source)
    try:
        async with db.session_scope() as session:
            await _lock(session)
            existing = {r[0] for r in await session.execute(select(CardSet.code))}
            insert = dialect_insert(session)
            now = utcnow()
            if objects is not None:
                items: list[tuple[int, Any]] = list(enumerate(objects))
            else:
                assert path is not None
                items = await asyncio.to_thread(list, iter_json_records(path, progress))
            for index, obj in items:
                summary.read += 1
                try:
                    values = _set_values(obj)
                except BadRecord as exc:
                    summary.skip(index, None, str(exc))
                    continue
                values["updated_at"] = now
                if values["id"] is not None:
                    # A derived row may already hold this id under the same code: fine. Under another
                    # code it would collide; the /sets object is authoritative, so free the id.
                    await session.execute(
                        update(CardSet)
                        .where(CardSet.id == values["id"], CardSet.code != values["code"])
                        .values(id=None)
                    )
                stmt = insert(CardSet).values(**values)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[CardSet.code], set_={k: stmt.excluded[k] for k in values if k != "code"}
                )
                await session.execute(stmt)
                if values["code"] in existing:
                    summary.updated += 1
                else:
                    summary.inserted += 1
                    existing.add(values["code"])
            await bump_generation(session, CATALOG_CACHE_NAMESPACE)
    except ImportAborted as exc:
        await _finish_record(db, record_id, "failed", error=str(exc))
        raise
    except BaseException as exc:
        await _finish_record(db, record_id, "failed", error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    summary.seconds = time.perf_counter() - started
    await _finish_record(
        db,
        record_id,
        "succeeded",
        summary={
            "read": summary.read,
            "inserted": summary.inserted,
            "updated": summary.updated,
            "skipped": summary.skipped,
        },
    )
    return summary


async def upsert_card_objects(session: AsyncSession, objects: list[Any], *, day: date) -> ImportSummary:
    """Store a few card objects (an upstream fetch) through the same path as a bulk import."""
    summary = ImportSummary(source="upstream", price_day=day)
    batch: list[tuple[int, Item, Any]] = []
    for i, obj in enumerate(objects):
        try:
            batch.append((i, _normalized(obj), None))
        except BadRecord as exc:
            batch.append((i, exc, None))
    known = await _existing_state(session, [item.id for _, item, _ in batch if isinstance(item, NormalizedCard)])
    sets = _SetAccumulator()
    upsert = _upsert_cards_stmt(session)
    ranked: set[uuid.UUID] = set()
    await _write_batch(
        session, batch, known=known, seen={}, sets=sets, upsert=upsert, day=day, summary=summary, ranked=ranked
    )
    if ranked:
        await searchindex.rank_printings(session, ranked)
    await _write_sets_from_cards(session, sets, summary)
    await bump_generation(session, CATALOG_CACHE_NAMESPACE)
    return summary
