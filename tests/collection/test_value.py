"""Collection value at the catalog's current prices (finish rules, fallbacks, missing prices, cost basis)
and the daily snapshot job behind value history."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from collectiontools import API, add, new_collection
from mtg_tracker.collection import valuation
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.kit.scheduler import Scheduler
from support import error_body


async def _filled(client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]) -> str:
    cid = await new_collection(client, owner)
    await add(client, owner, cid, cards["a"], finish="foil", quantity=2, purchase_price="2.50", currency="USD")
    await add(client, owner, cid, cards["a"], purchase_price="0.50", currency="usd")
    await add(client, owner, cid, cards["b"], quantity=3, purchase_price="1.00", currency="EUR")
    await add(client, owner, cid, cards["c"], finish="etched")
    await add(client, owner, cid, cards["c"], finish="foil")
    await add(client, owner, cid, cards["d"], quantity=4)
    return cid


async def test_value_in_usd_and_eur(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]]
) -> None:
    cid = await _filled(client, owner, cards)
    usd = (await client.get(f"{API}/collections/{cid}/value?currency=usd", headers=owner)).json()
    assert usd == {
        "object": "collection_value",
        "currency": "usd",
        "cards": 12,
        "entries": 6,
        # a foil 2 × 3.00, a 1.00, b 3 × 2.50, c etched 20.00, c foil → usd 10.00 (fallback), d unpriced
        "total": "44.50",
        "by_finish": {"nonfoil": "8.50", "foil": "16.00", "etched": "20.00"},
        "cost_basis": "5.50",
        "cost_basis_cards": 3,
        "gain": "1.50",
        "unpriced_cards": 4,
        "fallback_priced_cards": 1,
    }
    eur = (await client.get(f"{API}/collections/{cid}/value?currency=eur", headers=owner)).json()
    # a foil has no eur_foil → eur 0.80 (fallback ×2); c has no eur prices at all; d none
    assert (eur["total"], eur["by_finish"]) == ("8.40", {"nonfoil": "6.80", "foil": "1.60", "etched": "0.00"})
    assert (eur["unpriced_cards"], eur["fallback_priced_cards"]) == (6, 2)
    assert (eur["cost_basis"], eur["gain"], eur["cost_basis_cards"]) == ("3.00", "3.00", 3)
    error_body(await client.get(f"{API}/collections/{cid}/value?currency=gbp", headers=owner), 400)


async def test_empty_collection_is_worth_nothing(client: httpx.AsyncClient, owner: dict[str, str]) -> None:
    cid = await new_collection(client, owner)
    body = (await client.get(f"{API}/collections/{cid}/value", headers=owner)).json()
    assert (body["total"], body["cards"], body["entries"], body["gain"]) == ("0.00", 0, 0, "0.00")


async def test_snapshot_job_is_idempotent_and_feeds_history(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    cards: dict[str, dict[str, Any]],
    db: Database,
    settings: Settings,
) -> None:
    cid = await _filled(client, owner, cards)
    empty = await new_collection(client, owner, name="Empty")
    scheduler = Scheduler(db, settings)
    for _ in range(2):  # safe to run twice: the day's row is replaced, not duplicated
        run = await scheduler.run_now("collection.value_snapshot")
        assert run is not None and run.status == "succeeded", run and run.error
    today = utcnow().date()
    history = (await client.get(f"{API}/collections/{cid}/value/history", headers=owner)).json()
    assert history["object"] == "list" and history["data"] == [{"date": today.isoformat(), "total": "44.50"}]
    eur = (await client.get(f"{API}/collections/{cid}/value/history?currency=eur", headers=owner)).json()
    assert eur["data"] == [{"date": today.isoformat(), "total": "8.40"}]
    assert (await client.get(f"{API}/collections/{empty}/value/history", headers=owner)).json()["data"] == [
        {"date": today.isoformat(), "total": "0.00"}
    ]

    async with db.session_scope() as session:
        await valuation.snapshot_all(session, today - timedelta(days=3))
    url = f"{API}/collections/{cid}/value/history"
    days = [p["date"] for p in (await client.get(url, headers=owner)).json()["data"]]
    assert days == [(today - timedelta(days=3)).isoformat(), today.isoformat()]
    only = (await client.get(f"{url}?from={today - timedelta(days=1)}&to={today}", headers=owner)).json()
    assert [p["date"] for p in only["data"]] == [today.isoformat()]
    error_body(await client.get(f"{url}?from={today}&to={date(2000, 1, 1)}", headers=owner), 400)


async def test_large_quantities_do_not_overflow(
    client: httpx.AsyncClient, owner: dict[str, str], cards: dict[str, dict[str, Any]], db: Database, settings: Settings
) -> None:
    """A million etched copies at $20.00 is 2,000,000,000 cents: past a 32-bit integer, which PostgreSQL
    uses for integer × integer unless told otherwise."""
    cid = await new_collection(client, owner)
    resp = await add(
        client, owner, cid, cards["c"], finish="etched", quantity=1_000_000, purchase_price="21000000", currency="USD"
    )
    assert resp.status_code == 201, resp.text
    body = (await client.get(f"{API}/collections/{cid}/value", headers=owner)).json()
    assert (body["total"], body["cost_basis"]) == ("20000000.00", "21000000000000.00")
    assert body["gain"] == "-20999980000000.00"
    async with db.session_scope() as session:
        await valuation.snapshot_all(session, utcnow().date())
    history = (await client.get(f"{API}/collections/{cid}/value/history", headers=owner)).json()
    assert history["data"][0]["total"] == "20000000.00"
