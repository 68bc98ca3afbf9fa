"""The Scryfall-compatible catalog endpoints, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from asgi_lifespan import LifespanManager

from cardfiles import page_2023, sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards, import_sets
from mtg_tracker.config import Settings
from mtg_tracker.kit.db import Database
from mtg_tracker.main import create_app
from support import OPS_HEADERS, error_body, make_settings, shared_data, wait_for

API = "/api/v1"


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025() + page_2023()
    await import_sets(db, shared_data("cards", "scryfall-sets-2021.json.gz"))
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    return items


def _by_name(cards: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(c for c in cards if c["name"] == name)


_err = error_body


def _served(card: dict[str, Any], host: bytes = b"testserver") -> dict[str, Any]:
    """The object as served: Scryfall's API links point at this server (the test client's host)."""
    return orjson.loads(orjson.dumps(card).replace(b"https://api.scryfall.com/", b"http://" + host + b"/api/v1/"))


async def test_card_by_id_is_the_source_object(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    for card in cards[:20]:
        resp = await client.get(f"{API}/cards/{card['id']}")
        assert resp.status_code == 200
        assert resp.json() == _served(card)
        assert resp.headers["etag"] and "max-age" in resp.headers["cache-control"]


async def test_etag_gives_304(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    url = f"{API}/cards/{cards[0]['id']}"
    etag = (await client.get(url)).headers["etag"]
    resp = await client.get(url, headers={"If-None-Match": etag})
    assert resp.status_code == 304 and resp.content == b""
    assert (await client.get(url, headers={"If-None-Match": '"other"'})).status_code == 200


@pytest.mark.parametrize("bad", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
async def test_unknown_card_404(client: httpx.AsyncClient, cards: list[dict[str, Any]], bad: str) -> None:
    _err(await client.get(f"{API}/cards/{bad}"), 404)


async def test_card_by_set_number_and_lang(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    card = cards[0]
    assert (await client.get(f"{API}/cards/{card['set']}/{card['collector_number']}")).json()["id"] == card["id"]
    assert (await client.get(f"{API}/cards/{card['set']}/{card['collector_number']}/{card['lang']}")).json()[
        "id"
    ] == card["id"]
    _err(await client.get(f"{API}/cards/{card['set']}/{card['collector_number']}/ja"), 404)
    _err(await client.get(f"{API}/cards/zzz/999999"), 404)


@pytest.mark.parametrize(
    ("kind", "field"),
    [("tcgplayer", "tcgplayer_id"), ("cardmarket", "cardmarket_id"), ("mtgo", "mtgo_id"), ("arena", "arena_id")],
)
async def test_card_by_external_ids(
    client: httpx.AsyncClient, cards: list[dict[str, Any]], kind: str, field: str
) -> None:
    card = next(c for c in cards if c.get(field))
    resp = await client.get(f"{API}/cards/{kind}/{card[field]}")
    assert resp.status_code == 200
    assert resp.json()[field] == card[field]
    _err(await client.get(f"{API}/cards/{kind}/0"), 404)
    _err(await client.get(f"{API}/cards/{kind}/abc"), 400)


async def test_card_by_multiverse_id(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    card = next(c for c in cards if c.get("multiverse_ids"))
    resp = await client.get(f"{API}/cards/multiverse/{card['multiverse_ids'][0]}")
    assert card["multiverse_ids"][0] in resp.json()["multiverse_ids"]


async def test_named(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    assert (await client.get(f"{API}/cards/named", params={"exact": "lightning bolt"})).json()[
        "name"
    ] == "Lightning Bolt"
    assert (await client.get(f"{API}/cards/named", params={"fuzzy": "lightnig blt"})).json()["name"] == "Lightning Bolt"
    dfc = next(c for c in cards if c["layout"] == "transform")
    face = dfc["card_faces"][1]["name"]
    assert (await client.get(f"{API}/cards/named", params={"exact": face})).json()["id"] == dfc["id"]
    _err(await client.get(f"{API}/cards/named", params={"exact": "No Such Card At All"}), 404)
    _err(await client.get(f"{API}/cards/named"), 400)
    _err(await client.get(f"{API}/cards/named", params={"exact": "a", "fuzzy": "b"}), 400)
    bolt = _by_name(cards, "Lightning Bolt")
    _err(await client.get(f"{API}/cards/named", params={"exact": "Lightning Bolt", "set": "zzz"}), 404)
    assert (await client.get(f"{API}/cards/named", params={"exact": "Lightning Bolt", "set": bolt["set"]})).json()[
        "set"
    ] == bolt["set"]


async def test_named_fuzzy_ambiguous(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    # Several real names in the sample start with the same word: Scryfall answers 404 "ambiguous".
    first_words: dict[str, set[str]] = {}
    for c in cards:
        first_words.setdefault(c["name"].split()[0].lower(), set()).add(c["name"])
    word = next(w for w, names in sorted(first_words.items()) if len(names) > 1 and len(w) > 3)
    body = _err(await client.get(f"{API}/cards/named", params={"fuzzy": word}), 404)
    assert body["type"] == "ambiguous"


async def test_autocomplete(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    body = (await client.get(f"{API}/cards/autocomplete", params={"q": "light"})).json()
    assert (
        body["object"] == "catalog" and "Lightning Bolt" in body["data"] and body["total_values"] == len(body["data"])
    )
    assert (await client.get(f"{API}/cards/autocomplete", params={"q": "l"})).json()["data"] == []


async def test_collection(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    bolt, ring = _by_name(cards, "Lightning Bolt"), _by_name(cards, "Sol Ring")
    identifiers = [
        {"id": bolt["id"]},
        {"name": "Sol Ring"},
        {"set": ring["set"], "collector_number": ring["collector_number"]},
        {"oracle_id": bolt["oracle_id"]},
        {"name": "Definitely Not A Card"},
    ]
    body = (await client.post(f"{API}/cards/collection", json={"identifiers": identifiers})).json()
    assert [c["name"] for c in body["data"]] == ["Lightning Bolt", "Sol Ring", "Sol Ring", "Lightning Bolt"]
    assert body["not_found"] == [{"name": "Definitely Not A Card"}]


@pytest.mark.parametrize(
    "payload",
    [
        {"identifiers": [{"name": "Sol Ring"}] * 76},
        {"identifiers": []},
        {"identifiers": [{"collector_number": "1"}]},
        {"identifiers": [{"id": "nope"}]},
        {"identifiers": [{"colour": "red"}]},
        {"cards": []},
        # beyond the 32-bit ids: a 400, not an integer overflow in the database driver
        {"identifiers": [{"multiverse_id": 99999999999999999999}]},
        {"identifiers": [{"mtgo_id": 2**31}]},
        {"identifiers": [{"name": "Sol\x00Ring"}]},
    ],
)
async def test_collection_bad_input(client: httpx.AsyncClient, cards: list[dict[str, Any]], payload: Any) -> None:
    body = _err(await client.post(f"{API}/cards/collection", json=payload), 400)
    assert body["errors"]


async def test_random(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    ids = {c["id"] for c in cards}
    seen = {(await client.get(f"{API}/cards/random")).json()["id"] for _ in range(15)}
    assert seen <= ids and len(seen) > 1
    goblin = (await client.get(f"{API}/cards/random", params={"q": "t:goblin"})).json()
    assert "Goblin" in goblin["type_line"]
    _err(await client.get(f"{API}/cards/random", params={"q": "t:goblin t:angel"}), 404)
    body = _err(await client.get(f"{API}/cards/random", params={"q": "zz:top"}), 400)
    assert body["warnings"] and 'Unknown keyword "zz"' in body["warnings"][0]


async def test_random_on_empty_catalog(client: httpx.AsyncClient) -> None:
    _err(await client.get(f"{API}/cards/random"), 404)


async def test_sets(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    body = (await client.get(f"{API}/sets")).json()
    assert body["object"] == "list" and len(body["data"]) >= 666
    lea = (await client.get(f"{API}/sets/LEA")).json()
    assert lea["name"] == "Limited Edition Alpha" and lea["object"] == "set"
    assert (await client.get(f"{API}/sets/{lea['id']}")).json()["code"] == "lea"
    _err(await client.get(f"{API}/sets/nope"), 404)


async def test_set_by_tcgplayer_id(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    sets = shared_data("cards", "scryfall-sets-2021.json.gz")
    with gzip.open(sets) as fh:
        real = next(s for s in json.load(fh)["data"] if s.get("tcgplayer_id"))
    resp = await client.get(f"{API}/sets/tcgplayer/{real['tcgplayer_id']}")
    assert resp.status_code == 200 and resp.json()["code"] == real["code"] and resp.json()["object"] == "set"
    _err(await client.get(f"{API}/sets/tcgplayer/2147483647"), 404)
    _err(await client.get(f"{API}/sets/tcgplayer/abc"), 400)


@pytest.mark.parametrize("name", ["card-names", "artist-names", "creature-types", "powers", "word-bank", "land-types"])
async def test_catalogs(client: httpx.AsyncClient, cards: list[dict[str, Any]], name: str) -> None:
    body = (await client.get(f"{API}/catalog/{name}")).json()
    assert body["object"] == "catalog" and body["total_values"] == len(body["data"]) > 0


async def test_unknown_catalog(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    body = _err(await client.get(f"{API}/catalog/nope-words"), 404)
    assert "card-names" in body["details"] and "flavor-words" in body["details"]


@pytest.mark.parametrize(
    ("name", "member"),
    [("keyword-abilities", "Flying"), ("keyword-actions", "Scry"), ("ability-words", "Landfall")],
)
async def test_keyword_catalogs(client: httpx.AsyncClient, name: str, member: str) -> None:
    body = (await client.get(f"{API}/catalog/{name}")).json()
    assert body["object"] == "catalog" and member in body["data"] and body["total_values"] == len(body["data"])


async def test_flavor_words_come_from_the_cards(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    """The 2023 page holds AFR's dragons: Black Dragon's "Acid Breath", Astral Dragon's "Project Image"."""
    data = (await client.get(f"{API}/catalog/flavor-words")).json()["data"]
    assert {"Acid Breath", "Project Image"} <= set(data)
    ability_words = set((await client.get(f"{API}/catalog/ability-words")).json()["data"])
    assert not ability_words & set(data)


