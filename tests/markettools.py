"""The marketplace calls tests repeat (collection entry, listing, order, transition), through the API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx


class Market:
    """A client plus the calls tests repeat: a collection entry, a listing, an order."""

    def __init__(self, client: httpx.AsyncClient, cards: list[dict[str, Any]], db: Any, settings: Any) -> None:
        self.client = client
        self.cards = cards
        self.db = db
        self.settings = settings

    async def user(self) -> dict[str, str]:
        """A new user's headers (made directly: registering hashes a password, ~150 ms of CPU per user)."""
        [headers] = await bulk_users(self.db, self.settings, 1)
        return headers

    async def entry(
        self, headers: dict[str, str], quantity: int, *, card: int = 0, finish: str = "nonfoil", **extra: Any
    ) -> tuple[str, int]:
        resp = await self.client.post("/api/v1/collections", json={"name": "stock"}, headers=headers)
        assert resp.status_code == 201, resp.text
        collection_id = resp.json()["id"]
        body = {"card_id": self.cards[card]["id"], "quantity": quantity, "finish": finish, **extra}
        resp = await self.client.post(f"/api/v1/collections/{collection_id}/entries", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        return collection_id, resp.json()["id"]

    async def listing(
        self, headers: dict[str, str], quantity: int, *, price: str = "1.50", currency: str = "usd", held: int = 0
    ) -> dict[str, Any]:
        collection_id, entry_id = await self.entry(headers, held or quantity)
        body = {
            "collection_id": collection_id,
            "entry_id": entry_id,
            "quantity": quantity,
            "price": price,
            "currency": currency,
        }
        resp = await self.client.post("/api/v1/listings", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        listing: dict[str, Any] = resp.json()
        return listing

    async def order(
        self, headers: dict[str, str], listing_id: str, quantity: int = 1, *, key: str | None = None
    ) -> httpx.Response:
        return await self.client.post(
            "/api/v1/orders",
            json={"lines": [{"listing_id": listing_id, "quantity": quantity}]},
            headers={**headers, "Idempotency-Key": key or uuid.uuid4().hex},
        )

    async def act(self, headers: dict[str, str], order_id: str, action: str, **body: Any) -> httpx.Response:
        return await self.client.post(f"/api/v1/orders/{order_id}/{action}", json=body or None, headers=headers)


async def bulk_users(db: Any, settings: Any, n: int, *, role: str = "user") -> list[dict[str, str]]:
    """Headers of ``n`` new users, made in one transaction with tokens minted directly: registering through
    the API hashes a password per user (~150 ms of CPU each), too slow for hundreds of concurrent buyers."""
    from mtg_tracker.account.deps import key_ring
    from mtg_tracker.account.models import Session, User
    from mtg_tracker.account.tokens import issue_access_token
    from mtg_tracker.kit.db import utcnow

    now = utcnow()
    users = [
        User(
            id=uuid.uuid4(),
            email=f"buyer-{uuid.uuid4().hex[:12]}@example.com",
            password_hash="!no-password",  # never matches: these users cannot log in, only use their token
            role=role,
            is_active=True,
            created_at=now,
            updated_at=now,
            password_changed_at=now,
        )
        for _ in range(n)
    ]
    sessions = [
        Session(id=uuid.uuid4(), user_id=u.id, created_at=now, last_used_at=now, expires_at=now + timedelta(days=1))
        for u in users
    ]
    async with db.session_scope() as session:
        session.add_all(users)
        await session.flush()
        session.add_all(sessions)
    out = []
    for user, login in zip(users, sessions, strict=True):
        token, _claims = issue_access_token(
            key_ring(settings), settings.auth, user_id=user.id, session_id=login.id, role=role, now=now
        )
        out.append({"Authorization": f"Bearer {token}"})
    return out
