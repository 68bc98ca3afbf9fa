"""Scryfall's card migrations: stored by the sync (Scryfall faked at the transport), served at
/migrations and /migrations/{id}, and a migrated card id answering 404 that names its migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.sync import sync_migrations
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from support import error_body

API = "/api/v1"
# Shapes as Scryfall documents them (https://scryfall.com/docs/api/migrations); the ids are made up
# because no real migration list is reachable from here, and none of them names a real card.
MERGE = {
    "object": "migration",
    "id": "6697b38a-ee19-455c-b24b-d0a659782d8b",
    "uri": "https://api.scryfall.com/migrations/6697b38a-ee19-455c-b24b-d0a659782d8b",
    "performed_at": "2023-01-02",
    "migration_strategy": "merge",
    "old_scryfall_id": "00000000-0000-4000-8000-000000000001",
    "new_scryfall_id": None,  # filled with a real card id of the fixture
    "note": "Duplicate entry merged.",
}
DELETE = {
    "object": "migration",
    "id": "7a1b2c3d-0000-4000-8000-000000000002",
    "uri": "https://api.scryfall.com/migrations/7a1b2c3d-0000-4000-8000-000000000002",
    "performed_at": "2023-03-04",
    "migration_strategy": "delete",
    "old_scryfall_id": "00000000-0000-4000-8000-000000000003",
    "note": "Not a real card.",
}


@pytest.fixture
async def migrated(db: Database, settings: Settings, tmp_path: Path) -> list[dict[str, Any]]:
    cards = sample_2025()
    await import_cards(db, write_json(tmp_path / "cards.json", cards))
    merge = {**MERGE, "new_scryfall_id": cards[0]["id"]}
    bad = {**DELETE, "id": "not-a-uuid"}
    pages = {
        "1": {
            "object": "list",
            "has_more": True,
            "next_page": "https://api.scryfall.com/migrations?page=2",
            "data": [merge, bad],
        },
        "2": {"object": "list", "has_more": False, "data": [DELETE]},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/migrations"
        return httpx.Response(200, json=pages[request.url.params.get("page", "1")])

    local = settings.scryfall.model_copy(update={"offline": False})
    async with ScryfallClient(local, transport=httpx.MockTransport(handler)) as client:
        summary = await sync_migrations(db, client)
        assert summary.as_dict() == {"read": 3, "inserted": 2, "updated": 0, "skipped": 1}
        again = await sync_migrations(db, client)
        assert again.as_dict() == {"read": 3, "inserted": 0, "updated": 0, "skipped": 1}
    return [merge, DELETE]


def _served(migration: dict[str, Any]) -> dict[str, Any]:
    """The stored migration as this server serves it: its link points here, not at api.scryfall.com."""
    return {**migration, "uri": f"http://testserver{API}/migrations/{migration['id']}"}


async def test_list_and_get(client: httpx.AsyncClient, migrated: list[dict[str, Any]]) -> None:
    body = (await client.get(f"{API}/migrations")).json()
    assert body["object"] == "list" and body["has_more"] is False
    assert body["data"] == [_served(migrated[1]), _served(migrated[0])]  # newest first
    one = await client.get(f"{API}/migrations/{migrated[0]['id']}")
    assert one.status_code == 200 and one.json() == _served(migrated[0])
    error_body(await client.get(f"{API}/migrations/00000000-0000-0000-0000-000000000000"), 404)
    error_body(await client.get(f"{API}/migrations/nope"), 404)
    error_body(await client.get(f"{API}/migrations?page=0"), 400)


async def test_a_migrated_card_id_answers_404_naming_its_migration(
    client: httpx.AsyncClient, migrated: list[dict[str, Any]]
) -> None:
    merge, delete = migrated
    body = error_body(await client.get(f"{API}/cards/{merge['old_scryfall_id']}"), 404)
    assert merge["new_scryfall_id"] in body["details"] and body["migration"] == _served(merge)
    assert (await client.get(f"{API}/cards/{merge['new_scryfall_id']}")).status_code == 200
    body = error_body(await client.get(f"{API}/cards/{delete['old_scryfall_id']}"), 404)
    assert "deleted" in body["details"] and body["migration"]["migration_strategy"] == "delete"
