"""Account helpers for any domain's API tests: a logged-in user's headers, an API key's headers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx

PASSWORD = "a long enough passphrase for tests"


async def login_headers(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD
) -> dict[str, str]:
    """Register (if new) and log in; the Authorization headers of that user."""
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    resp = await client.post("/api/v1/auth/register", json={"email": email, "password": password})
    assert resp.status_code in (201, 409), resp.text
    resp = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def api_key_headers(
    client: httpx.AsyncClient, headers: dict[str, str], scopes: Sequence[str] = ("read",)
) -> dict[str, str]:
    resp = await client.post(
        "/api/v1/users/me/api-keys", json={"name": "test", "scopes": list(scopes)}, headers=headers
    )
    assert resp.status_code == 201, resp.text
    return {"X-API-Key": resp.json()["key"]}
