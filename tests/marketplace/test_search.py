"""GET /listings?q=: card search syntax plus price<, seller:, condition>=, currency:, sorted by price."""

from __future__ import annotations

from typing import Any

from markettools import Market
from support import error_body


async def _list(
    market: Market, headers: dict[str, str], *, card: int, condition: str, price: str, currency: str = "usd"
) -> dict[str, Any]:
    collection_id, entry_id = await market.entry(headers, 2, card=card, condition=condition)
    body = {"collection_id": collection_id, "entry_id": entry_id, "quantity": 2, "price": price, "currency": currency}
    resp = await market.client.post("/api/v1/listings", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    listing: dict[str, Any] = resp.json()
    return listing


async def _ids(market: Market, q: str, **params: Any) -> list[str]:
    resp = await market.client.get("/api/v1/listings", params={"q": q, **params})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["object"] == "list" and body["total"] == len(body["data"])
    return [item["id"] for item in body["data"]]


async def test_listing_search(market: Market) -> None:
    alice, bob = await market.user(), await market.user()
    lotus_nm = await _list(market, alice, card=0, condition="NM", price="9000.00")
    lotus_hp = await _list(market, bob, card=0, condition="HP", price="4000.00")
    storm_lp = await _list(market, alice, card=1, condition="LP", price="1.25")
    storm_eur = await _list(market, bob, card=1, condition="MP", price="0.90", currency="eur")
    paused = await _list(market, bob, card=1, condition="NM", price="0.10")
    await market.client.patch(f"/api/v1/listings/{paused['id']}", json={"status": "paused"}, headers=bob)

    # Cheapest first; paused listings are not for sale.
    assert await _ids(market, "t:instant") == [storm_eur["id"], storm_lp["id"]]
    assert await _ids(market, "t:instant", sort="-price") == [storm_lp["id"], storm_eur["id"]]
    assert await _ids(market, "lotus price<5000") == [lotus_hp["id"]]
    assert await _ids(market, "price>=1.25 price<=9000") == [storm_lp["id"], lotus_hp["id"], lotus_nm["id"]]
    assert await _ids(market, "condition>=LP") == [storm_lp["id"], lotus_nm["id"]]
    assert await _ids(market, "cond<=MP") == [storm_eur["id"], lotus_hp["id"]]
    seller_id = lotus_nm["seller"]["id"]
    assert await _ids(market, f"seller:{seller_id}") == [storm_lp["id"], lotus_nm["id"]]
    assert await _ids(market, f"seller:{seller_id} t:artifact") == [lotus_nm["id"]]
    assert await _ids(market, "currency:eur") == [storm_eur["id"]]
    assert await _ids(market, "", seller=seller_id) == [storm_lp["id"], lotus_nm["id"]]

    # Bad listing terms and card queries the search cannot understand are 400s, never 500s.
    for q in ("price<abc", "seller:bob", "condition>=XX", "(price<2 or t:elf)", "zz:top"):
        resp = await market.client.get("/api/v1/listings", params={"q": q})
        error_body(resp, 400)
