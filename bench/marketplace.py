"""The marketplace's nightly integrity audit over a journal of 1,000,000 lines.

    python -m bench marketplace

Per backend (SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL or MTG_TEST_DATABASE_URL is set): a
fresh migrated database, 1,000 users with cash/escrow/receivable/fees accounts, and 250,000 balanced journal
entries of 4 lines written in bulk, then the audit as the job runs it
(``integrity.run_and_store``), three times. Target (issue): ≤ 60 s. The POST /orders and listing-search
latency targets are not measured yet.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from bench.__main__ import WORK, backends, fresh_db, machine
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
    return {"machine": machine(), "entries": ENTRIES, "results": rows}
