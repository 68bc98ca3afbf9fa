"""Helpers of the collection tests (fixtures are in conftest.py)."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from typing import Any

import httpx

from support import shared_data

API = "/api/v1"
MANABOX_CONDITION = {  # Cardmarket's scale as ManaBox writes it, onto our ladder (stated here, not imported)
    "mint": "M",
    "near_mint": "NM",
    "excellent": "LP",
    "good": "MP",
    "light_played": "MP",
    "played": "HP",
    "poor": "D",
}


def pack_members(pack: str) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file in one of shared/data/collections' tar packs."""
    with tarfile.open(shared_data("collections", pack)) as tar:
        for member in tar:
            if member.isfile():
                handle = tar.extractfile(member)
                assert handle is not None
                yield member.name, handle.read()


async def new_collection(client: httpx.AsyncClient, headers: dict[str, str], **data: Any) -> str:
    resp = await client.post(f"{API}/collections", json={"name": "Main", **data}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def add(
    client: httpx.AsyncClient, headers: dict[str, str], cid: str, card: dict[str, Any], **data: Any
) -> httpx.Response:
    return await client.post(f"{API}/collections/{cid}/entries", json={"card_id": card["id"], **data}, headers=headers)
