"""Helpers of the collection tests (fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1"


async def new_collection(client: httpx.AsyncClient, headers: dict[str, str], **data: Any) -> str:
    resp = await client.post(f"{API}/collections", json={"name": "Main", **data}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def add(
    client: httpx.AsyncClient, headers: dict[str, str], cid: str, card: dict[str, Any], **data: Any
) -> httpx.Response:
    return await client.post(f"{API}/collections/{cid}/entries", json={"card_id": card["id"], **data}, headers=headers)
