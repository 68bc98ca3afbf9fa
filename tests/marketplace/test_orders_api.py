"""Listings, orders, the state machine, copies moving between collections and the ledger, end to end."""

from __future__ import annotations

import csv
import io
from typing import Any

from markettools import Market
from support import error_body


async def _entries(market: Market, headers: dict[str, str], collection_id: str) -> list[dict[str, Any]]:
    resp = await market.client.get(f"/api/v1/collections/{collection_id}/entries", headers=headers)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


async def test_listing_copies_entry_and_reserves_stock(market: Market) -> None:
    seller = await market.user()
    collection_id, entry_id = await market.entry(seller, 5, finish="foil", condition="LP", language="de")
    body = {"collection_id": collection_id, "entry_id": entry_id, "quantity": 3, "price": "2.25", "currency": "eur"}
    resp = await market.client.post("/api/v1/listings", json=body, headers=seller)
    assert resp.status_code == 201, resp.text
    listing = resp.json()
    assert listing["object"] == "listing" and listing["card"]["id"] == market.cards[0]["id"]
    assert (listing["finish"], listing["condition"], listing["language"]) == ("foil", "LP", "de")
    assert (listing["quantity"], listing["available"], listing["price"], listing["currency"]) == (3, 3, "2.25", "eur")
    assert listing["status"] == "active" and listing["seller"]["kind"] == "user"
    # 5 held, 3 reserved: a second listing of 3 is too many, of 2 fits.
    resp = await market.client.post("/api/v1/listings", json={**body, "quantity": 3}, headers=seller)
    assert error_body(resp, 409)["code"] == "insufficient_stock" and resp.json()["available"] == 2
    resp = await market.client.post("/api/v1/listings", json={**body, "quantity": 2}, headers=seller)
    assert resp.status_code == 201, resp.text
    # Someone else's collection entry is not found.
    other = await market.user()
    assert error_body(await market.client.post("/api/v1/listings", json=body, headers=other), 404)
    # A fixed price and a peg at once: refused, not one of them ignored.
    peg = {**body, "quantity": 1, "peg": {"type": "market", "discount_pct": 10}}
    assert error_body(await market.client.post("/api/v1/listings", json=peg, headers=seller), 400)


async def test_order_lifecycle_moves_copies_and_money(market: Market) -> None:
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 4, price="3.00")
    resp = await market.order(buyer, listing["id"], 3)
    assert resp.status_code == 201, resp.text
    order = resp.json()
    assert order["object"] == "order" and order["status"] == "pending" and order["total"] == "9.00"
    assert order["lines"] == [
        {"listing_id": listing["id"], "card_id": market.cards[0]["id"], "quantity": 3, "unit_price": "3.00"}
    ]
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}", headers=seller)).json()
    assert got["available"] == 1 and got["status"] == "active"

    assert error_body(await market.act(seller, order["id"], "ship"), 409)["code"] == "invalid_transition"
    assert error_body(await market.act(buyer, order["id"], "ship"), 403)
    assert (await market.act(buyer, order["id"], "pay")).json()["status"] == "paid"
    assert (await market.act(seller, order["id"], "ship")).json()["status"] == "shipped"
    done = await market.act(buyer, order["id"], "complete")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed" and done.json()["fee"] == "0.45"  # 5 % of 9.00

    # The seller's entry lost 3 of its 4 copies; the buyer's purchases collection gained them at cost.
    seller_collection = got["collection_id"]
    assert [e["quantity"] for e in await _entries(market, seller, seller_collection)] == [1]
    purchases = (await market.client.get("/api/v1/collections", headers=buyer)).json()["data"]
    assert [c["name"] for c in purchases] == ["Marketplace purchases"]
    [bought] = await _entries(market, buyer, purchases[0]["id"])
    assert (bought["quantity"], bought["purchase_price"], bought["currency"]) == (3, "3.00", "USD")
    assert bought["tags"] == ["bought"]

    balance = (await market.client.get("/api/v1/ledger/balance", headers=buyer)).json()
    assert {a["account"]: a["balance"] for a in balance["accounts"]} == {"cash": "-9.00", "inventory": "9.00"}
    seller_balance = (await market.client.get("/api/v1/ledger/balance", headers=seller)).json()
    assert {a["account"]: a["balance"] for a in seller_balance["accounts"]} == {
        "inventory": "-9.00",
        "receivable": "8.55",
    }
    entries = (await market.client.get("/api/v1/ledger/entries", headers=buyer)).json()
    assert entries["total"] == 2
    for entry in entries["data"]:
        debits = sum(int(ln["debit"].replace(".", "")) for ln in entry["lines"])
        credits = sum(int(ln["credit"].replace(".", "")) for ln in entry["lines"])
        assert debits == credits > 0

    cash = next(a for a in balance["accounts"] if a["account"] == "cash")
    resp = await market.client.get(f"/api/v1/ledger/accounts/{cash['id']}/statement", headers=buyer)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [(r["kind"], r["credit"], r["balance"]) for r in rows] == [("payment", "9.00", "-9.00")]


