"""Backups at real scale, and the recovery time they give: the real 2019 catalog + a 20,000-entry collection.

    python -m bench backup

Per backend (SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL or MTG_TEST_DATABASE_URL is set): a
fresh database with the real 2019 catalog (45,851 printings) and one collection of 20,000 distinct real
printings; then `backup create`, `backup verify` (restore into a scratch database, compare), and the recovery
drill timed end to end: wipe the database (delete the SQLite file / drop the schema) → `backup restore` →
start the service (uvicorn, like `mtg-tracker serve`) → `/ready` 200 and a card search answering. That last
total is the RTO once someone has decided to restore; detection and decision time are not in it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from bench.__main__ import PY, REAL, ROOT, WORK, free_port, machine, on_each_backend
from mtg_tracker.account import service as account_service
from mtg_tracker.catalog.models import Card
from mtg_tracker.collection import service as collection_service
from mtg_tracker.collection.schemas import CollectionCreate
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, sqlite_file, utcnow
from mtg_tracker.ops import backup

ENTRIES = 20_000


async def _collection(db: Database) -> int:
    async with db.session_scope() as session:
        user = await account_service.create_user(
            session,
            email=f"bench-{uuid.uuid4().hex[:6]}@example.com",
            password=f"bench {uuid.uuid4()}",
            auth=db.settings.auth,
        )
        collection = await collection_service.create_collection(
            session, owner_id=user.id, data=CollectionCreate(name="20k")
        )
        printings = (await session.execute(select(Card.id, Card.finishes).order_by(Card.id).limit(ENTRIES))).all()
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
    return len(values)


def _wipe(settings: Settings) -> None:
    path = sqlite_file(settings.database_url) if settings.is_sqlite else None
    if path is not None:
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    engine = create_engine(settings.database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _serve_until_answering(url: str) -> tuple[float, float]:
    """Start the service; seconds until /ready is 200, and until a card search answers with cards."""
    port = free_port()
    env = {
        **os.environ,
        "MTG_DATABASE_URL": url,
        "MTG_SCHEDULER__ENABLED": "false",
        "MTG_SCRYFALL__OFFLINE": "true",
        "MTG_LOG__LEVEL": "WARNING",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [PY, "-m", "bench.serve_app", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = searched = None
        deadline = started + 300
        while time.perf_counter() < deadline and searched is None:
            try:
                if ready is None and httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                    ready = time.perf_counter() - started
                if ready is not None:
                    resp = httpx.get(f"{base}/api/v1/cards/search", params={"q": "t:goblin"}, timeout=30)
                    if resp.status_code == 200 and resp.json().get("total_cards", 0) > 0:
                        searched = time.perf_counter() - started
                        break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        if ready is None or searched is None:
            raise RuntimeError("the restored service did not answer within 300 s")
        return ready, searched
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _run(backend: str, url: str) -> dict[str, Any]:
    settings = Settings(database_url=url, environment="test", data_dir=WORK / f"backup-{backend}")
    db = Database(settings)
    try:
        entries = await _collection(db)
    finally:
        await db.dispose()
    # Blocking work, and restore runs the migrations (their own event loop): off this loop.
    return await asyncio.to_thread(_measure, backend, url, settings, entries)


def _measure(backend: str, url: str, settings: Settings, entries: int) -> dict[str, Any]:
    for old in backup.list_backups(settings):  # a rerun starts from an empty backup directory
        (backup.backup_dir(settings) / old.file).unlink(missing_ok=True)
        (backup.backup_dir(settings) / f"{old.id}.json").unlink(missing_ok=True)
    row: dict[str, Any] = {"backend": backend, "collection_entries": entries, "loadavg_before": os.getloadavg()}

    start = time.perf_counter()
    manifest = backup.create_backup(settings)
    row["create_seconds"] = round(time.perf_counter() - start, 2)
    row["size_mb"] = round(manifest.size_bytes / 1e6, 1)
    row["tables"] = len(manifest.tables)
    row["rows"] = sum(t.rows for t in manifest.tables.values())

    start = time.perf_counter()
    verified = backup.verify_backup(settings, manifest.id)
    row["verify_seconds"] = round(time.perf_counter() - start, 2)
    if verified.verification is None or not verified.verification.ok:
        raise RuntimeError(f"the backup did not verify: {verified.verification}")

    start = time.perf_counter()
    _wipe(settings)
    backup.restore_backup(settings, manifest.id)
    row["restore_seconds"] = round(time.perf_counter() - start, 2)
    ready, searched = _serve_until_answering(url)
    row["start_to_ready_seconds"] = round(ready, 2)
    row["start_to_first_search_seconds"] = round(searched, 2)
    row["rto_seconds"] = round(row["restore_seconds"] + searched, 2)
    row["loadavg_after"] = os.getloadavg()
    return row


def bench_backup() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    rows = on_each_backend("backup", REAL, _run)
    return {"benchmark": "backup-rto", "machine": machine(), "catalog": REAL.name, "rows": rows}
