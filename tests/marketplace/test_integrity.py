"""The integrity audit: clean after real trading, and each kind of drift written behind the service's back
is found, stored, shown to admins, counted, and degrades /health/detailed; the CLI exits 1 on findings."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from typer.testing import CliRunner

from markettools import Market, bulk_users
from mtg_tracker.cli import app as cli_app
from mtg_tracker.config import Settings, get_settings
from mtg_tracker.kit import metrics
from mtg_tracker.kit.db import Database, utcnow
from mtg_tracker.marketplace import integrity
from mtg_tracker.marketplace.models import JournalEntry, JournalLine, LedgerAccount, Listing, Order
from support import OPS_HEADERS, error_body


async def _trade(market: Market) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """Orders in every final and open state, so every check has rows to look at."""
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 10, price="2.00")
    flows = [["pay", "ship", "complete"], ["pay", "refund"], ["cancel"], ["pay"], []]
    for flow in flows:
        order = (await market.order(buyer, listing["id"], 2 if flow == ["cancel"] else 1)).json()
        for action in flow:
            actor = buyer if action in ("pay", "complete") else seller
            resp = await market.act(actor, order["id"], action)
            assert resp.status_code == 200, resp.text
    return seller, buyer, listing


async def _findings(db: Database) -> list[str]:
    async with db.session(write=False) as session:
        found, _seconds = await integrity.audit(session)
    return [f.check for f in found]


async def test_clean_after_trading_and_corruptions_are_found(market: Market, db: Database) -> None:
    await _trade(market)
    assert await _findings(db) == []

    async with db.session_scope() as session:
        account = await session.scalar(select(LedgerAccount.id).limit(1))
        entry = (
            await session.execute(insert(JournalEntry).values(kind="correction", memo="typo", created_at=utcnow()))
        ).inserted_primary_key[0]
        await session.execute(
            insert(JournalLine).values(entry_id=entry, account_id=account, debit=100, credit=0, currency="usd")
        )
    assert sorted(await _findings(db)) == ["entry_balanced", "trial_balance"]


@pytest.mark.parametrize(
    ("corrupt", "check"),
    [
        ("order_total", "order_total"),
        ("listing_available", "listing_quantity"),
        ("order_status", "order_ledger"),
    ],
)
async def test_each_drift_is_found(market: Market, db: Database, corrupt: str, check: str) -> None:
    _seller, _buyer, listing = await _trade(market)
    async with db.session_scope() as session:
        if corrupt == "order_total":
            await session.execute(update(Order).where(Order.status == "pending").values(total_cents=1))
        elif corrupt == "listing_available":
            await session.execute(
                update(Listing).where(Listing.id == uuid.UUID(listing["id"])).values(available=Listing.available - 1)
            )
        else:  # an order marked paid whose payment never reached the journal
            await session.execute(update(Order).where(Order.status == "pending").values(status="paid"))
    assert check in await _findings(db)


async def test_stock_drift_in_the_collection_is_found(market: Market, db: Database) -> None:
    seller = await market.user()
    listing = await market.listing(seller, 3, held=3)
    # The seller edits the collection behind the marketplace's back: 1 copy left, 3 listed.
    own = (await market.client.get(f"/api/v1/listings/{listing['id']}", headers=seller)).json()
    url = f"/api/v1/collections/{own['collection_id']}/entries/{own['entry_id']}"
    assert (await market.client.patch(url, json={"quantity": 1}, headers=seller)).status_code == 200
    assert await _findings(db) == ["entry_stock"]


async def test_report_metric_health_and_cli(
    market: Market, db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    [admin] = await bulk_users(db, settings, 1, role="admin")
    user = await market.user()
    assert error_body(await market.client.get("/api/v1/admin/integrity", headers=user), 403)
    never = (await market.client.get("/api/v1/admin/integrity", headers=admin)).json()
    assert never["ran_at"] is None and never["findings"] == [] and "entry_balanced" in never["checks"]
    await _trade(market)

    monkeypatch.setenv("MTG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MTG_LOG__LEVEL", "WARNING")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        clean = await asyncio.to_thread(runner.invoke, cli_app, ["ledger", "audit"])
        assert clean.exit_code == 0, clean.output
        assert "clean" in clean.output
        health = (await market.client.get("/health/detailed", headers=OPS_HEADERS)).json()
        assert health["components"]["marketplace_integrity"]["status"] == "ok"
        assert health["status"] == "ok"

        async with db.session_scope() as session:
            await session.execute(update(Order).where(Order.status == "pending").values(total_cents=12345))
        drift = await asyncio.to_thread(runner.invoke, cli_app, ["ledger", "audit"])
        assert drift.exit_code == 1, drift.output
        assert "order_total" in drift.output
    finally:
        get_settings.cache_clear()

    report = (await market.client.get("/api/v1/admin/integrity", headers=admin)).json()
    assert report["object"] == "integrity_report" and report["finding_count"] == 1
    assert report["findings"][0]["check"] == "order_total" and "12345" in report["findings"][0]["detail"]
    health = (await market.client.get("/health/detailed", headers=OPS_HEADERS)).json()
    assert health["components"]["marketplace_integrity"] == {
        "status": "degraded",
        "ran_at": health["components"]["marketplace_integrity"]["ran_at"],
        "findings": 1,
    }
    assert health["status"] == "degraded"
    assert metrics.MARKETPLACE_INTEGRITY_FINDINGS._value.get() == 1  # set by the health check from the newest run