async def test_cancel_and_refund_return_stock(market: Market) -> None:
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 2, price="1.00")
    first = (await market.order(buyer, listing["id"], 2)).json()
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}", headers=seller)).json()
    assert (got["available"], got["status"]) == (0, "sold_out")
    assert error_body(await market.order(buyer, listing["id"], 1), 409)["code"] == "insufficient_stock"
    assert (await market.act(seller, first["id"], "cancel")).json()["status"] == "cancelled"
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}", headers=seller)).json()
    assert (got["available"], got["status"]) == (2, "active")

    second = (await market.order(buyer, listing["id"], 2)).json()
    assert (await market.act(buyer, second["id"], "pay")).status_code == 200
    assert error_body(await market.act(buyer, second["id"], "refund"), 403)
    assert error_body(await market.act(buyer, second["id"], "cancel"), 409)
    assert (await market.act(seller, second["id"], "refund")).json()["status"] == "refunded"
    got = (await market.client.get(f"/api/v1/listings/{listing['id']}", headers=seller)).json()
    assert (got["available"], got["status"]) == (2, "active")
    balance = (await market.client.get("/api/v1/ledger/balance", headers=buyer)).json()
    assert [(a["account"], a["debit"], a["credit"], a["balance"]) for a in balance["accounts"]] == [
        ("cash", "2.00", "2.00", "0.00")
    ]
    entries = (await market.client.get("/api/v1/ledger/entries", headers=buyer)).json()["data"]
    assert entries[0]["reverses_id"] == entries[1]["id"]


async def test_order_rules(market: Market) -> None:
    seller, buyer = await market.user(), await market.user()
    usd = await market.listing(seller, 2)
    eur = await market.listing(seller, 2, currency="eur")
    assert error_body(await market.order(seller, usd["id"]), 409)["code"] == "own_listing"
    lines = {"lines": [{"listing_id": usd["id"], "quantity": 1}, {"listing_id": eur["id"], "quantity": 1}]}
    resp = await market.client.post("/api/v1/orders", json=lines, headers={**buyer, "Idempotency-Key": "mixed"})
    assert error_body(resp, 400)
    resp = await market.client.post("/api/v1/orders", json={"lines": lines["lines"][:1]}, headers=buyer)
    assert "Idempotency-Key" in error_body(resp, 400)["details"]
    # Two lines of one listing add up, and together they are more than it has: nothing is taken.
    two = {"lines": [{"listing_id": usd["id"], "quantity": 2}, {"listing_id": usd["id"], "quantity": 1}]}
    resp = await market.client.post("/api/v1/orders", json=two, headers={**buyer, "Idempotency-Key": "two"})
    assert error_body(resp, 409)["code"] == "insufficient_stock"
    got = (await market.client.get(f"/api/v1/listings/{usd['id']}", headers=seller)).json()
    assert got["available"] == 2


async def test_listing_updates(market: Market) -> None:
    seller, buyer = await market.user(), await market.user()
    listing = await market.listing(seller, 2, held=3)
    url = f"/api/v1/listings/{listing['id']}"
    order = (await market.order(buyer, listing["id"], 2)).json()
    # 2 copies in an order: the quantity cannot drop below them; up to the 3 held is fine, not beyond.
    assert error_body(await market.client.patch(url, json={"quantity": 1}, headers=seller), 409)
    assert error_body(await market.client.patch(url, json={"quantity": 4}, headers=seller), 409)
    resp = await market.client.patch(url, json={"quantity": 3, "price": "5.00"}, headers=seller)
    assert (resp.json()["available"], resp.json()["status"], resp.json()["price"]) == (1, "active", "5.00")
    assert (await market.client.get(f"/api/v1/orders/{order['id']}", headers=buyer)).json()["total"] == "3.00"
    resp = await market.client.patch(url, json={"status": "paused"}, headers=seller)
    assert resp.json()["status"] == "paused"
    assert error_body(await market.order(buyer, listing["id"], 1), 409)
    # The buyer sees a paused listing but cannot change it.
    assert (await market.client.get(url, headers=buyer)).status_code == 200
    assert error_body(await market.client.patch(url, json={"price": "0.01"}, headers=buyer), 404)
    assert (await market.client.delete(url, headers=seller)).status_code == 204
    assert error_body(await market.client.get(url, headers=seller), 404)
    # The order placed before still runs its course.
    assert (await market.act(buyer, order["id"], "pay")).status_code == 200
    audit = (await market.client.get("/api/v1/listings?mine=true", headers=seller)).json()
    assert audit["total"] == 0


async def test_others_rows_are_not_found(market: Market) -> None:
    seller, buyer, stranger = await market.user(), await market.user(), await market.user()
    listing = await market.listing(seller, 2)
    order = (await market.order(buyer, listing["id"])).json()
    await market.act(buyer, order["id"], "pay")
    assert error_body(await market.client.get(f"/api/v1/orders/{order['id']}", headers=stranger), 404)
    for action in ("pay", "ship", "cancel", "refund", "complete"):
        assert error_body(await market.act(stranger, order["id"], action), 404)
    url = f"/api/v1/listings/{listing['id']}"
    assert error_body(await market.client.patch(url, json={"price": "0.01"}, headers=stranger), 404)
    assert error_body(await market.client.delete(url, headers=stranger), 404)
    accounts = (await market.client.get("/api/v1/ledger/balance", headers=buyer)).json()["accounts"]
    account_url = f"/api/v1/ledger/accounts/{accounts[0]['id']}"
    assert (await market.client.get(account_url, headers=buyer)).status_code == 200
    assert error_body(await market.client.get(account_url, headers=stranger), 404)
    assert error_body(await market.client.get(account_url + "/statement", headers=stranger), 404)
    assert (await market.client.get("/api/v1/orders", headers=stranger)).json()["total"] == 0
    assert (await market.client.get("/api/v1/ledger/entries", headers=stranger)).json()["total"] == 0
    assert (await market.client.get("/api/v1/orders?role=seller", headers=seller)).json()["total"] == 1