async def test_import_invalidates_cached_cards(
    client: httpx.AsyncClient, db: Database, cards: list[dict[str, Any]], tmp_path: Path
) -> None:
    card = _by_name(cards, "Sol Ring")
    url = f"{API}/cards/{card['id']}"
    assert (await client.get(url)).json()["prices"]["usd"] == card["prices"]["usd"]
    changed = dict(card, prices=dict(card["prices"], usd="777.77"))
    await import_cards(db, write_json(tmp_path / "changed.json", [changed]))

    async def refreshed() -> bool:
        return bool((await client.get(url)).json()["prices"]["usd"] == "777.77")

    await wait_for(refreshed, timeout=5)


async def test_health_reports_catalog(client: httpx.AsyncClient, cards: list[dict[str, Any]]) -> None:
    body = (await client.get("/health/detailed", headers=OPS_HEADERS)).json()
    assert body["components"]["catalog"]["cards"] == len(cards)
    assert body["components"]["catalog"]["last_import"]["finished_at"]


# -- upstream ----------------------------------------------------------------------------------------


def _upstream_app(settings: Settings, handler: Any) -> Any:
    return create_app(settings, upstream_transport=httpx.MockTransport(handler))


async def test_missing_card_is_fetched_and_stored(database_url: str, tmp_path: Path) -> None:
    card = sample_2025()[0]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == f"/cards/{card['id']}":
            return httpx.Response(200, json=card)
        return httpx.Response(404, json={"object": "error", "status": 404, "code": "not_found", "details": "x"})

    settings = make_settings(database_url, tmp_path, scryfall={"offline": False, "base_url": "https://scryfall.test"})
    app = _upstream_app(settings, handler)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.get(f"{API}/cards/{card['id']}")).json() == _served(card, b"t")
            assert (await c.get(f"{API}/cards/{card['id']}")).json() == _served(card, b"t")
            assert calls == [f"/cards/{card['id']}"]  # the second read is local
            _err(await c.get(f"{API}/cards/00000000-0000-0000-0000-000000000001"), 404)


