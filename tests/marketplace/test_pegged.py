"""Pegged prices (issue #14): market price of the finish less a percentage, computed from the newest price
day; orders lock the effective price; no market price means no listing and no order; search and sort read
the stored effective price that ``marketplace.refresh_pegged_prices`` keeps current."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from markettools import Market
from mtg_tracker.kit.db import Database
from mtg_tracker.marketplace import integrity, pegging
from mtg_tracker.price import service as price_service
from support import error_body


async def _prices(db: Database, day: date, card_id: str, **cents: int | None) -> None:
    async with db.session_scope() as session:
        await price_service.record_points(session, day, [(uuid.UUID(card_id), cents)])


async def _refresh(db: Database) -> dict[str, int]:
    async with db.session_scope() as session:
        return await pegging.refresh_stored(session)


async def _pegged(
    market: Market, seller: dict[str, str], pct: int, *, finish: str = "nonfoil", currency: str = "usd", card: int = 0
) -> Any:
    collection_id, entry_id = await market.entry(seller, 5, card=card, finish=finish)
    body = {
        "collection_id": collection_id,
        "entry_id": entry_id,
        "quantity": 5,
        "peg": {"type": "market", "discount_pct": pct},
        "currency": currency,
    }
    return await market.client.post("/api/v1/listings", json=body, headers=seller)


def test_rounding_is_half_up_in_integers() -> None:
    assert pegging.pegged_cents(1000, 10) == 900
    assert pegging.pegged_cents(333, 15) == 283  # 283.05 → 283
    assert pegging.pegged_cents(150, 1) == 149  # 148.5 → 149 (half up)
    assert pegging.pegged_cents(1, 50) == 1  # 0.5 → 1
    assert pegging.pegged_cents(999, 0) == 999


async def test_pegged_listing_follows_market_and_order_locks_price(market: Market, db: Database) -> None:
    card_id = market.cards[0]["id"]
    await _prices(db, date(2026, 2, 1), card_id, usd=1000, usd_foil=4000, eur=900)
    seller, buyer = await market.user(), await market.user()
    resp = await _pegged(market, seller, 10)
    assert resp.status_code == 201, resp.text
    listing = resp.json()
    assert listing["peg"] == {"type": "market", "discount_pct": 10} and listing["price"] == "9.00"
    foil = (await _pegged(market, seller, 25, finish="foil")).json()
    assert foil["price"] == "30.00"

    # A new price day moves the effective price (reads compute it; the job stores it for search).
    await _prices(db, date(2026, 2, 2), card_id, usd=2000, usd_foil=4000)
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}")).json()
    assert got["price"] == "18.00"
    assert (await _refresh(db))["changed"] == 1

    order = (await market.order(buyer, listing["id"], 2)).json()
    assert order["total"] == "36.00" and order["lines"][0]["unit_price"] == "18.00"
    # Later moves never change a placed order.
    await _prices(db, date(2026, 2, 3), card_id, usd=5000, usd_foil=4000)
    again = (await market.client.get(f"/api/v1/orders/{order['id']}", headers=buyer)).json()
    assert again["total"] == "36.00" and again["lines"][0]["unit_price"] == "18.00"
    assert (await market.act(buyer, order["id"], "pay")).status_code == 200
    assert (await market.act(seller, order["id"], "ship")).status_code == 200
    assert (await market.act(buyer, order["id"], "complete")).status_code == 200
    async with db.session(write=False) as session:
        found, _seconds = await integrity.audit(session)
    assert found == []


async def test_no_market_price_refuses_listing_and_order(market: Market, db: Database) -> None:
    card_id = market.cards[0]["id"]
    await _prices(db, date(2026, 2, 1), card_id, usd=1000, eur=None, usd_foil=None)
    seller, buyer = await market.user(), await market.user()
    assert error_body(await _pegged(market, seller, 10, currency="eur"), 409)["code"] == "no_market_price"
    assert error_body(await _pegged(market, seller, 10, finish="foil"), 409)["code"] == "no_market_price"
    listing = (await _pegged(market, seller, 10)).json()
    # Both a price and a peg, or neither: refused.
    both = {"collection_id": listing["collection_id"], "entry_id": listing["entry_id"], "quantity": 1}
    for body in ({**both, "price": "1.00", "peg": {"discount_pct": 5}}, both):
        assert error_body(await market.client.post("/api/v1/listings", json=body, headers=seller), 400)
    assert error_body(await _pegged(market, seller, 91), 400)
    # The newest day has no USD price any more: the listing shows none and cannot be ordered.
    await _prices(db, date(2026, 2, 2), card_id, eur=800)
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}")).json()
    assert got["price"] is None and got["peg"]["discount_pct"] == 10
    resp = await market.order(buyer, listing["id"], 1)
    assert error_body(resp, 409)["code"] == "no_market_price"
    assert (await market.client.get(f"/api/v1/listings/{listing['id']}")).json()["available"] == 5


async def test_search_and_sort_use_effective_price(market: Market, db: Database) -> None:
    card_id = market.cards[0]["id"]
    await _prices(db, date(2026, 2, 1), card_id, usd=1000)
    seller = await market.user()
    fixed = await market.listing(seller, 1, price="5.00")
    pegged = (await _pegged(market, seller, 50)).json()  # 5.00 → after the move 2.00
    await _prices(db, date(2026, 2, 2), card_id, usd=400)
    await _refresh(db)
    resp = await market.client.get("/api/v1/listings", params={"q": "price<3", "sort": "price"})
    assert resp.status_code == 200, resp.text
    assert [item["id"] for item in resp.json()["data"]] == [pegged["id"]]
    resp = await market.client.get("/api/v1/listings", params={"sort": "price"})
    ids = [item["id"] for item in resp.json()["data"]]
    assert ids.index(pegged["id"]) < ids.index(fixed["id"])
