"""/bulk-data: this server's catalog as Scryfall-shaped bulk files, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog import bulk
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.catalog.rulings import Ruling
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from support import error_body

API = "/api/v1"
BASE = "http://testserver"
FIELDS = {
    "object",
    "id",
    "type",
    "updated_at",
    "uri",
    "name",
    "description",
    "size",
    "download_uri",
    "content_type",
    "content_encoding",
}


@pytest.fixture
async def catalog(db: Database, tmp_path: Path) -> dict[str, Any]:
    cards = sample_2025()
    await import_cards(db, write_json(tmp_path / "cards.json", cards))
    oracles = sorted({c["oracle_id"] for c in cards if c.get("oracle_id")})[:5]
    rulings = [Ruling(uuid.UUID(o), "wotc", date(2020, 1, i + 1), f"Ruling {i}.") for i, o in enumerate(oracles)]
    async with db.session_scope() as session:
        await catalog_service.load_rulings(session, iter(rulings))
    return {"cards": cards, "rulings": rulings}


async def _download(client: httpx.AsyncClient, obj: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    assert obj["download_uri"].startswith(BASE)
    resp = await client.get(obj["download_uri"].removeprefix(BASE), **kw)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-encoding"] == "gzip"
    assert resp.headers["content-type"].startswith("application/json")
    assert int(resp.headers["content-length"]) == obj["size"]
    items: list[dict[str, Any]] = orjson.loads(resp.content)  # httpx undid the gzip
    return items


async def test_list_and_objects(client: httpx.AsyncClient, catalog: Any) -> None:
    resp = await client.get(f"{API}/bulk-data")
    assert resp.status_code == 200
    body = resp.json()
    assert body["object"] == "list" and body["has_more"] is False
    types = [o["type"] for o in body["data"]]
    assert types == ["oracle_cards", "unique_artwork", "default_cards", "rulings"]
    for obj in body["data"]:
        assert set(obj) == FIELDS
        assert obj["object"] == "bulk_data"
        assert obj["id"] == str(bulk.bulk_id(obj["type"]))
        assert obj["content_type"] == "application/json" and obj["content_encoding"] == "gzip"
        assert obj["uri"] == f"{BASE}{API}/bulk-data/{obj['id']}"
        assert obj["download_uri"] == f"{BASE}{API}/bulk-data/{obj['type']}/download"
        assert obj["size"] > 0 and obj["updated_at"].endswith("Z")
        by_id = (await client.get(obj["uri"].removeprefix(BASE))).json()
        by_type = (await client.get(f"{API}/bulk-data/{obj['type']}")).json()
        by_hyphen = (await client.get(f"{API}/bulk-data/{obj['type'].replace('_', '-')}")).json()
        assert by_id == by_type == by_hyphen == obj
        file = await client.get(f"{API}/bulk-data/{obj['type']}", params={"format": "file"})
        assert file.status_code == 302 and file.headers["location"] == obj["download_uri"]


async def test_downloads_hold_the_catalog(client: httpx.AsyncClient, catalog: Any) -> None:
    cards = catalog["cards"]
    objs = {o["type"]: o for o in (await client.get(f"{API}/bulk-data")).json()["data"]}

    default = await _download(client, objs["default_cards"])
    assert len(default) == len(cards)
    assert sorted(c["id"] for c in default) == sorted(c["id"] for c in cards)
    one = default[0]
    assert one == (await client.get(f"{API}/cards/{one['id']}")).json()  # the card object as served
    for card in default:
        assert card["uri"] == f"{BASE}{API}/cards/{card['id']}"
        assert "api.scryfall.com" not in orjson.dumps(card).decode()

    oracle = await _download(client, objs["oracle_cards"])
    keys = {c.get("oracle_id") or c["id"] for c in cards}
    assert len(oracle) == len(keys) == len({c.get("oracle_id") or c["id"] for c in oracle})

    art = await _download(client, objs["unique_artwork"])
    arts = {c.get("illustration_id") or c["id"] for c in cards}
    assert len(art) == len(arts)

    rulings = await _download(client, objs["rulings"])
    assert rulings == sorted((r.as_object() for r in catalog["rulings"]), key=lambda r: r["oracle_id"])


async def test_head_etag_and_raw_gzip(client: httpx.AsyncClient, catalog: Any) -> None:
    obj = (await client.get(f"{API}/bulk-data/default_cards")).json()
    path = f"{API}/bulk-data/default_cards/download"
    head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == obj["size"]
    assert head.headers["content-encoding"] == "gzip"
    etag = head.headers["etag"]
    assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304
    raw = await client.get(path, headers={"Accept-Encoding": "identity"})
    async with client.stream("GET", path) as streamed:
        compressed = b"".join([chunk async for chunk in streamed.aiter_raw()])
    assert len(compressed) == obj["size"]
    assert orjson.loads(gzip.decompress(compressed)) == orjson.loads(raw.content)


async def test_a_new_import_rebuilds(client: httpx.AsyncClient, catalog: Any, db: Database, tmp_path: Path) -> None:
    before = (await client.get(f"{API}/bulk-data/default_cards")).json()
    again = (await client.get(f"{API}/bulk-data/default_cards")).json()
    assert again == before  # unchanged catalog, same file
    more = page_2023()
    await import_cards(db, write_json(tmp_path / "more.json", more))
    after = (await client.get(f"{API}/bulk-data/default_cards")).json()
    assert after["id"] == before["id"]
    assert after["updated_at"] > before["updated_at"] and after["size"] != before["size"]
    ids = {c["id"] for c in catalog["cards"]} | {c["id"] for c in more}
    assert {c["id"] for c in await _download(client, after)} == ids


async def test_links_follow_the_public_url(client: httpx.AsyncClient, catalog: Any) -> None:
    other = "http://cards.example.org:8080"
    obj = (await client.get(f"{API}/bulk-data/oracle_cards", headers={"Host": "cards.example.org:8080"})).json()
    assert obj["uri"].startswith(other + API) and obj["download_uri"].startswith(other + API)
    resp = await client.get(f"{API}/bulk-data/oracle_cards/download", headers={"Host": "cards.example.org:8080"})
    cards = orjson.loads(resp.content)
    assert all(c["uri"].startswith(f"{other}{API}/cards/") for c in cards)
    assert b"http://testserver" not in resp.content


async def test_build_for_a_configured_url(db: Database, settings: Settings, catalog: Any) -> None:
    f = await bulk.build(db, settings.data_dir, "https://cards.example.org", "default_cards")
    cards = orjson.loads(gzip.decompress(f.path.read_bytes()))
    assert len(cards) == f.count == len(catalog["cards"])
    assert all(c["uri"].startswith("https://cards.example.org/api/v1/cards/") for c in cards)
    assert f.path.parent.parent == settings.data_dir / "bulk"
    for n in range(bulk.MAX_BASES + 2):  # made-up hosts cannot fill the disk
        await bulk.build(db, settings.data_dir, f"http://h{n}.example", "rulings")
    assert len(list((settings.data_dir / "bulk").iterdir())) == bulk.MAX_BASES


# A fixed unknown id: parameter ids must be the same in every pytest-xdist worker.
@pytest.mark.parametrize("key", ["all_cards", "nope", "5f0e3c1a-8d2b-4c7e-9a61-3b2d4e5f6a7b"])
async def test_unknown_type_is_404(client: httpx.AsyncClient, key: str) -> None:
    error_body(await client.get(f"{API}/bulk-data/{key}"), 404)
    error_body(await client.get(f"{API}/bulk-data/{key}/download"), 404)
