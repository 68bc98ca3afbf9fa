"""The marketplace's nightly integrity audit over a journal of 1,000,000 lines.

    python -m bench marketplace

Per backend (SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL or MTG_TEST_DATABASE_URL is set): a
fresh migrated database, 1,000 users with cash/escrow/receivable/fees accounts, and 250,000 balanced journal
entries of 4 lines written in bulk, then the audit as the job runs it
(``integrity.run_and_store``), three times. Target (issue): ≤ 60 s. Then POST /orders latency with 20
concurrent buyers through the ASGI app in-process (target ≤ 50 ms p95 on PostgreSQL). Listing search
latency is not measured yet.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import insert, select

from bench.__main__ import ROOT, WORK, backends, fresh_db, machine
from mtg_tracker.catalog.models import Card
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.marketplace import integrity
from mtg_tracker.marketplace.models import PLATFORM_ID, JournalEntry, JournalLine, LedgerAccount

ENTRIES = 250_000
USERS = 1_000
CHUNK = 10_000


async def _fill(db: Database) -> int:
    now = datetime.now(UTC)
    users = [uuid.uuid4() for _ in range(USERS)]
    cash = [uuid.uuid4() for _ in users]
    receivable = [uuid.uuid4() for _ in users]
    escrow, fees = uuid.uuid4(), uuid.uuid4()
    accounts = [
        {"id": a, "owner_kind": "user", "owner_id": u, "kind": k, "currency": "usd", "created_at": now}
        for u, c, r in zip(users, cash, receivable, strict=True)
        for a, k in ((c, "cash"), (r, "receivable"))
    ] + [
        {"id": escrow, "owner_kind": "platform", "owner_id": PLATFORM_ID, "kind": "escrow", "currency": "usd",
         "created_at": now},
        {"id": fees, "owner_kind": "platform", "owner_id": PLATFORM_ID, "kind": "fees", "currency": "usd",
         "created_at": now},
    ]  # fmt: skip
    async with db.session_scope() as session:
        await session.execute(insert(LedgerAccount), accounts)
    lines = 0
    for start in range(1, ENTRIES + 1, CHUNK):
        ids = range(start, min(start + CHUNK, ENTRIES + 1))
        entries = [{"id": i, "kind": "correction", "memo": f"bench {i}", "created_at": now} for i in ids]
        rows = []
        for i in ids:
            total = 100 + i % 9000
            fee = total // 20
            # Balanced in one currency, one positive side per line: debits total = credits total.
            for account, debit, credit in (
                (receivable[(i * 7) % USERS], total - fee, 0),
                (fees, fee, 0),
                (cash[i % USERS], 0, total - 1),
                (escrow, 0, 1),
            ):
                rows.append({"entry_id": i, "account_id": account, "debit": debit, "credit": credit, "currency": "usd"})
        async with db.session_scope() as session:
            await session.execute(insert(JournalEntry), entries)
            await session.execute(insert(JournalLine), rows)
        lines += len(rows)
    return lines


async def _run(backend: str, url: str) -> dict[str, Any]:
    db = Database(Settings(database_url=url, environment="test"))
    try:
        t = time.perf_counter()
        lines = await _fill(db)
        fill_s = time.perf_counter() - t
        runs = []
        for _ in range(3):
            run = await integrity.run_and_store(db)
            assert run.finding_count == 0, run.findings[:500]
            runs.append(run.seconds)
        return {"backend": backend, "journal_lines": lines, "fill_s": round(fill_s, 1), "audit_s": runs}
    finally:
        await db.dispose()


def bench_marketplace() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for backend in backends():
        url = fresh_db(backend, f"{backend}_marketplace")
        row = asyncio.run(_run(backend, url))
        print(row)
        rows.append(row)
    return {"machine": machine(), "entries": ENTRIES, "results": rows, "orders": bench_orders()}


SAMPLE = ROOT.parent / "shared" / "data" / "cards" / "scryfall-cards-2025-sample.json.gz"
BUYERS = 20
ORDERS_PER_BUYER = 25


async def _orders(backend: str, url: str) -> dict[str, Any]:
    """POST /orders latency with 20 concurrent buyers (each placing 25 orders back to back) on one listing,
    through the ASGI app in this process (no network hop, one worker: the client shares its CPU)."""
    from asgi_lifespan import LifespanManager

    from mtg_tracker.catalog.importer import import_cards
    from mtg_tracker.main import create_app

    settings = Settings(
        database_url=url,
        environment="test",
        scheduler={"enabled": False},  # type: ignore[arg-type]
        log={"level": "WARNING", "format": "json"},  # type: ignore[arg-type]
        rate_limit={"enabled": False},  # type: ignore[arg-type]
    )
    db = Database(settings)
    await import_cards(db, SAMPLE)
    async with db.session(write=False) as session:
        card_id = await session.scalar(select(Card.id).limit(1))
    await db.dispose()
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = []
            for i in range(BUYERS + 1):
                email = f"bench-{i}-{uuid.uuid4().hex[:6]}@example.com"
                await client.post("/api/v1/auth/register", json={"email": email, "password": "bench passphrase 12345"})
                token = await client.post(
                    "/api/v1/auth/token", data={"username": email, "password": "bench passphrase 12345"}
                )
                headers.append({"Authorization": f"Bearer {token.json()['access_token']}"})
            seller = headers.pop()
            coll = (await client.post("/api/v1/collections", json={"name": "stock"}, headers=seller)).json()
            total = BUYERS * ORDERS_PER_BUYER
            entry = await client.post(
                f"/api/v1/collections/{coll['id']}/entries", json={"card_id": str(card_id), "quantity": total},
                headers=seller,
            )  # fmt: skip
            body = {"collection_id": coll["id"], "entry_id": entry.json()["id"], "quantity": total, "price": "1.00"}
            listing = (await client.post("/api/v1/listings", json=body, headers=seller)).json()
            samples: list[float] = []

            async def buyer(h: dict[str, str]) -> None:
                for _ in range(ORDERS_PER_BUYER):
                    t = time.perf_counter()
                    resp = await client.post(
                        "/api/v1/orders",
                        json={"lines": [{"listing_id": listing["id"], "quantity": 1}]},
                        headers={**h, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    samples.append((time.perf_counter() - t) * 1000)
                    assert resp.status_code == 201, resp.text

            start = time.perf_counter()
            await asyncio.gather(*(buyer(h) for h in headers))
            wall = time.perf_counter() - start
    samples.sort()
    return {
        "backend": backend,
        "orders": len(samples),
        "concurrent_buyers": BUYERS,
        "p50_ms": round(samples[len(samples) // 2], 1),
        "p95_ms": round(samples[int(len(samples) * 0.95)], 1),
        "orders_per_s": round(len(samples) / wall, 1),
    }


def bench_orders() -> list[dict[str, Any]]:
    rows = []
    for backend in backends():
        url = fresh_db(backend, f"{backend}_marketplace_orders")
        row = asyncio.run(_orders(backend, url))
        print(row)
        rows.append(row)
    return rows
