"""/metrics and /health/detailed need an allowed address or a token; /health and /ready stay public;
the detailed health never shows a file path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from accounts import api_key_headers, login_headers
from mtg_tracker.kit.db import utcnow
from mtg_tracker.main import create_app
from mtg_tracker.ops.service import redact_paths
from support import OPS_HEADERS, OPS_TOKEN, app_factory, error_body

GATED = ("/metrics", "/health/detailed")


def _client(app: Any, ip: str, port: int = 50000) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, port)), base_url="http://t")


@pytest.fixture
async def make_app(database_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    async with app_factory(database_url, tmp_path) as factory:
        yield factory


async def test_probes_stay_public_and_the_rest_needs_credentials(client: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready"):
        assert (await client.get(path)).status_code == 200
    for path in GATED:
        resp = await client.get(path)
        body = error_body(resp, 401)
        assert body["code"] == "unauthorized" and "MTG_OPS__TOKEN" in body["details"]
        assert resp.headers["www-authenticate"] == "Bearer"
        error_body(await client.get(path, headers={"Authorization": "Bearer wrong-token-0123456789"}), 401)
        assert (await client.get(path, headers=OPS_HEADERS)).status_code == 200


async def test_loopback_is_allowed_by_default(make_app: Any) -> None:
    app = await make_app(ops={})  # no token at all
    for ip in ("127.0.0.1", "::1"):
        async with _client(app, ip) as c:
            for path in GATED:
                assert (await c.get(path)).status_code == 200, (ip, path)
    async with _client(app, "192.0.2.10") as c:
        for path in GATED:
            error_body(await c.get(path), 401)
            # no token configured: nothing presented as one opens the door
            error_body(await c.get(path, headers=OPS_HEADERS), 401)


async def test_forwarded_for_counts_only_from_trusted_proxies(make_app: Any) -> None:
    app = await make_app(ops={"allow_networks": "192.0.2.0/24"}, http={"trusted_proxies": ["10.0.0.0/8"]})
    spoof = {"X-Forwarded-For": "192.0.2.5"}
    async with _client(app, "198.51.100.7") as c:  # an untrusted peer claiming an allowed address
        for path in GATED:
            error_body(await c.get(path, headers=spoof), 401)
    async with _client(app, "10.1.2.3") as c:  # the trusted proxy says the client is 192.0.2.5
        for path in GATED:
            assert (await c.get(path, headers=spoof)).status_code == 200
    async with _client(app, "127.0.0.1") as c:  # loopback is no longer listed
        error_body(await c.get("/metrics"), 401)


async def test_administrators_may_read_the_detailed_health(client: httpx.AsyncClient, db: Any) -> None:
    from mtg_tracker.account import service as account_service

    admin = await login_headers(client, "ops-admin@example.com")
    user = await login_headers(client, "ops-user@example.com")
    async with db.session_scope() as session:
        row = await account_service.get_user_by_email(session, "ops-admin@example.com")
        assert row is not None
        row.role = "admin"
    admin_key = await api_key_headers(client, admin, ("read",))
    assert (await client.get("/health/detailed", headers=admin)).status_code == 200
    assert (await client.get("/health/detailed", headers=admin_key)).status_code == 200
    error_body(await client.get("/health/detailed", headers=user), 403)
    error_body(await client.get("/health/detailed", headers=await api_key_headers(client, user)), 403)
    error_body(await client.get("/metrics", headers=admin), 401)  # metrics are for Prometheus: the token


async def test_detailed_health_shows_no_file_paths(client: httpx.AsyncClient, db: Any) -> None:
    from mtg_tracker.catalog.models import CatalogImport
    from mtg_tracker.kit.scheduler import JobRun

    now = utcnow()
    async with db.session_scope() as session:
        session.add(
            CatalogImport(
                kind="cards",
                source="/srv/secret-place/var/bulk/default-cards.json",
                status="succeeded",
                started_at=now,
                finished_at=now,
            )
        )
        session.add(
            JobRun(
                job_name="catalog.sync",
                slot=now,
                trigger="manual",
                status="failed",
                instance="test",
                started_at=now,
                finished_at=now,
                error="[Errno 2] No such file or directory: '/srv/secret-place/var/bulk/x.json'",
            )
        )
    resp = await client.get("/health/detailed", headers=OPS_HEADERS)
    assert resp.status_code == 200
    assert "secret-place" not in resp.text and "/var/" not in resp.text
    body = resp.json()
    assert body["components"]["catalog"]["last_import"]["source"] == "default-cards.json"
    assert body["jobs"]["catalog.sync"]["last_run"]["error"].endswith("'x.json'")


async def test_openapi_documents_the_token() -> None:
    from mtg_tracker.config import Settings

    app = create_app(Settings(environment="test", ops={"token": OPS_TOKEN}))
    spec = app.openapi()
    assert spec["components"]["securitySchemes"]["OpsToken"]["scheme"] == "bearer"
    for path in GATED:
        assert "401" in spec["paths"][path]["get"]["responses"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/home/someone/var/bulk/cards.json", "cards.json"),
        ("./var/bulk/cards.json.gz", "cards.json.gz"),
        ("var/bulk/cards.json", "cards.json"),
        ("~/cards.json", "cards.json"),
        ("C:\\Users\\me\\cards.json", "cards.json"),
        ("[Errno 2] No such file or directory: '/srv/mtg/a.json'", "[Errno 2] No such file or directory: 'a.json'"),
        ("failed reading ./x/y.csv: bad header", "failed reading y.csv: bad header"),
        ("upstream", "upstream"),
        ("https://api.scryfall.com/bulk-data/default-cards", "https://api.scryfall.com/bulk-data/default-cards"),
        ("http://scryfall.local:8080/a/b timed out", "http://scryfall.local:8080/a/b timed out"),
        ("schema at 2026_a, code expects 2026_b", "schema at 2026_a, code expects 2026_b"),
        ("2026-12-03T10:00:00+00:00", "2026-12-03T10:00:00+00:00"),
        ({"a": ["/x/y/z.txt", 3, None]}, {"a": ["z.txt", 3, None]}),
    ],
)
def test_redact_paths(value: Any, expected: Any) -> None:
    assert redact_paths(value) == expected
