"""Collections at real scale: the 20,726-row ManaBox export against the real 2019 catalog.

    python -m bench collections

Per backend (SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL or MTG_TEST_DATABASE_URL is set): a
fresh database with the real 2019 catalog (45,851 printings), one user and an empty collection; then
the import (dry run, real run, and the same file again, which merges every row), the value of the
resulting collection (p50/p95 of 30 calls, usd and eur), the export, and the daily snapshot job.
Targets (issue): import ≤ 10 s on SQLite, value ≤ 200 ms.
"""

from __future__ import annotations

import gzip
import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.__main__ import REAL, ROOT, WORK, machine, on_each_backend
from mtg_tracker.account import service as account_service
from mtg_tracker.catalog.models import Card
from mtg_tracker.collection import formats, valuation
from mtg_tracker.collection import service as collection_service
from mtg_tracker.collection.schemas import CollectionCreate
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, utcnow

MANABOX = ROOT.parent / "shared" / "data" / "collections" / "manabox-collection.csv.gz"


def _chunks(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as f:
        while chunk := f.read(256 * 1024):
            yield chunk


def _ms(samples: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(samples, n=20)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(qs[18], 1)}


async def _run(backend: str, url: str) -> dict[str, Any]:
    db = Database(Settings(database_url=url, environment="test"))
    try:
        async with db.session_scope() as session:
            user = await account_service.create_user(
                session,
                email=f"bench-{uuid.uuid4().hex[:6]}@example.com",
                password=f"bench {uuid.uuid4()}",
                auth=db.settings.auth,
            )
            collection = await collection_service.create_collection(
                session, owner_id=user.id, data=CollectionCreate(name="ManaBox")
            )
        row: dict[str, Any] = {"backend": backend}
        for label, dry_run in (("dry_run", True), ("import", False), ("reimport_merge", False)):
            start = time.perf_counter()
            async with db.session_scope() as session:
                report = await collection_service.import_file(session, collection, _chunks(MANABOX), dry_run=dry_run)
            seconds = time.perf_counter() - start
            row[label] = {
                "seconds": round(seconds, 2),
                **{k: report[k] for k in ("rows_read", "imported", "merged", "unresolved", "approximate")},
            }
            print(label, row[label])
        for currency in ("usd", "eur"):
            samples = []
            async with db.session(write=False) as session:
                for _ in range(30):
                    start = time.perf_counter()
                    value = await valuation.collection_value(session, collection.id, currency)
                    samples.append((time.perf_counter() - start) * 1000)
            row[f"value_{currency}"] = {**_ms(samples), "entries": value["entries"], "total": value["total"]}
        row["value_20k_entries"] = await _value_of_20k(db, user.id)
        start = time.perf_counter()
        async with db.session(write=False) as session:
            rows = await collection_service.export_rows(session, collection)
        size = sum(len(s) for s in formats.write_rows("manabox", rows))
        row["export_manabox"] = {"seconds": round(time.perf_counter() - start, 2), "rows": len(rows), "bytes": size}
        start = time.perf_counter()
        async with db.session_scope() as session:
            await valuation.snapshot_all(session, utcnow().date())
        row["snapshot_job_seconds"] = round(time.perf_counter() - start, 3)
        return row
    finally:
        await db.dispose()


async def _value_of_20k(db: Database, owner_id: uuid.UUID) -> dict[str, Any]:
    """The issue's value target names 20k entries; the ManaBox file gives 14k, so this collection holds
    20,000 distinct real printings (every fourth foil where the printing has a foil, some etched-less
    fallbacks included) added through the same insert the importer uses."""
    async with db.session_scope() as session:
        collection = await collection_service.create_collection(
            session, owner_id=owner_id, data=CollectionCreate(name="20k")
        )
        printings = (await session.execute(select(Card.id, Card.finishes).order_by(Card.id).limit(20_000))).all()
        now = utcnow()
        values = [
            {
                "collection_id": collection.id,
                "card_id": card_id,
                "quantity": 1 + i % 4,
                "finish": "foil" if i % 4 == 0 and finishes & 2 else "nonfoil",
                "condition": "NM",
                "language": "en",
                "created_at": now,
                "updated_at": now,
            }
            for i, (card_id, finishes) in enumerate(printings)
        ]
        conn = await session.connection()
        for start in range(0, len(values), 5000):
            await conn.execute(collection_service.ENTRY_TABLE.insert(), values[start : start + 5000])
    samples = []
    async with db.session(write=False) as session:
        for _ in range(30):
            start = time.perf_counter()
            value = await valuation.collection_value(session, collection.id, "usd")
            samples.append((time.perf_counter() - start) * 1000)
    return {**_ms(samples), "entries": value["entries"], "total": value["total"]}


def bench_collections() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    rows = on_each_backend("collections", REAL, _run)
    return {"benchmark": "collections", "machine": machine(), "file": MANABOX.name, "rows": rows}
