"""Movers: the SQL ranking against an independent pure-Python computation, and GET /prices/movers."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import page_2023, sample_2025, write_json
from movercalc import Series, expected_movers
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database
from mtg_tracker.price import movers
from mtg_tracker.price import service as price_service
from mtg_tracker.price.models import PRICE_TYPES

API = "/api/v1"
DAY = date(2026, 2, 14)


async def _stored(db: Database, day: date, window: int, price_type: str, metric: str, direction: str) -> list[Any]:
    from sqlalchemy import select

    from mtg_tracker.price.models import PriceMover

    async with db.session(write=False) as session:
        stmt = (
            select(PriceMover.card_id, PriceMover.old_cents, PriceMover.new_cents)
            .where(
                PriceMover.day == day,
                PriceMover.window_days == window,
                PriceMover.price_type == price_type,
                PriceMover.metric == metric,
                PriceMover.direction == direction,
            )
            .order_by(PriceMover.rank)
        )
        return [tuple(r) for r in await session.execute(stmt)]


@pytest.fixture
async def history(db: Database, tmp_path: Path) -> Series:
    cards = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "c.json", cards), price_day=DAY - timedelta(days=30))
    rng = random.Random(7)
    series: Series = {}
    for card in cards:
        card_id = uuid.UUID(card["id"])
        base = {t: rng.choice([None, rng.randint(1, 99), rng.randint(100, 5000)]) for t in PRICE_TYPES}
        series[card_id] = {}
        for back in range(8):
            day = DAY - timedelta(days=back)
            prices: dict[str, int | None] = {}
            for t, b in base.items():
                if b is None or rng.random() < 0.05:
                    prices[t] = None
                else:
                    # Some ties on purpose: equal moves must be ordered by card id on both backends.
                    prices[t] = max(1, b + rng.choice([0, 0, 50, -50, rng.randint(-b // 2, b)]))
            series[card_id][day] = prices
    async with db.session_scope() as session:
        for back in range(8):
            day = DAY - timedelta(days=back)
            await price_service.record_points(session, day, [(c, d[day]) for c, d in series.items()])
    return series


async def test_movers_match_an_independent_computation(db: Database, history: Series) -> None:
    result = await movers.compute(db, top=20, min_price=Decimal("1.00"))
    assert result["day"] == DAY.isoformat()
    checked = 0
    for window in (1, 7):
        for price_type in PRICE_TYPES:
            for metric in ("absolute", "percent"):
                for direction in ("up", "down"):
                    want = expected_movers(history, DAY, window, price_type, metric, direction, 100, 20)
                    got = await _stored(db, DAY, window, price_type, metric, direction)
                    assert got == want, (window, price_type, metric, direction)
                    checked += len(want)
    assert checked > 500  # the comparison is not vacuous
    assert result["rows"]["30d"] > 0  # against the catalog import's snapshot, 30 days earlier
    assert result["rows"]["90d"] == 0  # no prices that far back


async def test_recompute_replaces_the_day(db: Database, history: Series) -> None:
    await movers.compute(db, top=5)
    await movers.compute(db, top=3)
    assert len(await _stored(db, DAY, 7, "usd", "absolute", "up")) == 3


async def test_movers_endpoint(client: httpx.AsyncClient, db: Database, history: Series) -> None:
    resp = await client.get(f"{API}/prices/movers")
    assert resp.status_code == 404 and "price.movers" in resp.json()["details"]
    await movers.compute(db, top=100)
    body = (await client.get(f"{API}/prices/movers", params={"window": "7d", "type": "usd", "limit": 5})).json()
    assert body["object"] == "list" and body["date"] == DAY.isoformat() and body["metric"] == "percent"
    want = expected_movers(history, DAY, 7, "usd", "percent", "up", 100, 5)
    assert [m["card"]["id"] for m in body["data"]] == [str(c) for c, _, _ in want]
    first = body["data"][0]
    _, old, new = want[0]
    assert first["object"] == "price_mover" and first["card"]["object"] == "card"
    assert first["old"] == f"{old // 100}.{old % 100:02d}" and first["new"] == f"{new // 100}.{new % 100:02d}"
    assert Decimal(first["change"]) == Decimal(new - old) / 100
    assert Decimal(first["change_pct"]) == (Decimal(new - old) * 100 / old).quantize(Decimal("0.01"))
    down = (await client.get(f"{API}/prices/movers", params={"direction": "down", "metric": "absolute"})).json()
    assert all(Decimal(m["change"]) < 0 for m in down["data"]) and down["data"]
    rich = (await client.get(f"{API}/prices/movers", params={"min_price": "30", "limit": 100})).json()
    assert all(Decimal(m["old"]) >= 30 for m in rich["data"])


async def test_movers_cache_is_invalidated_by_a_recompute(
    client: httpx.AsyncClient, db: Database, history: Series
) -> None:
    from support import wait_for

    await movers.compute(db, top=2)
    url = f"{API}/prices/movers?limit=50"
    assert len((await client.get(url)).json()["data"]) == 2
    await movers.compute(db, top=4)

    async def refreshed() -> bool:
        return len((await client.get(url)).json()["data"]) == 4

    await wait_for(refreshed)


@pytest.mark.parametrize(
    "params",
    [
        {"window": "2d"},
        {"type": "gold"},
        {"direction": "sideways"},
        {"limit": "0"},
        {"limit": "5000"},
        {"min_price": "-1"},
        {"metric": "both"},
    ],
)
async def test_movers_bad_params(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    resp = await client.get(f"{API}/prices/movers", params=params)
    assert resp.status_code == 400
    assert resp.json()["object"] == "error" and resp.json()["errors"]


async def test_no_prices_no_movers(db: Database) -> None:
    assert (await movers.compute(db))["day"] is None
