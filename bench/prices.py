"""Price history at scale (issue #7): 150,000 printings × 90 days on SQLite and PostgreSQL.

    python -m bench prices

Per backend: a fresh database with the SYNTHETIC 150k catalog (``dev generate-catalog``), one day's
snapshot written through the catalog import's write path (timed), then 89 more days (timed), the
database bytes per million points, one card's full history (service call and HTTP through the ASGI
app, p50/p95/p99 over random cards) and the movers job for every window and type. Prices are a
deterministic synthetic random walk: benchmark load, not market data.

``layout`` compares SQLite table layouts for price_point on 1M rows with the stdlib driver: the
evidence for WITHOUT ROWID and for having no index on ``day``.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text

from bench.__main__ import PY, WORK, machine, on_each_backend, run
from mtg_tracker.catalog.models import Card
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.price import movers
from mtg_tracker.price import service as price_service
from mtg_tracker.price.models import PRICE_TYPES

DAYS = int(os.environ.get("MTG_BENCH_PRICE_DAYS", "90"))  # smaller values only to smoke-test the script
CARDS = int(os.environ.get("MTG_BENCH_PRICE_CARDS", "150000"))
FIRST_DAY = date(2026, 8, 26)
BATCH = 1000  # what the catalog import hands to record_points
# How often a printing has each price type (roughly the 2023 search page's shares).
HAS_TYPE = {"usd": 0.85, "usd_foil": 0.5, "usd_etched": 0.03, "eur": 0.8, "eur_foil": 0.45, "tix": 0.3}


def _walk(seed: int) -> list[float]:
    rng = random.Random(seed)
    factors, level = [], 1.0
    for _ in range(4096):
        level = min(3.0, max(0.3, level * (1 + rng.gauss(0, 0.03))))
        factors.append(level)
    return factors


class Prices:
    """Deterministic synthetic prices: a base per (card, type) times a shared random walk, offset per card."""

    def __init__(self, ids: list[uuid.UUID]) -> None:
        rng = random.Random(11)
        self.walk = _walk(12)
        self.cards = []
        for card_id in ids:
            bases = {t: int(rng.lognormvariate(4.5, 1.5)) + 1 for t in PRICE_TYPES if rng.random() < HAS_TYPE[t]}
            self.cards.append((card_id, bases, rng.randrange(4096)))
        self.priced = [card_id for card_id, bases, _ in self.cards if bases]  # the others get no points

    def day(self, n: int) -> list[tuple[uuid.UUID, dict[str, int | None]]]:
        walk = self.walk
        out: list[tuple[uuid.UUID, dict[str, int | None]]] = []
        for card_id, bases, offset in self.cards:
            f = walk[(offset + n * 7) % 4096]
            out.append((card_id, {t: max(1, int(b * f)) for t, b in bases.items()}))
        return out


def _pcts(samples: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(samples, n=100)
    return {"p50_ms": round(qs[49], 3), "p95_ms": round(qs[94], 3), "p99_ms": round(qs[98], 3)}


async def _write_day(db: Database, day: date, points: list[Any]) -> float:
    start = time.perf_counter()
    async with db.session_scope() as session:
        for i in range(0, len(points), BATCH):
            await price_service.record_points(session, day, points[i : i + BATCH])
    return time.perf_counter() - start


async def _size(db: Database) -> dict[str, Any]:
    async with db.session(write=False) as session:
        points = int(await session.scalar(select(func.count()).select_from(price_service.POINT_TABLE)) or 0)
        if db.is_sqlite:
            # dbstat counts the table's own pages (Python's SQLite has it): the bytes price_point costs.
            table = await session.scalar(text("SELECT sum(pgsize) FROM dbstat WHERE name = 'price_point'"))
            how = "dbstat (pages of price_point)"
        else:
            table = await session.scalar(text("SELECT pg_total_relation_size('price_point')"))
            how = "pg_total_relation_size"
    return {
        "points": points,
        "bytes": int(table),
        "bytes_per_point": round(int(table) / points, 1),
        "mb_per_million_points": round(int(table) / points, 1),
        "measured_by": how,
    }


async def _history_latency(db: Database, settings: Settings, ids: list[uuid.UUID]) -> dict[str, Any]:
    """One random priced printing's full history at a time (each has DAYS points)."""
    import httpx
    from asgi_lifespan import LifespanManager

    from mtg_tracker.main import create_app

    rng = random.Random(5)
    sample = [rng.choice(ids) for _ in range(1000)]
    service: list[float] = []
    for card_id in sample:
        start = time.perf_counter()
        async with db.session(write=False) as session:
            await price_service.history(session, card_id)
        service.append((time.perf_counter() - start) * 1000)
    http: list[float] = []
    app = create_app(settings, run_scheduler=False)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for card_id in sample[:500]:
                start = time.perf_counter()
                resp = await client.get(f"/api/v1/cards/{card_id}/prices")
                http.append((time.perf_counter() - start) * 1000)
                assert resp.status_code == 200
                assert len(resp.json()["data"]) == DAYS
    return {"service": _pcts(service), "http_in_process": _pcts(http), "rows_per_history": DAYS}


