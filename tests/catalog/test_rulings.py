"""Rulings: the parsers (table-driven), loading real MTGJSON rulings and a Scryfall rulings file, and the
five /rulings routes over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog import service as catalog_service
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.catalog.rulings import Ruling, RulingsFileError, from_mtgjson_set, from_scryfall, read_file
from mtg_tracker.catalog.scryfall import ScryfallClient
from mtg_tracker.catalog.sync import sync_rulings
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from support import error_body, shared_data

API = "/api/v1"
ORACLE = "c7a6a165-b709-46e0-ae42-6f69a17c0621"  # Animate Wall


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            {"object": "ruling", "oracle_id": ORACLE, "source": "wotc", "published_at": "2007-09-16", "comment": "x"},
            Ruling(uuid.UUID(ORACLE), "wotc", date(2007, 9, 16), "x"),
        ),
        (
            {"oracle_id": ORACLE, "source": "scryfall", "published_at": "2020-01-01", "comment": "  spaced  "},
            Ruling(uuid.UUID(ORACLE), "scryfall", date(2020, 1, 1), "spaced"),
        ),
        ({"oracle_id": None, "source": "wotc", "published_at": "2007-09-16", "comment": "x"}, None),
        ({"oracle_id": "nope", "source": "wotc", "published_at": "2007-09-16", "comment": "x"}, None),
        ({"oracle_id": ORACLE, "source": "gatherer", "published_at": "2007-09-16", "comment": "x"}, None),
        ({"oracle_id": ORACLE, "source": "wotc", "published_at": "16/09/2007", "comment": "x"}, None),
        ({"oracle_id": ORACLE, "source": "wotc", "published_at": "2007-09-16", "comment": "  "}, None),
    ],
)
def test_scryfall_records(obj: dict[str, Any], expected: Ruling | None) -> None:
    assert list(from_scryfall([obj])) == [expected]


def test_mtgjson_rulings_are_wotc_and_need_an_oracle_id() -> None:
    set_obj = {
        "cards": [
            {"identifiers": {"scryfallOracleId": ORACLE}, "rulings": [{"date": "2007-09-16", "text": "A."}]},
            {"identifiers": {}, "rulings": [{"date": "2007-09-16", "text": "B."}]},
            {"identifiers": {"scryfallOracleId": ORACLE}},
        ]
    }
    assert list(from_mtgjson_set(set_obj)) == [Ruling(uuid.UUID(ORACLE), "wotc", date(2007, 9, 16), "A."), None]


def test_same_ruling_from_both_sources_has_one_key() -> None:
    a = Ruling(uuid.UUID(ORACLE), "wotc", date(2007, 9, 16), "Text.")
    assert a.key == Ruling(uuid.UUID(ORACLE), "wotc", date(2007, 9, 16), "Text.").key
    assert a.key != Ruling(uuid.UUID(ORACLE), "scryfall", date(2007, 9, 16), "Text.").key


def test_a_file_that_is_neither_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('"just a string"')
    with pytest.raises(RulingsFileError):
        list(read_file(tmp_path / "x.json"))
    (tmp_path / "y.json").write_text('{"meta": {}}')
    with pytest.raises(RulingsFileError):
        list(read_file(tmp_path / "y.json"))


@pytest.fixture(scope="module")
def real_rulings() -> list[Ruling]:
    """Every WotC ruling in the real MTGJSON AllPrintings (one per key), read once per module."""
    path = shared_data("mtgjson", "AllPrintings-2022-04-25-no-CMR.json.xz")
    unique: dict[str, Ruling] = {}
    for r in read_file(path):
        if r is not None:
            unique.setdefault(r.key, r)
    return list(unique.values())


def test_real_allprintings_yields_wotc_rulings(real_rulings: list[Ruling]) -> None:
    assert len(real_rulings) > 40_000
    assert {r.source for r in real_rulings} == {"wotc"}
    wall = [r for r in real_rulings if r.oracle_id == uuid.UUID(ORACLE)]
    assert any("enchant only a Wall" in r.comment for r in wall)


@pytest.fixture
async def cards_with_rulings(
    db: Database, tmp_path: Path, real_rulings: list[Ruling]
) -> tuple[list[dict[str, Any]], list[Ruling]]:
    """Real cards, and the real rulings of their oracle ids loaded from a Scryfall-format rulings file
    (gzip, as Scryfall serves it) made of those MTGJSON rulings."""
    items = sample_2025() + page_2023()
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    oracles = {uuid.UUID(c["oracle_id"]) for c in items if c.get("oracle_id")}
    mine = [r for r in real_rulings if r.oracle_id in oracles]
    path = tmp_path / "rulings.json.gz"
    path.write_bytes(gzip.compress(json.dumps([r.as_object() for r in mine]).encode()))
    async with db.session_scope() as session:
        summary = await catalog_service.load_rulings(session, read_file(path))
    assert summary.as_dict() == {"read": len(mine), "inserted": len(mine), "duplicates": 0, "skipped": 0}
    return items, mine


async def test_loading_again_adds_nothing(db: Database, cards_with_rulings: Any, tmp_path: Path) -> None:
    _, mine = cards_with_rulings
    async with db.session_scope() as session:
        again = await catalog_service.load_rulings(session, iter([*mine, None]))
    assert again.as_dict() == {"read": len(mine) + 1, "inserted": 0, "duplicates": len(mine), "skipped": 1}


def _expected(mine: list[Ruling], oracle_id: str) -> list[dict[str, Any]]:
    own = [r for r in mine if str(r.oracle_id) == oracle_id]
    return [r.as_object() for r in sorted(own, key=lambda r: r.published_at)]


async def test_rulings_by_every_identifier(client: httpx.AsyncClient, cards_with_rulings: Any) -> None:
    items, mine = cards_with_rulings
    ruled = {str(r.oracle_id) for r in mine}
    card = next(c for c in items if c.get("oracle_id") in ruled and c.get("multiverse_ids") and c.get("mtgo_id"))
    expected = _expected(mine, card["oracle_id"])
    assert expected
    urls = [
        f"/cards/{card['id']}/rulings",
        f"/cards/{card['set']}/{card['collector_number']}/rulings",
        f"/cards/multiverse/{card['multiverse_ids'][0]}/rulings",
        f"/cards/mtgo/{card['mtgo_id']}/rulings",
    ]
    arena = next((c for c in items if c.get("arena_id") and c.get("oracle_id") in ruled), None)
    for url in urls:
        resp = await client.get(API + url)
        assert resp.status_code == 200, (url, resp.text)
        body = resp.json()
        assert body["object"] == "list" and body["has_more"] is False
        assert [{k: d[k] for k in ("published_at", "comment")} for d in body["data"]] == [
            {k: d[k] for k in ("published_at", "comment")} for d in expected
        ]
        assert all(d["object"] == "ruling" and d["oracle_id"] == card["oracle_id"] for d in body["data"])
    if arena is not None:
        resp = await client.get(f"{API}/cards/arena/{arena['arena_id']}/rulings")
        assert resp.json()["data"] == _expected(mine, arena["oracle_id"])


async def test_a_card_without_rulings_has_an_empty_list(client: httpx.AsyncClient, cards_with_rulings: Any) -> None:
    items, mine = cards_with_rulings
    ruled = {str(r.oracle_id) for r in mine}
    card = next(c for c in items if c.get("oracle_id") and c["oracle_id"] not in ruled)
    resp = await client.get(f"{API}/cards/{card['id']}/rulings")
    assert resp.status_code == 200 and resp.json() == {"object": "list", "has_more": False, "data": []}


@pytest.mark.parametrize(
    "url",
    [
        "/cards/00000000-0000-0000-0000-000000000000/rulings",
        "/cards/not-a-uuid/rulings",
        "/cards/zzz/999/rulings",
        "/cards/multiverse/1/rulings",
        "/cards/mtgo/1/rulings",
        "/cards/arena/1/rulings",
    ],
)
async def test_unknown_card_rulings_404(client: httpx.AsyncClient, cards_with_rulings: Any, url: str) -> None:
    error_body(await client.get(API + url), 404)


async def test_bad_external_id_is_400(client: httpx.AsyncClient) -> None:
    error_body(await client.get(f"{API}/cards/multiverse/abc/rulings"), 400)


async def test_sync_downloads_the_rulings_file_only_when_it_changed(
    db: Database, settings: Settings, tmp_path: Path, cards_with_rulings: Any
) -> None:
    """Scryfall faked at the transport: /bulk-data lists the rulings file, its download_uri serves it."""
    _, mine = cards_with_rulings
    extra = Ruling(mine[0].oracle_id, "scryfall", date(2021, 3, 5), "A Scryfall note on this card.")
    body = json.dumps([r.as_object() for r in [*mine, extra]]).encode()
    uri = "https://data.scryfall.io/rulings/rulings-20260101.json"
    entry = {"object": "bulk_data", "type": "rulings", "updated_at": "2026-01-01T10:00:00+00:00", "download_uri": uri}
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/bulk-data":
            return httpx.Response(200, json={"object": "list", "has_more": False, "data": [entry]})
        return httpx.Response(200, content=body, headers={"Content-Length": str(len(body))})

    local = settings.model_copy(
        update={"scryfall": settings.scryfall.model_copy(update={"download_dir": tmp_path / "bulk", "offline": False})}
    )
    async with ScryfallClient(local.scryfall, transport=httpx.MockTransport(handler)) as client:
        first = await sync_rulings(db, local, client)
        second = await sync_rulings(db, local, client)
    assert first.changed and first.summary is not None
    assert first.summary.as_dict() == {"read": len(mine) + 1, "inserted": 1, "duplicates": len(mine), "skipped": 0}
    assert not second.changed
    assert paths == ["/bulk-data", "/rulings/rulings-20260101.json", "/bulk-data"]
    async with db.session(write=False) as session:
        listed = orjson.loads(await catalog_service.rulings(session, extra.oracle_id))["data"]
    assert extra.as_object() in listed