async def test_upstream_down_breaker_opens_and_misses_stay_fast(database_url: str, tmp_path: Path) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(503)

    settings = make_settings(
        database_url,
        tmp_path,
        scryfall={
            "offline": False,
            "base_url": "https://scryfall.test",
            "retries": 0,
            "breaker_failure_threshold": 2,
            "breaker_reset_seconds": 60,
        },
    )
    app = _upstream_app(settings, handler)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            for i in range(2):
                _err(await c.get(f"{API}/cards/00000000-0000-0000-0000-00000000000{i}"), 503)
            made = len(calls)
            for i in range(5):
                start = time.perf_counter()
                _err(await c.get(f"{API}/cards/00000000-0000-0000-0000-00000000001{i}"), 503)
                assert time.perf_counter() - start < 0.1
            assert len(calls) == made  # breaker open: no further calls
            metrics = (await c.get("/metrics")).text
            assert 'upstream_breaker_state{upstream="scryfall"} 2.0' in metrics


async def test_redis_cache_backend(database_url: str, tmp_path: Path, redis_url: str) -> None:
    settings = make_settings(database_url, tmp_path, redis_url=redis_url)
    db = Database(settings)
    items = sample_2025()
    await import_cards(db, write_json(tmp_path / "c.json", items))
    await db.dispose()
    app = create_app(settings)
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            for _ in range(3):
                assert (await c.get(f"{API}/cards/{items[0]['id']}")).json() == _served(items[0], b"t")
            assert (await c.get("/ready")).json()["checks"]["redis"]["status"] == "ok"
            cached = await app.state.cache.backend.get(app.state.cache._key("catalog", f"card:{items[0]['id']}"))
            assert cached is not None and orjson.loads(cached.split(b"\n", 1)[1]) == items[0]
