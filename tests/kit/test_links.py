"""This server's public URL (kit.http.public_base / public_url) and the link rewriting (kit.links)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from cardfiles import sample_2025, write_json
from mtg_tracker.catalog.importer import import_cards
from mtg_tracker.kit.db import Database
from mtg_tracker.kit.http import parse_networks, public_base
from mtg_tracker.kit.links import rewrite_links, tag_etag, untag_if_none_match
from support import app_factory

PROXY = parse_networks(["10.0.0.0/8"])


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "http://api.local:8000"),
        ({"configured": "https://cards.example.org/"}, "https://cards.example.org"),
        ({"configured": "https://example.org/mtg", "forwarded_host": "evil.test"}, "https://example.org/mtg"),
        # forwarded headers from a trusted proxy are believed (the first, client-facing value)
        (
            {"peer": "10.1.2.3", "forwarded_proto": "https", "forwarded_host": "cards.example.org, inner"},
            "https://cards.example.org",
        ),
        (
            {"peer": "10.1.2.3", "forwarded_proto": "https", "host": "cards.example.org:443"},
            "https://cards.example.org",
        ),
        # ... and ignored from anyone else
        ({"peer": "203.0.113.5", "forwarded_proto": "https", "forwarded_host": "evil.test"}, "http://api.local:8000"),
        # a header that would smuggle a path or credentials into links is not used
        ({"peer": "10.1.2.3", "forwarded_host": "evil.test/x?y"}, "http://api.local:8000"),
        ({"host": "a@evil.test"}, "http://srv"),
        ({"peer": "10.1.2.3", "forwarded_proto": "gopher"}, "http://api.local:8000"),
        ({"host": None}, "http://srv"),
        ({"host": "[::1]:8080"}, "http://[::1]:8080"),
    ],
)
def test_public_base(kwargs: dict[str, Any], expected: str) -> None:
    args: dict[str, Any] = {
        "configured": None,
        "scheme": "http",
        "host": "api.local:8000",
        "server": ("srv", 80),
        "peer": "127.0.0.1",
        "forwarded_proto": None,
        "forwarded_host": None,
        "trusted": PROXY,
    }
    assert public_base(**{**args, **kwargs}) == expected


def test_rewrite_only_touches_the_api_origin() -> None:
    body = (
        b'{"uri":"https://api.scryfall.com/cards/x","scryfall_uri":"https://scryfall.com/card/a/1",'
        b'"image":"https://cards.scryfall.io/large/x.jpg","set_uri":"https://api.scryfall.com/sets/y"}'
    )
    out = rewrite_links(body, b"https://api.scryfall.com", b"http://h/api/v1")
    assert out == (
        b'{"uri":"http://h/api/v1/cards/x","scryfall_uri":"https://scryfall.com/card/a/1",'
        b'"image":"https://cards.scryfall.io/large/x.jpg","set_uri":"http://h/api/v1/sets/y"}'
    )


def test_etag_tags_round_trip() -> None:
    tagged = tag_etag(b'"abc"', b"1234")
    assert tagged == b'"abc-h1234"'
    assert untag_if_none_match(tagged + b', W/"zzz"', b"1234") == b'"abc",W/"zzz"'
    assert untag_if_none_match(tagged, b"9999") == tagged  # another host's tag matches nothing


@pytest.fixture
async def cards(db: Database, tmp_path: Path) -> list[dict[str, Any]]:
    items = sample_2025()
    await import_cards(db, write_json(tmp_path / "cards.json", items))
    return items


def _links(card: dict[str, Any]) -> list[str]:
    return [card[k] for k in ("uri", "prints_search_uri", "rulings_uri", "set_uri", "set_search_uri")]


async def _client(app: Any, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 5000)), base_url="http://inner:8000")


async def test_links_follow_the_request_host_trusted_proxies_and_the_configured_url(
    database_url: str, tmp_path: Path, cards: list[dict[str, Any]]
) -> None:
    card_id = cards[0]["id"]
    async with app_factory(database_url, tmp_path) as factory:
        plain = await factory(http={"trusted_proxies": ["10.0.0.0/8"]})
        async with await _client(plain) as c:
            body = (await c.get(f"/api/v1/cards/{card_id}")).json()
            assert all(u.startswith("http://inner:8000/api/v1/") for u in _links(body)), _links(body)
            assert body["scryfall_uri"].startswith("https://scryfall.com/")
            spoofed = {"x-forwarded-host": "evil.test", "x-forwarded-proto": "https"}
            body = (await c.get(f"/api/v1/cards/{card_id}", headers=spoofed)).json()
            assert body["uri"].startswith("http://inner:8000/")  # not a trusted proxy: ignored
        async with await _client(plain, peer="10.9.8.7") as c:
            forwarded = {"x-forwarded-host": "cards.example.org", "x-forwarded-proto": "https"}
            response = await c.get(f"/api/v1/cards/{card_id}", headers=forwarded)
            assert response.json()["uri"] == f"https://cards.example.org/api/v1/cards/{card_id}"
            # the ETag names the host too, and a client's If-None-Match still gets its 304
            etag = response.headers["etag"]
            again = await c.get(f"/api/v1/cards/{card_id}", headers={**forwarded, "if-none-match": etag})
            assert again.status_code == 304 and again.headers["etag"] == etag
            other = await c.get(f"/api/v1/cards/{card_id}", headers={"if-none-match": etag})
            assert other.status_code == 200 and other.headers["etag"] != etag
            page = (await c.get("/api/v1/sets", headers=forwarded)).json()
            assert all(s["uri"].startswith("https://cards.example.org/api/v1/sets/") for s in page["data"])
        configured = await factory(public_url="https://mtg.example.net/base")
        async with await _client(configured) as c:
            body = (await c.get(f"/api/v1/cards/{card_id}")).json()
            assert body["uri"] == f"https://mtg.example.net/base/api/v1/cards/{card_id}"


async def test_a_compressed_body_streams_through_untouched() -> None:
    """A gzip body (a bulk file) is neither buffered nor rewritten: its chunks leave one by one, as sent."""
    from mtg_tracker.kit.links import LinkRewriteMiddleware

    chunks = [b"https://api.scryfall.com/cards/1", b"more"]

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip"), (b"content-length", b"36")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(chunks):
            await send({"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request"}

    mw = LinkRewriteMiddleware(
        app, upstream="https://api.scryfall.com", mount_path="/api/v1", public_url=None, trusted_proxies=[]
    )
    scope = {
        "type": "http",
        "path": "/api/v1/bulk-data/x/download",
        "headers": [(b"host", b"h.test")],
        "scheme": "http",
    }
    await mw(scope, receive, send)
    assert [m.get("body") for m in sent[1:]] == chunks
    assert (b"content-length", b"36") in sent[0]["headers"]
