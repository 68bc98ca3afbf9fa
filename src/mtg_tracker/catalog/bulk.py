"""Scryfall-shaped bulk files of this server's own catalog (``/bulk-data``).

Each type is one gzip-compressed JSON array under ``MTG_DATA_DIR/bulk/<base tag>/``, built from batched,
streamed database reads (never the whole catalog in memory) and published atomically: the array is
written to a temp file and renamed, then a small manifest naming it is written the same way. A file is
rebuilt when the catalog's stamp (last card import, card and ruling counts) no longer matches the one
its manifest records, so the first request after an import (or ``catalog build-bulk``) rebuilds it.

Card objects carry API links, and every link this server hands out points at itself; the files are
compressed, so the links cannot be rewritten on the way out as JSON bodies are (kit/links.py). A file is
therefore built for one public base (MTG_PUBLIC_URL, else the requesting host) and kept per base.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mtg_tracker.catalog.errors import BulkTypeNotFound
from mtg_tracker.catalog.importer import last_card_import
from mtg_tracker.catalog.models import Card, CardRuling
from mtg_tracker.catalog.rulings import Ruling
from mtg_tracker.catalog.service import _PREFERRED, BODY_COLUMNS, card_body
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.links import rewrite_links

SCRYFALL_API_ORIGIN = b"https://api.scryfall.com"
BATCH = 1000
# Without MTG_PUBLIC_URL every Host a client sends gets its own files; only this many are kept, so a stream
# of made-up hosts cannot fill the disk.
MAX_BASES = 4
_NAMESPACE = uuid.UUID("6f1f3c1e-9a53-5b8e-9d35-1b0c7a2e4d10")


@dataclass(frozen=True)
class BulkType:
    type: str
    name: str
    description: str


TYPES: dict[str, BulkType] = {
    t.type: t
    for t in (
        BulkType(
            "oracle_cards",
            "Oracle Cards",
            "One card object for each Oracle ID in this catalog: its preferred printing (English, a real card "
            "over an extra, paper over digital, non-promo, newest).",
        ),
        BulkType(
            "unique_artwork",
            "Unique Artwork",
            "One card object for each unique artwork (illustration id) in this catalog, the preferred printing "
            "of each.",
        ),
        BulkType(
            "default_cards",
            "Default Cards",
            "Every card object (printing) this catalog holds, in today's Scryfall schema.",
        ),
        BulkType("rulings", "Rulings", "Every ruling this catalog holds, keyed by Oracle ID."),
    )
}


def bulk_id(type_: str) -> uuid.UUID:
    """Stable per type, across rebuilds and servers."""
    return uuid.uuid5(_NAMESPACE, f"mtg-tracker bulk-data {type_}")


def base_tag(base: str) -> str:
    return hashlib.blake2b(base.encode(), digest_size=6).hexdigest()


def find_type(key: str) -> BulkType:
    """By type name or by id."""
    if key.replace("-", "_") in TYPES:  # Scryfall's own examples spell it oracle-cards
        return TYPES[key.replace("-", "_")]
    for t in TYPES.values():
        if str(bulk_id(t.type)) == key.lower():
            return t
    raise BulkTypeNotFound(f"No bulk data found with type or id {key!r}.")


async def catalog_stamp(session: AsyncSession) -> str:
    """What the files reflect: changes with every card import, card fetched or ruling loaded."""
    last = await last_card_import(session)
    cards = (await session.execute(select(func.count()).select_from(Card))).scalar_one()
    rulings = (await session.execute(select(func.count(), func.max(CardRuling.id)))).one()
    return f"{last.id if last else 0}:{cards}:{rulings[0]}:{rulings[1] or 0}"


async def item_count(session: AsyncSession, type_: str) -> int:
    """How many objects a type's file will hold (for a progress bar)."""
    if type_ == "rulings":
        stmt: Any = select(func.count()).select_from(CardRuling)
    elif type_ == "default_cards":
        stmt = select(func.count()).select_from(Card)
    else:
        key = func.coalesce(Card.oracle_id if type_ == "oracle_cards" else Card.illustration_id, Card.id)
        stmt = select(func.count(func.distinct(key)))
    return int((await session.execute(stmt)).scalar_one())


@dataclass(frozen=True)
class BulkFile:
    type: str
    path: Path
    stamp: str
    updated_at: str
    size: int
    etag: str
    count: int


def _directory(data_dir: Path, base: str) -> Path:
    return data_dir / "bulk" / base_tag(base)


