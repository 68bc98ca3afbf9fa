"""Shops: members in roles (audited), inventory in attached collections, role checks on listings and orders,
isolation between shops, soft delete and admin restore."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from markettools import Market, bulk_users
from mtg_tracker.account.models import AuditEvent
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from support import error_body


async def _me(market: Market, headers: dict[str, str]) -> str:
    resp = await market.client.get("/api/v1/users/me", headers=headers)
    assert resp.status_code == 200, resp.text
    user_id: str = resp.json()["id"]
    return user_id


async def _shop(market: Market, owner: dict[str, str], name: str = "Card Corner") -> dict[str, Any]:
    resp = await market.client.post("/api/v1/shops", json={"name": name}, headers=owner)
    assert resp.status_code == 201, resp.text
    shop: dict[str, Any] = resp.json()
    return shop


async def test_shop_roles_listings_orders_and_isolation(market: Market, db: Database, settings: Settings) -> None:
    owner, manager, staff, buyer = await market.user(), await market.user(), await market.user(), await market.user()
    shop = await _shop(market, owner)
    assert shop["role"] == "owner" and shop["collections"] == []
    url = f"/api/v1/shops/{shop['id']}"
    for who, role in ((manager, "manager"), (staff, "staff")):
        resp = await market.client.post(
            f"{url}/members", json={"user_id": await _me(market, who), "role": role}, headers=owner
        )
        assert resp.status_code == 200 and resp.json()["role"] == role, resp.text
    # Only owners manage members; the last owner cannot step down.
    stranger_id = await _me(market, buyer)
    assert error_body(await market.client.post(f"{url}/members", json={"user_id": stranger_id}, headers=manager), 403)
    owner_id = await _me(market, owner)
    resp = await market.client.post(f"{url}/members", json={"user_id": owner_id, "role": "staff"}, headers=owner)
    assert error_body(resp, 409)["code"] == "last_owner"

    # The owner's collection becomes the shop's inventory; staff list from it as the shop.
    collection_id, entry_id = await market.entry(owner, 5)
    resp = await market.client.post(f"{url}/collections", json={"collection_id": collection_id}, headers=owner)
    assert resp.status_code == 204, resp.text
    body = {"collection_id": collection_id, "entry_id": entry_id, "quantity": 4, "price": "2.00", "shop_id": shop["id"]}
    resp = await market.client.post("/api/v1/listings", json=body, headers=staff)
    assert resp.status_code == 201, resp.text
    listing = resp.json()
    assert listing["seller"] == {"kind": "shop", "id": shop["id"]} and listing["entry_id"] == entry_id
    listing_url = f"/api/v1/listings/{listing['id']}"
    # Staff may change quantities, not prices; managers may.
    assert error_body(await market.client.patch(listing_url, json={"price": "1.00"}, headers=staff), 403)
    assert (await market.client.patch(listing_url, json={"quantity": 3}, headers=staff)).status_code == 200
    assert (await market.client.patch(listing_url, json={"price": "2.50"}, headers=manager)).json()["price"] == "2.50"
    # A member cannot buy from the shop.
    assert error_body(await market.order(staff, listing["id"]), 409)["code"] == "own_listing"

    order = (await market.order(buyer, listing["id"], 2)).json()
    assert order["seller"] == {"kind": "shop", "id": shop["id"]} and order["total"] == "5.00"
    assert (await market.act(buyer, order["id"], "pay")).status_code == 200
    assert error_body(await market.act(staff, order["id"], "refund"), 403)
    assert (await market.act(staff, order["id"], "ship")).json()["status"] == "shipped"
    assert (await market.act(buyer, order["id"], "complete")).json()["status"] == "completed"
    assert (await market.client.get("/api/v1/orders?role=seller", headers=staff)).json()["total"] == 1

    # The shop's ledger: managers see it, staff do not; the receivable is the shop's, not a member's.
    assert error_body(await market.client.get(f"/api/v1/ledger/balance?shop={shop['id']}", headers=staff), 403)
    shop_balance = (await market.client.get(f"/api/v1/ledger/balance?shop={shop['id']}", headers=manager)).json()
    assert {a["account"]: a["balance"] for a in shop_balance["accounts"]} == {
        "inventory": "-5.00",
        "receivable": "4.75",
    }
    receivable = next(a for a in shop_balance["accounts"] if a["account"] == "receivable")
    assert (await market.client.get(f"/api/v1/ledger/accounts/{receivable['id']}", headers=owner)).status_code == 200
    assert error_body(await market.client.get(f"/api/v1/ledger/accounts/{receivable['id']}", headers=staff), 404)

    # Staff of shop A cannot touch shop B, its listings or its orders: 404 everywhere.
    other_owner = await market.user()
    shop_b = await _shop(market, other_owner, "Other Shop")
    b_collection, b_entry = await market.entry(other_owner, 2)
    await market.client.post(
        f"/api/v1/shops/{shop_b['id']}/collections", json={"collection_id": b_collection}, headers=other_owner
    )
    b_body = {
        "collection_id": b_collection,
        "entry_id": b_entry,
        "quantity": 2,
        "price": "1.00",
        "shop_id": shop_b["id"],
    }
    b_listing = (await market.client.post("/api/v1/listings", json=b_body, headers=other_owner)).json()
    b_order = (await market.order(buyer, b_listing["id"])).json()
    assert error_body(await market.client.post("/api/v1/listings", json={**b_body, "quantity": 1}, headers=staff), 404)
    assert error_body(
        await market.client.post("/api/v1/listings", json={**body, "shop_id": shop_b["id"]}, headers=staff), 404
    )
    assert error_body(
        await market.client.patch(f"/api/v1/listings/{b_listing['id']}", json={"quantity": 1}, headers=staff), 404
    )
    assert error_body(await market.act(staff, b_order["id"], "cancel"), 404)
    assert error_body(await market.client.get(f"/api/v1/shops/{shop_b['id']}/members", headers=staff), 404)
    assert error_body(await market.client.get(f"/api/v1/ledger/balance?shop={shop_b['id']}", headers=owner), 404)

    # Membership changes are audited.
    resp = await market.client.delete(f"{url}/members/{await _me(market, staff)}", headers=owner)
    assert resp.status_code == 204
    async with db.session(write=False) as session:
        actions = list(await session.scalars(select(AuditEvent.action).where(AuditEvent.target == shop["id"])))
    assert actions.count("shop.member.add") == 2 and "shop.member.remove" in actions and "shop.create" in actions
    # A removed member has no say any more.
    assert error_body(await market.client.patch(listing_url, json={"quantity": 2}, headers=staff), 404)


async def test_soft_delete_and_admin_restore(market: Market, db: Database, settings: Settings) -> None:
    [admin] = await bulk_users(db, settings, 1, role="admin")
    owner, buyer = await market.user(), await market.user()
    shop = await _shop(market, owner)
    collection_id, entry_id = await market.entry(owner, 2)
    await market.client.post(
        f"/api/v1/shops/{shop['id']}/collections", json={"collection_id": collection_id}, headers=owner
    )
    body = {"collection_id": collection_id, "entry_id": entry_id, "quantity": 2, "price": "1.00", "shop_id": shop["id"]}
    listing = (await market.client.post("/api/v1/listings", json=body, headers=owner)).json()

    assert (await market.client.delete(f"/api/v1/shops/{shop['id']}", headers=owner)).status_code == 204
    assert error_body(await market.client.get(f"/api/v1/shops/{shop['id']}", headers=owner), 404)
    assert (await market.client.get("/api/v1/shops", headers=owner)).json()["total"] == 0
    assert _ids(await market.client.get("/api/v1/listings")) == []
    assert error_body(await market.order(buyer, listing["id"]), 404)
    assert error_body(await market.client.post(f"/api/v1/admin/shops/{shop['id']}/restore", headers=owner), 403)
    resp = await market.client.post(f"/api/v1/admin/shops/{shop['id']}/restore", headers=admin)
    assert resp.status_code == 200 and resp.json()["name"] == "Card Corner"
    # Back, with its listing withdrawn until a member resumes it (which re-checks the stock).
    listing_url = f"/api/v1/listings/{listing['id']}"
    assert (await market.client.get(listing_url, headers=owner)).json()["status"] == "withdrawn"
    assert (await market.client.patch(listing_url, json={"status": "active"}, headers=owner)).json()[
        "status"
    ] == "active"

    # A deleted listing is hidden from everyone, even its seller, until an admin restores it.
    assert (await market.client.delete(listing_url, headers=owner)).status_code == 204
    assert error_body(await market.client.get(listing_url, headers=owner), 404)
    resp = await market.client.post(f"/api/v1/admin/listings/{listing['id']}/restore", headers=admin)
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    assert (await market.client.get(listing_url, headers=owner)).status_code == 200


def _ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [item["id"] for item in resp.json()["data"]]
