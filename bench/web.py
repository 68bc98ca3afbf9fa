"""Server render of the web app's search page on the real 2019 catalog (45,851 printings).

    python -m bench web

Per backend (SQLite always; PostgreSQL when MTG_BENCH_DATABASE_URL or MTG_TEST_DATABASE_URL is set): the
app in process (httpx's ASGI transport, so the full middleware stack and template rendering, no network),
GET /search?q=… for a mix of queries, 40 renders each. "cold" has the search result cache off (every
render runs the query), "warm" is the default configuration after the first render of each query.
Target (issue #16): p95 ≤ 50 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from bench.__main__ import REAL, WORK, machine, on_each_backend
from mtg_tracker.config import Settings
from mtg_tracker.main import create_app

QUERIES = ["t:goblin c:r", 'o:"draw a card" id:esper', "is:fetchland", "lightning", "mv<=2 r:mythic", "t:dragon pow>=5"]
RENDERS = 40


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


async def _render_times(url: str, cache: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=url, environment="test", data_dir=Path(tmp), scheduler={"enabled": False},
            log={"level": "WARNING", "format": "json"}, scryfall={"offline": True},
            rate_limit={"enabled": False}, search={"cache_results": cache},
        )  # fmt: skip
        app = create_app(settings)
        samples: list[float] = []
        per_query: dict[str, dict[str, float]] = {}
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for q in QUERIES:
                    own: list[float] = []
                    await client.get("/search", params={"q": q})  # the first render (and cache fill)
                    for _ in range(RENDERS):
                        start = time.perf_counter()
                        resp = await client.get("/search", params={"q": q})
                        own.append(time.perf_counter() - start)
                        assert resp.status_code == 200, (q, resp.status_code)
                    per_query[q] = _ms(own)
                    samples += own
        return {"all": _ms(samples), "per_query": per_query}


async def _run(backend: str, url: str) -> dict[str, Any]:
    return {
        "backend": backend,
        "cold": await _render_times(url, cache=False),
        "warm": await _render_times(url, cache=True),
    }


def bench_web() -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    return {"machine": machine(), "renders_per_query": RENDERS, "results": on_each_backend("web", REAL, _run)}
