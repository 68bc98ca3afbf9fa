"""Property (issue #14, item 3): whatever sequence of listings, orders, payments, shipments, completions,
cancellations and refunds happens, the API answers as a simple model predicts, the ledger balances, the
buyer's cash is what they paid for, and the integrity audit finds nothing.

The model is deliberately independent of the service's state table. Each example has its own seller and
buyer, but examples share a database that only grows: the audit must stay clean across all of it.
An injected corruption being found is tested in test_integrity.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from markettools import Market, bulk_users
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.marketplace import integrity

# action -> (who may, from which statuses, to which status)
RULES = {
    "pay": ({"buyer"}, {"pending"}, "paid"),
    "ship": ({"seller"}, {"paid"}, "shipped"),
    "complete": ({"buyer"}, {"shipped"}, "completed"),
    "cancel": ({"buyer", "seller"}, {"pending"}, "cancelled"),
    "refund": ({"seller"}, {"paid", "shipped"}, "refunded"),
}

Op = tuple[Any, ...]
ops = st.one_of(
    st.tuples(st.just("list"), st.integers(1, 4), st.integers(0, 500)),
    st.tuples(st.just("order"), st.integers(0, 5), st.integers(1, 3)),
    st.tuples(st.just("act"), st.integers(0, 7), st.sampled_from(sorted(RULES)), st.sampled_from(["buyer", "seller"])),
)


@dataclass
class Model:
    listings: list[tuple[str, int]] = field(default_factory=list)  # (id, price cents)
    available: dict[str, int] = field(default_factory=dict)
    orders: list[dict[str, Any]] = field(default_factory=list)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(ops, min_size=1, max_size=14))
async def test_any_history_keeps_the_books_straight(
    market: Market, db: Database, settings: Settings, steps: list[Op]
) -> None:
    seller, buyer = await bulk_users(db, settings, 2)  # fresh per example: their balances are this history's
    traders = {"seller": seller, "buyer": buyer}
    model = Model()
    for step in steps:
        if step[0] == "list":
            _, quantity, cents = step
            listing = await market.listing(traders["seller"], quantity, price=f"{cents // 100}.{cents % 100:02d}")
            model.listings.append((listing["id"], cents))
            model.available[listing["id"]] = quantity
        elif step[0] == "order" and model.listings:
            _, index, quantity = step
            listing_id, cents = model.listings[index % len(model.listings)]
            resp = await market.order(traders["buyer"], listing_id, quantity)
            if model.available[listing_id] >= quantity:
                assert resp.status_code == 201, resp.text
                model.available[listing_id] -= quantity
                model.orders.append(
                    {
                        "id": resp.json()["id"],
                        "listing": listing_id,
                        "qty": quantity,
                        "total": quantity * cents,
                        "status": "pending",
                    }
                )
            else:
                assert resp.status_code == 409 and resp.json()["code"] == "insufficient_stock", resp.text
        elif step[0] == "act" and model.orders:
            _, index, action, actor = step
            order = model.orders[index % len(model.orders)]
            roles, sources, target = RULES[action]
            resp = await market.act(traders[actor], order["id"], action)
            if actor not in roles:
                assert resp.status_code == 403, resp.text
            elif order["status"] not in sources:
                assert resp.status_code == 409, resp.text
            else:
                assert resp.status_code == 200, resp.text
                assert resp.json()["status"] == target
                order["status"] = target
                if action in ("cancel", "refund"):
                    model.available[order["listing"]] += order["qty"]

    for listing_id, available in model.available.items():
        got = (await market.client.get(f"/api/v1/listings/{listing_id}", headers=traders["seller"])).json()
        assert got["available"] == available
    entries = (await market.client.get("/api/v1/ledger/entries?page_size=500", headers=traders["buyer"])).json()
    for entry in entries["data"]:
        debits = sum(int(ln["debit"].replace(".", "")) for ln in entry["lines"])
        credits = sum(int(ln["credit"].replace(".", "")) for ln in entry["lines"])
        assert debits == credits
    async with db.session(write=False) as session:
        findings, _seconds = await integrity.audit(session)
    assert findings == []
    # The buyer's cash across all examples so far: what every paid, shipped or completed order cost.
    balance = (await market.client.get("/api/v1/ledger/balance", headers=traders["buyer"])).json()
    cash = {a["account"]: a["balance"] for a in balance["accounts"]}.get("cash", "0.00")
    spent = sum(o["total"] for o in model.orders if o["status"] in ("paid", "shipped", "completed"))
    assert int(cash.replace(".", "")) == -spent