async def _scale(backend: str, url: str) -> dict[str, Any]:
    settings = Settings(database_url=url, environment="test", scheduler={"enabled": False}, log={"level": "WARNING"})
    db = Database(settings)
    try:
        async with db.session(write=False) as session:
            ids = [r[0] for r in await session.execute(select(Card.id).order_by(Card.id))]
            # The catalog import already wrote its own day; start from an empty history.
        async with db.session_scope() as session:
            await session.execute(text("DELETE FROM price_point"))
        prices = Prices(ids)
        first = prices.day(0)
        one_day = await _write_day(db, FIRST_DAY, first)
        same_day = await _write_day(db, FIRST_DAY, prices.day(1))  # same day again: every row replaced
        per_day = [await _write_day(db, FIRST_DAY + timedelta(days=n), prices.day(n)) for n in range(1, DAYS)]
        # The snapshot that matters in production lands on a table that already holds the history.
        next_day = await _write_day(db, FIRST_DAY + timedelta(days=DAYS), prices.day(DAYS))
        async with db.session_scope() as session:
            await session.execute(
                text("DELETE FROM price_point WHERE day = :d"), {"d": FIRST_DAY + timedelta(days=DAYS)}
            )
        if db.is_sqlite:
            async with db.session(write=False) as session:
                await session.execute(text("PRAGMA optimize"))
        else:
            async with db.engine.connect() as conn:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).execute(
                    text("VACUUM ANALYZE price_point")
                )
        size = await _size(db)
        latency = await _history_latency(db, settings, prices.priced)
        start = time.perf_counter()
        result = await movers.compute(db, top=100)
        movers_seconds = time.perf_counter() - start
        return {
            "backend": backend,
            "printings": len(ids),
            "points_per_day": sum(1 for _, p in first if p),
            "snapshot_one_day_s": round(one_day, 2),
            "snapshot_same_day_again_s": round(same_day, 2),
            "history_more_days_s": round(sum(per_day), 1),
            "history_day_s": {"median": round(statistics.median(per_day), 2), "max": round(max(per_day), 2)},
            "snapshot_on_top_of_history_s": round(next_day, 2),
            "size": size,
            "history_latency": latency,
            "movers_all_windows_types_s": round(movers_seconds, 2),
            "movers_rows": result["rows"],
        }
    finally:
        await db.dispose()


def bench_layout(n_cards: int = 20_000, n_days: int = 50) -> list[dict[str, Any]]:
    """SQLite bytes per point for four layouts of the same 1M points (stdlib sqlite3, VACUUMed)."""
    base = (
        "CREATE TABLE price_point (card_id CHAR(32) NOT NULL, day DATE NOT NULL, usd INTEGER, usd_foil INTEGER, "
        "usd_etched INTEGER, eur INTEGER, eur_foil INTEGER, tix INTEGER, PRIMARY KEY (card_id, day))"
    )
    variants = {
        "rowid table + PK index": (base, None),
        "rowid table + PK index + index(day)": (base, "CREATE INDEX ix_day ON price_point(day)"),
        "WITHOUT ROWID (chosen)": (base + " WITHOUT ROWID", None),
        "WITHOUT ROWID + index(day)": (base + " WITHOUT ROWID", "CREATE INDEX ix_day ON price_point(day)"),
    }
    rng = random.Random(1)
    ids = sorted(uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(n_cards))
    rows = []
    for name, (ddl, index) in variants.items():
        path = WORK / "layout.db"
        for p in WORK.glob("layout.db*"):
            p.unlink()
        conn = sqlite3.connect(path)
        conn.execute(ddl)
        if index:
            conn.execute(index)
        data_rng = random.Random(2)
        for d in range(n_days):
            day = (FIRST_DAY + timedelta(days=d)).isoformat()
            conn.executemany(
                "INSERT INTO price_point VALUES (?,?,?,?,?,?,?,?)",
                [
                    (
                        i,
                        day,
                        data_rng.randint(10, 5000),
                        data_rng.choice([None, data_rng.randint(10, 9000)]),
                        None,
                        data_rng.randint(10, 5000),
                        None,
                        data_rng.choice([None, 3]),
                    )
                    for i in ids
                ],
            )
            conn.commit()
        conn.execute("VACUUM")
        conn.close()
        size = path.stat().st_size
        rows.append(
            {"layout": name, "points": n_cards * n_days, "bytes_per_point": round(size / (n_cards * n_days), 1)}
        )
        print(rows[-1])
    for p in WORK.glob("layout.db*"):
        p.unlink()
    return rows


def bench_prices() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    synthetic = WORK / ("synthetic-150k.json.gz" if CARDS == 150_000 else f"synthetic-{CARDS}.json.gz")
    if not synthetic.exists():
        run([PY, "-m", "mtg_tracker", "dev", "generate-catalog", "--cards", str(CARDS), "--out", str(synthetic)])
    rows = on_each_backend("prices", synthetic, _scale, drop_sqlite=True)
    layout = bench_layout() if CARDS == 150_000 else []
    return {"benchmark": "price-history", "machine": machine(), "days": DAYS, "rows": rows, "layout": layout}
