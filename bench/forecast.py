"""Forecast endpoint latency (issue #15): GET /api/v1/cards/{id}/forecast under 50 concurrent clients.

    python -m bench forecast

Per backend: a fresh database with REAL cards (the 2023 search page and the 2025 sample) and their REAL
27 days of daily USD prices (the daily file filtered to those printings), a small gradient-boosted model
trained on them and promoted by hand (whatever its verdict: this measures serving, not accuracy), then
uvicorn serving the app and 50 concurrent clients asking forecasts of random priced printings at
horizons 1 and 7. The forecast rate limit (30/min per client) is lifted for the run: every client here
shares one address, and the limit is tested in tests/forecast/test_api.py. SLO: p50 < 150 ms, p95 < 300 ms.
"""

from __future__ import annotations

import asyncio
import csv
import gzip
import json
import lzma
import os
import random
import statistics
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.__main__ import PY, ROOT, WORK, backends, free_port, fresh_db, machine, one_import

SHARED = ROOT.parent / "shared" / "data"
CLIENTS = 50
LAST_DAY = date(2026, 2, 14)
REQUESTS_PER_CLIENT = int(os.environ.get("MTG_BENCH_FORECAST_REQUESTS", "20"))


def _cards() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in ("scryfall-search-page-2023.json.gz", "scryfall-cards-2025-sample.json.gz"):
        with gzip.open(SHARED / "cards" / name) as f:
            data = json.load(f)
        out += data["data"] if isinstance(data, dict) else data
    return out


def _daily_subset(ids: set[str], out: Path) -> Path:
    src = SHARED / "prices" / "daily-usd-2026-01-19_2026-02-14.csv.xz"
    with lzma.open(src, "rt", encoding="utf-8", newline="") as f, out.open("w", newline="") as g:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(g, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            if row["scryfall_id"] in ids:
                writer.writerow(row)
    return out


async def _prepare(url: str, prices: Path) -> list[str]:
    from sqlalchemy import delete, func, select

    from mtg_tracker.config import ForecastSettings, Settings
    from mtg_tracker.forecast import service
    from mtg_tracker.kit.db import Database
    from mtg_tracker.price.backfill import import_csv
    from mtg_tracker.price.models import PricePoint

    db = Database(Settings(database_url=url))
    try:
        await import_csv(db, prices)
        # The catalog import recorded today's snapshot of those cards' (2023/2025) prices; drop it so that
        # the history is the daily file's 27 contiguous days, as after a backfill with no sync since.
        async with db.session_scope() as session:
            await session.execute(delete(PricePoint).where(PricePoint.day > LAST_DAY))
        small = ForecastSettings(max_iter=50, max_rows=50_000)
        async with db.session_scope() as session:
            result = await service.train(session, small)
            await service.promote(session, result.version)
        async with db.session(write=False) as session:
            stmt = (
                select(PricePoint.card_id)
                .where(PricePoint.usd.is_not(None))
                .group_by(PricePoint.card_id)
                .having(func.count() >= 20)
            )
            return [str(c) for c in await session.scalars(stmt)]
    finally:
        await db.dispose()


async def _load(base: str, ids: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    rng = random.Random(15)

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=300) as c:
            for _ in range(REQUESTS_PER_CLIENT):
                card = rng.choice(ids)
                start = time.perf_counter()
                resp = await c.get(f"/api/v1/cards/{card}/forecast", params={"horizon": rng.choice((1, 7))})
                latencies.append((time.perf_counter() - start) * 1000)
                statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "statuses": statuses,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
    }


def bench_forecast() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    cards = _cards()
    catalog = WORK / "forecast-cards.json"
    catalog.write_text(json.dumps(cards))
    prices = _daily_subset({c["id"] for c in cards}, WORK / "forecast-daily.csv")
    rows = []
    for backend in backends():
        url = fresh_db(backend, f"{backend}_forecast")
        one_import(url, catalog)
        ids = asyncio.run(_prepare(url, prices))
        port = free_port()
        env = {
            **os.environ,
            "MTG_DATABASE_URL": url,
            "MTG_SCHEDULER__ENABLED": "false",
            "MTG_SCRYFALL__OFFLINE": "true",
            "MTG_LOG__LEVEL": "WARNING",
            "MTG_RATE_LIMIT__FORECAST_PER_MINUTE": "1000000",
            "MTG_RATE_LIMIT__FORECAST_BURST": "1000000",
            "MTG_RATE_LIMIT__PER_MINUTE": "1000000",
            "MTG_RATE_LIMIT__BURST": "1000000",
        }
        server = subprocess.Popen(
            [PY, "-m", "bench.serve_app", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    if httpx.get(f"{base}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            httpx.get(f"{base}/api/v1/cards/{ids[0]}/forecast", timeout=60)  # loads the model once
            result = asyncio.run(_load(base, ids))
        finally:
            server.terminate()
            server.wait(timeout=20)
        row = {"backend": backend, "printings_priced": len(ids), "clients": CLIENTS, **result}
        print(json.dumps(row))
        rows.append(row)
    return {"benchmark": "forecast-endpoint", "machine": machine(), "rows": rows}