def read_manifest(directory: Path, type_: str) -> BulkFile | None:
    try:
        raw = orjson.loads((directory / f"{type_}.manifest.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    path = directory / raw["file"]
    if not path.is_file():
        return None
    return BulkFile(type_, path, raw["stamp"], raw["updated_at"], raw["size"], raw["etag"], raw["count"])


def _atomic_write(directory: Path, name: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, directory / name)


def _discard(tmp: str) -> None:
    Path(tmp).unlink(missing_ok=True)


def _query(type_: str) -> Select[Any]:
    if type_ == "default_cards":
        return select(Card.id, *BODY_COLUMNS).order_by(Card.id)
    key = func.coalesce(Card.oracle_id if type_ == "oracle_cards" else Card.illustration_id, Card.id)
    return select(key, *BODY_COLUMNS).order_by(key, *_PREFERRED)


async def _items(session: AsyncSession, type_: str) -> AsyncIterator[list[bytes]]:
    """Batches of JSON objects, streamed from the database (a server-side cursor on PostgreSQL)."""
    if type_ == "rulings":
        stmt: Any = select(CardRuling.oracle_id, CardRuling.source, CardRuling.published_at, CardRuling.comment)
        stream = await session.stream(stmt.order_by(CardRuling.oracle_id, CardRuling.published_at, CardRuling.id))
        async for part in stream.partitions(BATCH):
            yield [orjson.dumps(Ruling(*row).as_object()) for row in part]
        return
    stream = await session.stream(_query(type_).execution_options(yield_per=BATCH))
    last_key: Any = object()
    distinct = type_ != "default_cards"
    async for part in stream.partitions(BATCH):
        out = []
        for row in part:
            if distinct:
                if row[0] == last_key:
                    continue  # a less preferred printing of the same oracle id or artwork
                last_key = row[0]
            out.append(card_body(row[1:]))
        yield out


async def build(
    db: Database,
    data_dir: Path,
    base: str,
    type_: str,
    *,
    stamp: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> BulkFile:
    """Write one type's file for links on ``base`` (``https://host``, no path) and publish it."""
    directory = _directory(data_dir, base)
    directory.mkdir(parents=True, exist_ok=True)
    local = (base.rstrip("/") + "/api/v1").encode()
    now = datetime.now(UTC)
    name = f"{type_.replace('_', '-')}-{now:%Y%m%d%H%M%S%f}.json.gz"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    count = 0
    digest = hashlib.blake2b(digest_size=10)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz:
            gz.write(b"[")
            async with db.session(write=False) as session:
                if stamp is None:
                    stamp = await catalog_stamp(session)
                async for batch in _items(session, type_):
                    if not batch:
                        continue
                    chunk = (b",\n" if count else b"\n") + b",\n".join(batch)
                    chunk = rewrite_links(chunk, SCRYFALL_API_ORIGIN, local)
                    digest.update(chunk)
                    await asyncio.to_thread(gz.write, chunk)
                    count += len(batch)
                    if progress is not None:
                        progress(len(batch))
            gz.write(b"\n]\n")
        os.replace(tmp, directory / name)
    except BaseException:
        _discard(tmp)
        raise
    size = (directory / name).stat().st_size
    manifest = {
        "file": name,
        "stamp": stamp,
        "updated_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "size": size,
        "etag": '"' + digest.hexdigest() + '"',
        "count": count,
    }
    previous = read_manifest(directory, type_)
    _atomic_write(directory, f"{type_}.manifest.json", orjson.dumps(manifest))
    if previous is not None and previous.path.name != name:
        previous.path.unlink(missing_ok=True)  # an ongoing download keeps its open file
    _prune(directory)
    built = read_manifest(directory, type_)
    assert built is not None
    return built


def _prune(keep: Path) -> None:
    """Drop the files of the least recently built bases beyond ``MAX_BASES``."""
    others = sorted((d for d in keep.parent.iterdir() if d.is_dir() and d != keep), key=lambda d: d.stat().st_mtime)
    for old in others[: max(0, len(others) - (MAX_BASES - 1))]:
        shutil.rmtree(old, ignore_errors=True)


_locks: dict[tuple[str, str], asyncio.Lock] = {}


async def ensure(db: Database, data_dir: Path, base: str, type_: str) -> BulkFile:
    """The current file of a type, built first when the catalog changed since (one build at a time per
    process; two processes racing build the same content and the later rename wins)."""
    directory = _directory(data_dir, base)
    async with db.session(write=False) as session:
        stamp = await catalog_stamp(session)
    current = read_manifest(directory, type_)
    if current is not None and current.stamp == stamp:
        return current
    lock = _locks.setdefault((base, type_), asyncio.Lock())
    async with lock:
        current = read_manifest(directory, type_)
        if current is not None and current.stamp == stamp:
            return current
        return await build(db, data_dir, base, type_, stamp=stamp)


def bulk_object(f: BulkFile, uri: str, download_uri: str) -> dict[str, Any]:
    t = TYPES[f.type]
    return {
        "object": "bulk_data",
        "id": str(bulk_id(t.type)),
        "type": t.type,
        "updated_at": f.updated_at,
        "uri": uri,
        "name": t.name,
        "description": t.description,
        "size": f.size,
        "download_uri": download_uri,
        "content_type": "application/json",
        "content_encoding": "gzip",
    }
